"""`printbridge`: run the suite, run one service, migrate, and the operators' chores."""

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

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
T = TypeVar("T")


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
    from printbridge.openapi import merged_openapi_document

    typer.echo(json.dumps(merged_openapi_document(), indent=2))


operator_app = typer.Typer(help="Producer staff accounts.", no_args_is_help=True)
api_key_app = typer.Typer(help="Operator API keys for integrations.", no_args_is_help=True)
app.add_typer(operator_app, name="operator")
app.add_typer(api_key_app, name="api-key")


def _read_password() -> str:
    """From stdin when it is piped (scripts, CI), otherwise a hidden prompt asked twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


async def _in_storefront_auth(work: Callable[[Any, Any], Awaitable[T]]) -> T:
    """Runs `work(session, outbox)` in one transaction of storefront-auth's database (migrated first)."""
    from printbridge_shared.db import Database
    from printbridge_shared.events.outbox import Outbox
    from storefront_auth.models import messaging

    url = settings_for("storefront-auth").resolved_database_url()
    await upgrade(migrations_dir("storefront-auth"), url)
    db = Database(url)
    try:
        async with db.sessionmaker() as session, session.begin():
            return await work(session, Outbox(messaging.outbox, "storefront-auth"))
    finally:
        await db.dispose()


def _run_chore(work: Callable[[Any, Any], Awaitable[T]]) -> T:
    from sqlalchemy.exc import DBAPIError

    from printbridge_shared.db import safe_url
    from printbridge_shared.errors import AppError

    try:
        return asyncio.run(_in_storefront_auth(work))
    except AppError as error:
        typer.echo(f"error: {error.detail}", err=True)
    except (DBAPIError, OSError) as error:
        url = safe_url(settings_for("storefront-auth").resolved_database_url())
        reason = str(getattr(error, "orig", error)).splitlines()[0]
        typer.echo(
            f"error: storefront-auth's database {url} cannot be used ({reason}); "
            "check PRINTBRIDGE_STOREFRONT_AUTH_DATABASE_URL (run-dist creates the databases on first start)",
            err=True,
        )
    raise typer.Exit(1)


@operator_app.command("create")
def operator_create(
    email: Annotated[str, typer.Argument(help="The operator's e-mail (the login name).")],
) -> None:
    """Create an operator (producer staff). The password comes from stdin or a prompt."""
    from storefront_auth.operator.service import create_operator

    _logging()
    password = _read_password()
    operator = _run_chore(lambda session, _outbox: create_operator(session, email=email, password=password))
    typer.echo(f"operator {operator.email} created ({operator.id})")


@api_key_app.command("create")
def api_key_create(name: Annotated[str, typer.Argument(help="What the key is for, e.g. 'ERP'.")]) -> None:
    """Create an operator API key and print it once (only its hash is stored)."""
    from storefront_auth.api_key.service import create_api_key

    _logging()
    record, key = _run_chore(lambda session, outbox: create_api_key(session, outbox, name=name))
    typer.echo(f"API key '{record.name}' created ({record.id}); it is shown only now:", err=True)
    typer.echo(key)


@app.command("gateway-config")
def gateway_config(
    out: Annotated[Path | None, typer.Option(help="Write nginx.conf here instead of stdout.")] = None,
    site_dir: Annotated[
        Path | None,
        typer.Option(help="Where nginx finds openapi.json, docs.html, assets/ and keeps pid and temp files."),
    ] = None,
    write_site: Annotated[
        bool,
        typer.Option(
            "--write-site",
            help="Also write openapi.json, docs.html and a copy of the Swagger UI assets into --site-dir "
            "(for a gateway host or container without the Python package).",
        ),
    ] = False,
) -> None:
    """Render the distributed gateway's nginx.conf from the route table and PRINTBRIDGE_* settings."""
    from printbridge import nginx
    from printbridge.distributed import SupervisorError, placements, read_environ, upstreams_of

    settings = GatewaySettings()
    site = (site_dir or settings.data_dir / "nginx").absolute()
    try:
        upstreams = upstreams_of(placements(read_environ()))
        rendered = nginx.render_nginx_conf(settings, site, upstreams)
    except (SupervisorError, nginx.GatewayConfigError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    if write_site:
        conf = nginx.write_site(site, settings, upstreams, nginx.merged_openapi_document(), copy_assets=True)
        if out is not None:
            out.write_text(rendered, encoding="utf-8")
        typer.echo(f"gateway site written to {site}; run: {' '.join(nginx.nginx_command('nginx', conf))}")
        return
    if out is None:
        typer.echo(rendered, nl=False)
    else:
        out.write_text(rendered, encoding="utf-8")


@app.command("run-dist")
def run_dist() -> None:
    """Distributed mode on one machine: a process per service, PostgreSQL, RabbitMQ, nginx in front."""
    from printbridge.distributed import DistributedSettings, run_distributed

    settings = DistributedSettings()
    configure_logging(settings.log_level, json=settings.log_json)
    raise typer.Exit(run_distributed(settings))


@app.command("create-databases")
def create_databases() -> None:
    """Create each service's PostgreSQL database where missing (run-dist does this itself)."""
    from printbridge.distributed import DistributedSettings, SupervisorError
    from printbridge.distributed import create_databases as create
    from printbridge_shared.db import safe_url

    settings = DistributedSettings()
    configure_logging(settings.log_level, json=settings.log_json)
    try:
        urls = create(settings)
    except SupervisorError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    for name, url in urls.items():
        typer.echo(f"{name}: {safe_url(url)}")
