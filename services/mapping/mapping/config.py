"""mapping's settings: its database, whether design files may live at private addresses, how often failed
design files are checked again, where uploaded design files are kept (docs/files.md) and the keys that
sign their download addresses."""

from enum import StrEnum
from typing import ClassVar, Self

from pydantic import Field, SecretStr, model_validator

from printbridge_shared.config import ServiceSettings


class FilesStorage(StrEnum):
    local = "local"
    s3 = "s3"


class Settings(ServiceSettings):
    service_name: ClassVar[str] = "mapping"

    database_url: str | None = Field(None, validation_alias="PRINTBRIDGE_MAPPING_DATABASE_URL")
    allow_private_urls: bool = Field(
        False,
        description="Let design files be fetched from loopback and private addresses and plain http:// "
        "(tests, the local sandbox, files on a LAN). Off in production.",
    )
    design_file_recheck_interval_s: float = Field(
        3600.0, gt=0, description="How often design files whose check failed are checked again."
    )
    secret_keys: SecretStr | None = Field(
        None,
        description="Comma-separated Fernet keys (the same setting connectors encrypts with): the first "
        "signs design-file download addresses, all verify. Unset: <data_dir>/secret_keys.",
    )
    files_storage: FilesStorage = Field(
        FilesStorage.local,
        description="Where uploaded design files are kept: `local` (under <data_dir>/files) or `s3` (any "
        "S3-compatible store, the PRINTBRIDGE_FILES_S3_* settings).",
    )
    files_s3_endpoint: str = Field(
        "",
        description="Base URL of the S3-compatible store, e.g. https://s3.eu-central-1.amazonaws.com or "
        "http://minio.internal:9000; objects are addressed path-style (<endpoint>/<bucket>/<key>).",
    )
    files_s3_bucket: str = Field("", description="The bucket design files are kept in (it must exist).")
    files_s3_region: str = Field("us-east-1", description="The region requests are signed for (SigV4).")
    files_s3_access_key_id: str = Field("", description="Access key id of the store's credentials.")
    files_s3_secret_access_key: SecretStr = Field(
        SecretStr(""), description="Secret access key of the store's credentials."
    )

    @model_validator(mode="after")
    def _s3_needs_its_settings(self) -> Self:
        if self.files_storage is FilesStorage.s3:
            missing = [
                f"PRINTBRIDGE_{name.upper()}"
                for name, value in (
                    ("files_s3_endpoint", self.files_s3_endpoint),
                    ("files_s3_bucket", self.files_s3_bucket),
                    ("files_s3_access_key_id", self.files_s3_access_key_id),
                    ("files_s3_secret_access_key", self.files_s3_secret_access_key.get_secret_value()),
                )
                if not value.strip()
            ]
            if missing:
                raise ValueError(f"PRINTBRIDGE_FILES_STORAGE=s3 needs {', '.join(missing)} set as well")
        return self
