"""The operators' chores on the command line: what they print, and how they refuse bad input."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from printbridge.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, command_env: Callable[..., dict[str, str]]) -> dict[str, str]:
    return command_env(PRINTBRIDGE_DATA_DIR=str(tmp_path / "fresh" / "var"), PRINTBRIDGE_MODE="embedded")


def test_operator_create_reads_the_password_from_stdin_on_a_fresh_data_directory(env):
    result = runner.invoke(
        app, ["operator", "create", "Staff@Example.com"], input="a long enough password\n", env=env
    )
    assert result.exit_code == 0, result.output
    assert "operator staff@example.com created" in result.output


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-email", "a long enough password", "e-mail"),
        ("staff@example.com", "short", "12 characters"),
    ],
)
def test_operator_create_refuses_bad_input_with_exit_1(env, email, password, message):
    result = runner.invoke(app, ["operator", "create", email], input=password + "\n", env=env)
    assert result.exit_code == 1
    assert message in result.output


def test_operator_create_refuses_a_second_operator_with_the_same_email(env):
    runner.invoke(app, ["operator", "create", "staff@example.com"], input="a long enough password\n", env=env)
    again = runner.invoke(
        app, ["operator", "create", "STAFF@example.com"], input="another long password\n", env=env
    )
    assert again.exit_code == 1
    assert "already" in again.output


def test_api_key_create_prints_the_key_once_on_the_last_line(env):
    result = runner.invoke(app, ["api-key", "create", "ERP"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("pbk_")


def test_api_key_create_refuses_a_blank_name(env):
    result = runner.invoke(app, ["api-key", "create", "   "], env=env)
    assert result.exit_code == 1


def test_an_unusable_database_is_reported_without_a_traceback(env):
    url = "postgresql+asyncpg://postgres:secret-pw@127.0.0.1:1/nothing"
    result = runner.invoke(
        app, ["api-key", "create", "ERP"], env=env | {"PRINTBRIDGE_STOREFRONT_AUTH_DATABASE_URL": url}
    )
    assert result.exit_code == 1
    assert "PRINTBRIDGE_STOREFRONT_AUTH_DATABASE_URL" in result.output
    assert "secret-pw" not in result.output
    assert "Traceback" not in result.output


def test_serve_refuses_an_unknown_service(env):
    result = runner.invoke(app, ["serve", "billing"], env=env)
    assert result.exit_code == 2
    assert "unknown service" in result.output


def test_gateway_config_writes_a_whole_site_for_a_gateway_without_the_python_package(
    tmp_path: Path, command_env: Callable[..., dict[str, str]]
):
    """What compose's `init` and the Kubernetes gateway's init container run."""
    site = tmp_path / "site"
    result = runner.invoke(
        app,
        ["gateway-config", "--write-site", "--site-dir", str(site)],
        env=command_env(PRINTBRIDGE_CUSTOMERS_UPSTREAM="customers:8101"),
    )
    assert result.exit_code == 0, result.output
    assert "server customers:8101 max_fails=0;" in (site / "nginx.conf").read_text()
    assert json.loads((site / "openapi.json").read_text())["paths"]
    assert (site / "docs.html").is_file()
    assert (site / "assets").is_dir() and not (site / "assets").is_symlink(), "copied, not linked"
