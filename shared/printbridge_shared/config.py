"""Settings shared by every service. Each service subclasses `ServiceSettings` and adds its own
`PRINTBRIDGE_<SERVICE>_DATABASE_URL`; everything comes from `PRINTBRIDGE_*` variables or `.env`."""

import ipaddress
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from printbridge_shared.db import is_sqlite
from printbridge_shared.events.retry import RetryPolicy

# Jobs a service's runner runs side by side when PRINTBRIDGE_JOBS_CONCURRENCY is unset.
JOBS_CONCURRENCY = 8
SQLITE_JOBS_CONCURRENCY = 4


def _proxy_items(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _proxy_addresses(value: str) -> str:
    for item in _proxy_items(value):
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(
                f"PRINTBRIDGE_TRUSTED_PROXIES: {item!r} is not an IP address or network; give a "
                "comma-separated list such as 127.0.0.1,10.0.0.0/8"
            ) from None
    return value


TrustedProxies = Annotated[str, AfterValidator(_proxy_addresses)]
"""Comma-separated addresses or networks whose X-Forwarded-For the HTTP server believes; empty: none."""


def forwarding_options(trusted_proxies: str) -> dict[str, Any]:
    """uvicorn's options for a server that believes X-Forwarded-For only from `trusted_proxies` (and, when
    that is empty, from nobody: the connection's own address is the client's)."""
    trusted = _proxy_items(trusted_proxies)
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or None}


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
    event_max_attempts: int = Field(5, ge=1, description="Handler attempts before an event is dead-lettered.")
    event_retry_base_s: float = Field(
        1.0, ge=0, description="First retry's wait; each further one doubles it (with jitter)."
    )
    outbox_retention_days: int = Field(
        14,
        ge=1,
        description="Sent outbox rows (and inbox rows) are kept this long, so events can be republished.",
    )
    jobs_idle_s: float = Field(
        5.0,
        gt=0,
        description="How long a job runner waits at most before it looks for jobs again: another "
        "replica's (or process's) new job is found within this; one queued in its own process wakes it "
        "at once.",
    )
    jobs_concurrency: int | None = Field(
        None,
        ge=1,
        description="How many jobs a service's job runner runs side by side. Unset: 8 on PostgreSQL, 4 on "
        "SQLite (whose single writer takes the jobs' transactions in turn; only their I/O overlaps).",
    )
    startup_retry_seconds: float = 60.0
    trusted_proxies: TrustedProxies = Field(
        "127.0.0.1,::1",
        description="Who may tell a service (`printbridge serve`) the client's address in X-Forwarded-For: "
        "the gateway (nginx on loopback). Anyone else's header is ignored.",
    )

    public_url: str = Field(
        "",
        description="Public base URL of Printbridge: links in e-mails and every address given to a platform "
        "(OAuth callbacks, webhooks) start with it. Unset: the gateway on this machine "
        "(http://PRINTBRIDGE_HOST:PRINTBRIDGE_PORT, a wildcard host as 127.0.0.1).",
    )
    host: str = Field("127.0.0.1", description="Address the gateway listens on (the default public_url).")
    port: int = Field(8000, description="Port of the gateway (the default public_url).")

    @model_validator(mode="after")
    def _public_url_defaults_to_the_gateway(self) -> "ServiceSettings":
        if not self.public_url.strip():
            self.public_url = local_url(self.host, self.port)
        self.public_url = self.public_url.rstrip("/")
        return self

    def event_retry_policy(self) -> RetryPolicy:
        return RetryPolicy(max_attempts=self.event_max_attempts, base_s=self.event_retry_base_s)

    def resolved_jobs_concurrency(self) -> int:
        if self.jobs_concurrency is not None:
            return self.jobs_concurrency
        return SQLITE_JOBS_CONCURRENCY if is_sqlite(self.resolved_database_url()) else JOBS_CONCURRENCY

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / (self.service_name.replace('-', '_') + '.db')}"
