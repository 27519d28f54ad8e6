from typing import ClassVar

from pydantic import Field, SecretStr

from printbridge_shared.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: ClassVar[str] = "orders"

    database_url: str | None = Field(None, validation_alias="PRINTBRIDGE_ORDERS_DATABASE_URL")
    allow_private_urls: bool = Field(
        False,
        description="Let print files that come with orders be fetched from loopback and private addresses "
        "and plain http:// (tests, the local sandbox, files on a LAN). Off in production.",
    )
    design_file_recheck_interval_s: float = Field(
        3600.0, gt=0, description="How often print files whose check failed are checked again."
    )
    resolution_sweep_interval_s: float = Field(
        300.0,
        gt=0,
        description="How often orders left `received` for over a minute are resolved again (a resolution "
        "that failed, a check or a catalog product that never came).",
    )
    postback_timeout_s: float = Field(
        10.0,
        gt=0,
        le=120,
        description="How long one postback attempt may take (connect, send, answer) before it counts as "
        "failed and is retried.",
    )
    secret_keys: SecretStr | None = Field(
        None,
        description="Comma-separated Fernet keys (the suite's PRINTBRIDGE_SECRET_KEYS): the first seals "
        "postback endpoints' signing secrets, all open them. Unset: <data_dir>/secret_keys.",
    )
