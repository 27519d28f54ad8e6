"""The README lists every PRINTBRIDGE_ setting: a setting added without a row fails here."""

from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from printbridge.config import GatewaySettings
from printbridge.distributed import DistributedSettings
from printbridge.services import SERVICE_NAMES, settings_for

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def env_names(settings_class: type[BaseSettings]) -> set[str]:
    prefix = settings_class.model_config.get("env_prefix", "")
    names = set()
    for name, field in settings_class.model_fields.items():
        alias = field.validation_alias
        names.add(alias if isinstance(alias, str) else f"{prefix}{name}".upper())
    return names


SETTINGS_CLASSES = [
    GatewaySettings,
    DistributedSettings,
    *(type(settings_for(name)) for name in SERVICE_NAMES),
]


@pytest.mark.parametrize("settings_class", SETTINGS_CLASSES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_setting_has_a_row_in_the_readme(settings_class):
    missing = sorted(
        name for name in env_names(settings_class) if f"`{name}`" not in README and name not in README
    )
    assert not missing, f"add these to the README's configuration table: {missing}"
