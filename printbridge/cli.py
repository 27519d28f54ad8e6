"""`printbridge`: run the suite, run one service, migrate, and the operators' chores."""

import asyncio
import json
import os
from typing import Annotated

import typer
import uvicorn

from printbridge.config import GatewaySettings
from printbridge.services import SERVICE_NAMES, create_service_app, migrations_dir, settings_for
from printbridge_shared.logging import configure_logging
from printbridge_shared.migrations import upgrade
from printbridge_shared.routes import SERVICES_BY_NAME

app = typer.Typer(
    help="Printbridge: order intake for print producers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

SERVE_ENV = "PRINTBRIDGE_SERVE_SERVICE"


def _logging() -> GatewaySettings:
    settings = GatewaySettings()
    configure_logging(settings.log_level, json=settings.log_json)
    return settings


@app.command()
def run() -> None:
    """Embedded mode: the whole suite in one process on PRINTBRIDGE_PORT (SQLite under var/)."""
    from printbridge.embedded import build_embedded

    settings = _logging()
    uvicorn.run(
        build_embedded(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
    )


def service_app_from_env():  # type: ignore[no-untyped-def]
    """uvicorn factory for `serve --workers N`: the service named in PRINTBRIDGE_SERVE_SERVICE."""
    _logging()
    name = os.environ[SERVE_ENV]
    return create_service_app(name, settings_for(name), None)


@app.command()
def serve(
    service: Annotated[str, typer.Argument(help=f"One of: {', '.join(SERVICE_NAMES)}")],
    port: Annotated[
        int | None, typer.Option(help="Defaults to the service's port in the route table.")
    ] = None,
    host: str = "127.0.0.1",
    workers: int = 1,
) -> None:
    """Distributed mode: one service in its own process (PostgreSQL + RabbitMQ from its settings)."""
    if service not in SERVICES_BY_NAME:
        raise typer.BadParameter(f"unknown service {service!r}; choose one of {', '.join(SERVICE_NAMES)}")
    _logging()
    os.environ[SERVE_ENV] = service
    uvicorn.run(
        "printbridge.cli:service_app_from_env",
        factory=True,
        host=host,
        port=port or SERVICES_BY_NAME[service].port,
        workers=workers,
        log_config=None,
        access_log=False,
        server_header=False,
    )


@app.command()
def migrate(
    services: Annotated[list[str] | None, typer.Argument(help="Default: every service.")] = None,
) -> None:
    """Apply every service's database migrations (start-up does this too)."""
    _logging()
    for name in services or SERVICE_NAMES:
        url = settings_for(name).resolved_database_url()
        asyncio.run(upgrade(migrations_dir(name), url))
        typer.echo(f"{name}: migrated")


@app.command()
def openapi() -> None:
    """Print the merged OpenAPI document of all services."""
    from printbridge.openapi import merge_openapi

    documents = {name: create_service_app(name, settings_for(name), None).openapi() for name in SERVICE_NAMES}
    typer.echo(json.dumps(merge_openapi(documents), indent=2))
