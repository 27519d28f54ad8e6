"""Settings shared by every service. Each service subclasses `ServiceSettings` and adds its own
`PRINTBRIDGE_<SERVICE>_DATABASE_URL`; everything comes from `PRINTBRIDGE_*` variables or `.env`."""

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def local_url(host: str, port: int) -> str:
    """Where a server listening on `host`:`port` is reached from this machine (a wildcard address
    means loopback)."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PRINTBRIDGE_", env_file=".env", extra="ignore", populate_by_name=True
    )

    service_name: ClassVar[str] = ""

    data_dir: Path = Field(
        Path("var"), description="Where the embedded mode keeps its SQLite files and mail."
    )
    database_url: str | None = None
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    storefront_auth_url: str = Field(
        "http://127.0.0.1:8102", description="Base URL services use to reach storefront-auth (distributed)."
    )
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = 1_048_576
    api_key_cache_seconds: float = 5.0
    event_max_attempts: int = 5
    event_retry_delay_seconds: float = 1.0
    startup_retry_seconds: float = 60.0

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / (self.service_name.replace('-', '_') + '.db')}"
