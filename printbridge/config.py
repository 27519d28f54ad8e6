from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from printbridge_shared.config import TrustedProxies


class GatewaySettings(BaseSettings):
    """Settings of the gateway (embedded dispatcher or rendered nginx) and the runners."""

    model_config = SettingsConfigDict(env_prefix="PRINTBRIDGE_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("var")
    cors_origins: list[str] = Field(default_factory=list, description="Origins the SPA is served from.")
    rate_limit_per_second: float = Field(100.0, description="Per client address; 0 switches it off.")
    rate_limit_burst: int = 200
    max_body_bytes: int = 1_048_576
    access_log: bool = True
    log_level: str = "INFO"
    log_json: bool = True
    trusted_proxies: TrustedProxies = Field(
        "",
        description="Who may tell the embedded gateway (`printbridge run`) the client's address in "
        "X-Forwarded-For: none by default, since it is the edge; set a TLS proxy in front of it here.",
    )
