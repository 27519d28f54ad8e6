"""The README lists every PRINTBRIDGE_ setting: a setting added without a row fails here."""

from pathlib import Path

import pytest

from printbridge.settings_index import env_names, settings_classes

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


@pytest.mark.parametrize("settings_class", settings_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_setting_has_a_row_in_the_readme(settings_class):
    missing = sorted(
        name for name in env_names(settings_class) if f"`{name}`" not in README and name not in README
    )
    assert not missing, f"add these to the README's configuration table: {missing}"
