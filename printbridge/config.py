from enum import StrEnum
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from printbridge_shared.config import TrustedProxies


class Mode(StrEnum):
    embedded = "embedded"
    distributed = "distributed"


class GatewaySettings(BaseSettings):
    """Settings of the gateway (embedded dispatcher or rendered nginx) and the runners."""

    model_config = SettingsConfigDict(env_prefix="PRINTBRIDGE_", env_file=".env", extra="ignore")

    mode: Mode | None = Field(
        None,
        description="The suite the printbridge commands act on: embedded (SQLite files under data_dir) or "
        "distributed (PostgreSQL). Unset: the suite that runs from data_dir.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("var")
    cors_origins: list[str] = Field(default_factory=list, description="Origins the SPA is served from.")
    rate_limit_per_second: float = Field(100.0, description="Per client address; 0 switches it off.")
    rate_limit_burst: int = 200
    max_body_bytes: int = 1_048_576
    access_log: bool = True
    gateway_resolver: str = Field(
        "",
        description="DNS servers (comma-separated, e.g. 127.0.0.11 in Docker) the nginx gateway asks for "
        "the upstreams' addresses again every 10 s, so a recreated container or pod is found; empty: "
        "the names are resolved once when nginx starts.",
    )
    log_level: str = "INFO"
    log_json: bool = True
    trusted_proxies: TrustedProxies = Field(
        "",
        description="Who may tell the embedded gateway (`printbridge run`) the client's address in "
        "X-Forwarded-For: none by default, since it is the edge; set a TLS proxy in front of it here.",
    )
