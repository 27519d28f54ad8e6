"""deploy/compose.yaml and its settings file, checked as configuration (no Docker engine here): every
setting reaches every Printbridge container through printbridge.env, data lives in named volumes,
everything long-running has a health check, and the gateway finds recreated containers by name."""

import asyncio
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from dotenv import dotenv_values

from printbridge.config import GatewaySettings
from printbridge.distributed import DistributedSettings, placements, upstreams_of
from printbridge.nginx import CONF_NAME, nginx_command, write_site
from printbridge.services import SERVICE_NAMES, settings_for
from printbridge.settings_index import every_setting
from printbridge_shared.routes import SERVICES
from printbridge_shared.testing import eventually

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ENV_FILE = "printbridge.env"
NGINX = "/usr/sbin/nginx"
SETTING_LINE = re.compile(r"^#?\s*(PRINTBRIDGE_[A-Z0-9_]+)=", re.MULTILINE)
PRINTBRIDGE_CONTAINERS = ("init", *SERVICE_NAMES)


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def settings_file() -> dict[str, str]:
    values = dotenv_values(DEPLOY / ENV_FILE)
    return {name: value for name, value in values.items() if value is not None}


@pytest.mark.parametrize("path", [ENV_FILE, "env.example"])
def test_every_setting_the_code_reads_is_in_the_settings_files(path: str) -> None:
    """Given a value, or commented out with its default; run-dist's env.example and compose's file alike."""
    listed = set(SETTING_LINE.findall((DEPLOY / path).read_text(encoding="utf-8")))
    missing = every_setting() - listed
    assert not missing, f"add these to deploy/{path}: {sorted(missing)}"
    assert not listed - every_setting(), f"no code reads these: {sorted(listed - every_setting())}"


def test_there_is_a_container_for_each_service_of_the_route_table() -> None:
    assert set(services()) == {"postgres", "rabbitmq", "init", *SERVICE_NAMES, "gateway"}


@pytest.mark.parametrize("name", PRINTBRIDGE_CONTAINERS)
def test_every_printbridge_container_gets_every_setting_from_the_settings_file(name: str) -> None:
    service = services()[name]
    assert service["env_file"] == ENV_FILE
    assert "environment" not in service, "settings belong in printbridge.env, where they are documented"


