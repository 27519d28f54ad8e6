"""The CLI tests run commands in this process (typer's CliRunner). A command configures logging for a
terminal; with structlog's logger cache on, the loggers it builds would keep that configuration, and later
tests that capture logs (`structlog.testing.capture_logs`) would see nothing."""

import functools
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from printbridge import cli
from printbridge_shared.logging import configure_logging


@pytest.fixture(autouse=True)
def uncached_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "configure_logging", functools.partial(configure_logging, cache=False))


@pytest.fixture
def command_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, str]]:
    """`command_env(**settings)`: the environment of a command run here, its data directory under tmp_path,
    quiet logs, plus `settings`. CliRunner's env only adds to os.environ, so no PRINTBRIDGE_ setting of the
    developer's shell (another service's database URL, the mode) may stay there."""
    for name in [name for name in os.environ if name.startswith("PRINTBRIDGE_")]:
        monkeypatch.delenv(name)

    def env(**settings: str) -> dict[str, str]:
        return {"PRINTBRIDGE_DATA_DIR": str(tmp_path / "var"), "PRINTBRIDGE_LOG_LEVEL": "WARNING", **settings}

    return env
