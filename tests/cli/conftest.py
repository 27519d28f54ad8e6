"""The CLI tests run commands in this process (typer's CliRunner). A command configures logging for a
terminal; with structlog's logger cache on, the loggers it builds would keep that configuration, and later
tests that capture logs (`structlog.testing.capture_logs`) would see nothing."""

import functools

import pytest

from printbridge import cli
from printbridge_shared.logging import configure_logging


@pytest.fixture(autouse=True)
def uncached_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "configure_logging", functools.partial(configure_logging, cache=False))