@pytest.fixture
def container_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    for name in list(os.environ):
        if name.startswith("PRINTBRIDGE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    for name, value in settings_file().items():
        monkeypatch.setenv(name, value)
    return settings_file()


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_the_settings_file_is_valid_settings_of_every_service(
    container_environment: dict[str, str], service: str
) -> None:
    settings = settings_for(service)
    host = urlsplit(settings.database_url).hostname
    assert host == "postgres" and host in services()
    assert urlsplit(settings.amqp_url).hostname == "rabbitmq"
    assert urlsplit(settings.storefront_auth_url).hostname == "storefront-auth"
    assert str(settings.data_dir) == "/var/lib/printbridge"


def test_the_settings_file_is_valid_settings_of_the_gateway_and_init(
    container_environment: dict[str, str],
) -> None:
    assert GatewaySettings().gateway_resolver == "127.0.0.11", "Docker's DNS, asked again every 10 s"
    assert urlsplit(DistributedSettings().postgres_url).hostname == "postgres"


def test_the_passwords_of_the_servers_are_the_ones_in_the_urls() -> None:
    values = settings_file()
    database_urls = [values["PRINTBRIDGE_POSTGRES_URL"]] + [
        values[s.env_prefix + "DATABASE_URL"] for s in SERVICES
    ]
    for url in database_urls:
        assert (urlsplit(url).username, urlsplit(url).password) == ("postgres", values["POSTGRES_PASSWORD"])
    amqp = urlsplit(values["PRINTBRIDGE_AMQP_URL"])
    assert (amqp.username, amqp.password) == (
        values["RABBITMQ_DEFAULT_USER"],
        values["RABBITMQ_DEFAULT_PASS"],
    )
    for server in ("postgres", "rabbitmq"):
        assert services()[server]["env_file"] == ENV_FILE


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_each_service_listens_where_the_route_table_and_the_gateway_say(service: Any) -> None:
    container = services()[service.name]
    assert container["command"] == [
        "printbridge", "serve", service.name, "--host", "0.0.0.0", "--port", str(service.port)
    ]  # fmt: skip
    assert settings_file()[service.env_prefix + "UPSTREAM"] == f"{service.name}:{service.port}"
    check = " ".join(container["healthcheck"]["test"])
    assert f"http://127.0.0.1:{service.port}/readyz" in check


def test_data_lives_in_named_volumes() -> None:
    declared = set(compose()["volumes"])

    def mounts(name: str) -> dict[str, str]:
        volumes = (v.split(":") for v in services()[name].get("volumes", []))
        return {target: source for source, target in volumes}

    assert mounts("postgres")["/var/lib/postgresql/data"] == "postgres-data"
    assert mounts("rabbitmq")["/var/lib/rabbitmq"] == "rabbitmq-data"
    data_dir = settings_file()["PRINTBRIDGE_DATA_DIR"]
    for name in PRINTBRIDGE_CONTAINERS:
        assert mounts(name)[data_dir] == "printbridge-data", f"{name}: design files and the key file"
    for name in services():
        assert set(mounts(name).values()) <= declared, f"{name} mounts a volume that is not declared"


def test_every_long_running_container_has_a_health_check_and_restarts() -> None:
    for name, service in services().items():
        if name == "init":
            continue
        assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
        assert service["restart"] == "unless-stopped", name


def test_the_gateway_serves_the_site_init_renders_without_waiting_for_the_services() -> None:
    gateway, init = services()["gateway"], services()["init"]
    site = "/srv/printbridge/gateway"
    assert f"gateway-config --write-site --site-dir {site}" in init["command"][-1]
    assert gateway["command"] == ["nginx", "-p", site, "-c", f"{site}/nginx.conf", "-e", "stderr"]
    assert f"gateway-site:{site}" in gateway["volumes"] and f"gateway-site:{site}" in init["volumes"]
    conditions = {name: d["condition"] for name, d in gateway["depends_on"].items()}
    assert conditions.pop("init") == "service_completed_successfully"
    assert set(conditions.values()) == {"service_started"}, "it resolves the services when requests come"
    port = settings_file()["PRINTBRIDGE_PORT"]
    assert gateway["ports"] == [f"127.0.0.1:{port}:{port}"]


@pytest.fixture
def gateway_from_settings_file(
    free_port: Callable[[], int], readable_dir: Callable[[], Path]
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """nginx with the configuration `init` renders from printbridge.env, on a free port of this machine."""
    values = settings_file()
    port = free_port()
    settings = GatewaySettings(
        **{
            name.removeprefix("PRINTBRIDGE_").lower(): value
            for name, value in values.items()
            if name.removeprefix("PRINTBRIDGE_").lower() in GatewaySettings.model_fields
        }
        | {"host": "127.0.0.1", "port": port}
    )
    conf = write_site(
        readable_dir() / "site", settings, upstreams_of(placements(values)), {"openapi": "3.1.0", "paths": {}}
    )
    assert conf.name == CONF_NAME
    process = subprocess.Popen(nginx_command(NGINX, conf), stderr=subprocess.PIPE)
    try:
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def health_check(port: int) -> subprocess.CompletedProcess[str]:
    """The gateway container's health check, against `port` instead of the container's 8000."""
    command = services()["gateway"]["healthcheck"]["test"]
    assert command[0] == "CMD"
    port_in_container = settings_file()["PRINTBRIDGE_PORT"]
    script = command[-1].replace(f"/{port_in_container} ", f"/{port} ")
    return subprocess.run([*command[1:-1], script], capture_output=True, text=True, timeout=10)


async def test_the_gateway_health_check_passes_on_the_rendered_gateway_and_fails_without_it(
    gateway_from_settings_file: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, process = gateway_from_settings_file

    async def passes() -> bool:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else "nginx exited"
        return (await asyncio.to_thread(health_check, port)).returncode == 0

    await eventually(passes)
    process.terminate()
    await asyncio.to_thread(process.wait, 10)
    assert (await asyncio.to_thread(health_check, port)).returncode != 0
