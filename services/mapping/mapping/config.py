from typing import ClassVar

from pydantic import Field

from printbridge_shared.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: ClassVar[str] = "mapping"

    database_url: str | None = Field(None, validation_alias="PRINTBRIDGE_MAPPING_DATABASE_URL")
