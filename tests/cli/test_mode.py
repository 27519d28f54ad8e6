"""The commands act on the suite that runs (`<data_dir>/suite.json`, written by `printbridge run` and
`run-dist`) or on the one PRINTBRIDGE_MODE names; when neither tells, or they disagree, they refuse
with the setting to set instead of guessing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from printbridge.cli import app
from printbridge.config import GatewaySettings, Mode
from printbridge.suite import ModeError, running, running_suite
from printbridge_shared.testing import free_port

runner = CliRunner()
PASSWORD = "a long enough password\n"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in [k for k in os.environ if k.startswith("PRINTBRIDGE_")]:
        monkeypatch.delenv(name)
    return tmp_path / "var"


def env_of(data_dir: Path, **settings: str) -> dict[str, str]:
    return {"PRINTBRIDGE_DATA_DIR": str(data_dir), "PRINTBRIDGE_LOG_LEVEL": "WARNING", **settings}


def record(data_dir: Path, mode: str, pid: int) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "suite.json").write_text(json.dumps({"mode": mode, "pid": pid}))


def closed_postgres() -> str:
    return f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"


def test_without_a_running_suite_or_a_mode_the_command_refuses_and_names_the_setting(data_dir):
    result = runner.invoke(
        app, ["operator", "create", "staff@example.com"], input=PASSWORD, env=env_of(data_dir)
    )
    assert result.exit_code == 1
    assert "PRINTBRIDGE_MODE=embedded" in result.output and "PRINTBRIDGE_MODE=distributed" in result.output
    assert not (data_dir / "storefront_auth.db").exists(), "nothing is written anywhere"


def test_while_the_distributed_suite_runs_the_command_uses_its_postgresql_database_not_sqlite(data_dir):
    record(data_dir, "distributed", os.getpid())
    postgres = closed_postgres()
    result = runner.invoke(
        app, ["api-key", "create", "ERP"], env=env_of(data_dir, PRINTBRIDGE_POSTGRES_URL=postgres)
    )
    assert result.exit_code == 1
    port = postgres.split(":")[2].split("/")[0]
    assert f"postgresql+asyncpg://postgres@127.0.0.1:{port}/printbridge_storefront_auth" in result.output
    assert not (data_dir / "storefront_auth.db").exists()


def test_while_the_embedded_suite_runs_the_command_uses_its_sqlite_files(data_dir):
    record(data_dir, "embedded", os.getpid())
    result = runner.invoke(
        app, ["operator", "create", "staff@example.com"], input=PASSWORD, env=env_of(data_dir)
    )
    assert result.exit_code == 0, result.output
    assert (data_dir / "storefront_auth.db").exists()


def test_the_mode_setting_decides_when_no_suite_runs(data_dir):
    postgres = closed_postgres()
    result = runner.invoke(
        app,
        ["migrate", "customers"],
        env=env_of(data_dir, PRINTBRIDGE_MODE="distributed", PRINTBRIDGE_POSTGRES_URL=postgres),
    )
    assert result.exit_code != 0
    assert not (data_dir / "customers.db").exists()
    embedded = runner.invoke(app, ["migrate", "customers"], env=env_of(data_dir, PRINTBRIDGE_MODE="embedded"))
    assert embedded.exit_code == 0, embedded.output
    assert (data_dir / "customers.db").exists()


def test_a_mode_that_contradicts_the_running_suite_is_refused(data_dir):
    record(data_dir, "distributed", os.getpid())
    result = runner.invoke(
        app, ["api-key", "create", "ERP"], env=env_of(data_dir, PRINTBRIDGE_MODE="embedded")
    )
    assert result.exit_code == 1
    assert "PRINTBRIDGE_MODE is embedded, but the distributed suite runs" in result.output


def test_the_record_of_a_suite_that_was_killed_counts_as_none(data_dir):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    record(data_dir, "distributed", gone.pid)
    assert running_suite(data_dir) is None
    result = runner.invoke(app, ["api-key", "create", "ERP"], env=env_of(data_dir))
    assert result.exit_code == 1 and "PRINTBRIDGE_MODE" in result.output


def test_serve_without_a_database_url_or_a_mode_refuses_instead_of_using_sqlite(data_dir):
    result = runner.invoke(app, ["serve", "customers"], env=env_of(data_dir))
    assert result.exit_code == 1
    assert "PRINTBRIDGE_MODE" in result.output
    assert not (data_dir / "customers.db").exists()


@pytest.mark.parametrize(("command", "mode"), [("run", "distributed"), ("run-dist", "embedded")])
def test_a_runner_refuses_to_start_the_mode_the_setting_does_not_name(data_dir, command, mode):
    result = runner.invoke(app, [command], env=env_of(data_dir, PRINTBRIDGE_MODE=mode))
    assert result.exit_code == 1
    assert f"PRINTBRIDGE_MODE is {mode}" in result.output


def test_a_running_suite_is_recorded_while_it_runs_and_a_second_one_is_refused(data_dir):
    settings = GatewaySettings(data_dir=data_dir)
    with running(settings, Mode.embedded):
        assert running_suite(data_dir) == (Mode.embedded, os.getpid())
        with (
            pytest.raises(ModeError, match="the embedded suite already runs"),
            running(settings, Mode.distributed),
        ):
            pass
    assert running_suite(data_dir) is None
    assert not (data_dir / "suite.json").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["api-key", "create", "ERP"],
        ["migrate", "customers"],
        ["events", "republish", "--service", "customers"],
    ],
)
def test_a_mode_that_is_neither_embedded_nor_distributed_is_refused_naming_the_setting(data_dir, command):
    result = runner.invoke(app, command, env=env_of(data_dir, PRINTBRIDGE_MODE="both"))
    assert result.exit_code == 2
    assert "PRINTBRIDGE_MODE input should be 'embedded' or 'distributed'" in result.output
    assert not data_dir.exists(), "nothing is written anywhere"


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        '{"mode": "both", "pid": 1}',
        '{"mode": "embedded"}',
        '{"mode": "embedded", "pid": "x"}',
    ],
)
def test_a_damaged_suite_record_counts_as_none_and_the_command_asks_for_the_mode(data_dir, content):
    data_dir.mkdir(parents=True)
    (data_dir / "suite.json").write_text(content)
    assert running_suite(data_dir) is None
    result = runner.invoke(app, ["api-key", "create", "ERP"], env=env_of(data_dir))
    assert result.exit_code == 1 and "PRINTBRIDGE_MODE" in result.output
