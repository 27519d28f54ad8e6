"""Every `PRINTBRIDGE_` setting the code reads, by name: the fields of the gateway's, run-dist's and each
service's settings classes, and run-dist's per-service placement settings. The README's configuration
table, the env files in deploy/ and the Kubernetes ConfigMap and Secret are checked against it."""

from pydantic_settings import BaseSettings

from printbridge.config import GatewaySettings
from printbridge.distributed import DistributedSettings
from printbridge.services import SERVICE_NAMES, settings_for
from printbridge_shared.routes import SERVICES

PLACEMENT_SUFFIXES = ("PORT", "WORKERS", "UPSTREAM")


def env_names(settings_class: type[BaseSettings]) -> set[str]:
    """The environment variables a settings class reads (its fields' aliases, else prefix + name)."""
    prefix = settings_class.model_config.get("env_prefix", "")
    names = set()
    for name, field in settings_class.model_fields.items():
        alias = field.validation_alias
        names.add(alias if isinstance(alias, str) else f"{prefix}{name}".upper())
    return names


def settings_classes() -> list[type[BaseSettings]]:
    return [GatewaySettings, DistributedSettings, *(type(settings_for(name)) for name in SERVICE_NAMES)]


def placement_settings() -> set[str]:
    """`PRINTBRIDGE_<SERVICE>_PORT`, `_WORKERS` and `_UPSTREAM`, read by `distributed.placements`."""
    return {service.env_prefix + suffix for service in SERVICES for suffix in PLACEMENT_SUFFIXES}


def every_setting() -> set[str]:
    return set().union(*(env_names(kind) for kind in settings_classes())) | placement_settings()
