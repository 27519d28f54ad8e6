"""`printbridge`: run the suite, run one service, migrate, and the operators' chores."""

import asyncio
import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pydantic
import typer
import uvicorn
from pydantic_settings import BaseSettings

from printbridge import suite
from printbridge.config import GatewaySettings, Mode
from printbridge.services import (
    SERVICE_NAMES,
    create_service_app,
    messaging_tables_of,
    migrations_dir,
    settings_for,
)
from printbridge_shared.config import forwarding_options
from printbridge_shared.events.retry import RetryPolicy
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
SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def _settings(kind: type[SettingsT]) -> SettingsT:
    """The settings from the environment and .env; a bad value exits 2 naming the setting, not a traceback."""
    try:
        return kind()
    except pydantic.ValidationError as error:
        for problem in error.errors():
            name = "PRINTBRIDGE_" + "_".join(str(part) for part in problem["loc"]).upper()
            typer.echo(f"error: {name} {problem['msg'][0].lower()}{problem['msg'][1:]}", err=True)
        raise typer.Exit(2) from None


def _logging() -> GatewaySettings:
    settings = _settings(GatewaySettings)
    configure_logging(settings.log_level, json=settings.log_json)
    return settings


@app.command()
def run() -> None:
    """Embedded mode: the whole suite in one process on PRINTBRIDGE_PORT (SQLite under var/)."""
    from printbridge.embedded import build_embedded

    settings = _logging()
    with _suite_running(settings, Mode.embedded):
        uvicorn.run(
            build_embedded(settings),
            host=settings.host,
            port=settings.port,
            **forwarding_options(settings.trusted_proxies),
            log_config=None,
            access_log=False,
            server_header=False,
        )


@contextlib.contextmanager
def _suite_running(settings: GatewaySettings, mode: Mode) -> Iterator[None]:
    """Records the suite in its data directory while it runs (see printbridge/suite.py); exit 1 when
    PRINTBRIDGE_MODE names the other mode or a suite already runs from the directory."""
    try:
        with suite.running(settings, mode):
            yield
    except suite.ModeError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


def _database_url(service: str) -> str:
    """The service's database in the suite the commands act on; exit 1 naming the setting when unclear."""
    try:
        return suite.database_url(service)
    except suite.ModeError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


# How long uvicorn waits for a `serve --workers N` worker to answer its health check.
WORKER_HEALTHCHECK_SECONDS = 60


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
    os.environ[suite.database_setting(service)] = _database_url(service)
    os.environ[SERVE_ENV] = service
    uvicorn.run(
        "printbridge.cli:service_app_from_env",
        factory=True,
        host=host,
        port=port or SERVICES_BY_NAME[service].port,
        workers=workers,
        # A worker answers uvicorn's health check only once it has imported the service; on a busy machine
        # that takes longer than uvicorn's 5 s, and the worker was killed and started again without end.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        **forwarding_options(settings_for(service).trusted_proxies),
        log_config=None,
        access_log=False,
        server_header=False,
    )


@app.command()
def migrate(
    services: Annotated[list[str] | None, typer.Argument(help="Default: every service.")] = None,
) -> None:
    """Apply every service's database migrations (start-up does this too). With PRINTBRIDGE_AMQP_URL set
    (distributed mode), also declare every consumer group's queues and bindings on RabbitMQ."""
    _logging()
    for name in services or SERVICE_NAMES:
        url = _database_url(name)
        asyncio.run(upgrade(migrations_dir(name), url))
        typer.echo(f"{name}: migrated")
    settings = settings_for(SERVICE_NAMES[0])
    if "amqp_url" in settings.model_fields_set:
        _declare_event_topology(settings.amqp_url, settings.event_retry_policy())


def _declare_event_topology(amqp_url: str, retry: RetryPolicy) -> None:
    from printbridge_shared.db import safe_url
    from printbridge_shared.events import topology
    from printbridge_shared.events.rabbitmq import declare_topology

    try:
        asyncio.run(declare_topology(amqp_url, retry=retry, groups=topology.CONSUMER_GROUPS))
    except Exception as error:
        typer.echo(
            f"error: RabbitMQ at {safe_url(amqp_url)} cannot be used ({type(error).__name__}: {error}); "
            "check PRINTBRIDGE_AMQP_URL",
            err=True,
        )
        raise typer.Exit(1) from None
    groups = ", ".join(group.name for group in topology.CONSUMER_GROUPS)
    typer.echo(f"event topology declared on {safe_url(amqp_url)}: {groups}")


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


async def _in_storefront_auth(url: str, work: Callable[[Any, Any], Awaitable[T]]) -> T:
    """Runs `work(session, outbox)` in one transaction of storefront-auth's database (migrated first)."""
    from printbridge_shared.db import Database
    from printbridge_shared.events.outbox import Outbox
    from storefront_auth.models import messaging

    await upgrade(migrations_dir("storefront-auth"), url)
    db = Database(url)
    try:
        async with db.sessionmaker() as session, session.begin():
            return await work(session, Outbox(messaging.outbox, "storefront-auth"))
    finally:
        await db.dispose()


def _run_chore(work: Callable[[Any, Any], Awaitable[T]]) -> T:
    from sqlalchemy.exc import DBAPIError

    from printbridge_shared.errors import AppError

    database_url = _database_url("storefront-auth")
    try:
        return asyncio.run(_in_storefront_auth(database_url, work))
    except AppError as error:
        typer.echo(f"error: {error.detail}", err=True)
    except (DBAPIError, OSError) as error:
        reason = suite.unusable_database("storefront-auth", database_url, error)
        typer.echo(f"error: {reason} (run-dist creates the databases on first start)", err=True)
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


dead_letters_app = typer.Typer(
    help="Events a consumer group gave up on: list them, hand them back to the consumer.",
    no_args_is_help=True,
)
app.add_typer(dead_letters_app, name="dead-letters")


class DeadLetterBus(StrEnum):
    embedded = "embedded"
    rabbitmq = "rabbitmq"


BusOption = Annotated[
    DeadLetterBus,
    typer.Option(
        "--bus",
        help="Where the dead letters are: 'embedded' (the services' dead_letters tables, `printbridge run`) "
        "or 'rabbitmq' (the <group>.dead queues on PRINTBRIDGE_AMQP_URL, run-dist).",
    ),
]
ServiceOption = Annotated[
    str | None, typer.Option("--service", help="Only this service's consumer groups. Default: all.")
]
GroupOption = Annotated[
    list[str] | None,
    typer.Option(
        "--group",
        help="Only this consumer group (repeatable). With --bus rabbitmq it names the group's queues "
        "directly, also a group no service's topology lists.",
    ),
]


def _services_of_option(service: str | None) -> list[str]:
    """The services --service names (exit 2 with the valid choices for an unknown one), default all."""
    if service is not None and service not in SERVICES_BY_NAME:
        raise typer.BadParameter(
            f"unknown service {service!r}; choose one of {', '.join(SERVICE_NAMES)}", param_hint="'--service'"
        )
    return [service] if service else list(SERVICE_NAMES)


def _dead_letter_work(work: Coroutine[Any, Any, T]) -> T:
    from printbridge.dead_letters import DeadLetterError

    try:
        return asyncio.run(work)
    except DeadLetterError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


@dead_letters_app.command("list")
def dead_letters_list(
    service: ServiceOption = None,
    group: GroupOption = None,
    bus: BusOption = DeadLetterBus.embedded,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array instead of the table.")] = False,
) -> None:
    """Show the dead letters (where, event type, event id, attempts, failed at, reason); nothing moves."""
    from printbridge import dead_letters as dl

    services = _services_of_option(service)
    _logging()
    if bus is DeadLetterBus.embedded:
        found = _dead_letter_work(dl.list_embedded(services, group))
    else:
        url = settings_for(services[0]).amqp_url
        found = _dead_letter_work(dl.list_rabbitmq(url, dl.rabbitmq_groups(services, group)))
    typer.echo(dl.render_json(found) if as_json else "\n".join(dl.render_list(found)))
    for warning in dl.delivery_limit_warnings(found):
        typer.echo(f"warning: {warning}", err=True)


@dead_letters_app.command("replay")
def dead_letters_replay(
    event_id: Annotated[
        list[str] | None, typer.Option("--event-id", help="Replay this event's dead letters (repeatable).")
    ] = None,
    replay_all: Annotated[
        bool, typer.Option("--all", help="Replay every dead letter (of --service / --group when given).")
    ] = False,
    service: ServiceOption = None,
    group: GroupOption = None,
    bus: BusOption = DeadLetterBus.embedded,
) -> None:
    """Hand dead letters back to their consumer group; exit 1 if one failed or an --event-id is unknown.

    Embedded: each is handled now by the group's consumer, through its inbox, and its row removed in the
    same transaction; a failure keeps the row. RabbitMQ: each moves from <group>.dead back into <group>,
    where the running service handles it, starting again at attempt 1."""
    from printbridge import dead_letters as dl

    if replay_all == bool(event_id):
        raise typer.BadParameter(
            "give --all or at least one --event-id (not both)", param_hint="'--event-id' / '--all'"
        )
    services = _services_of_option(service)
    _logging()
    ids = None if replay_all else [dl.normalize_event_id(e) for e in event_id or []]
    if bus is DeadLetterBus.embedded:
        report = _dead_letter_work(dl.replay_embedded(services, ids, group))
    else:
        url = settings_for(services[0]).amqp_url
        report = _dead_letter_work(dl.replay_rabbitmq(url, dl.rabbitmq_groups(services, group), ids))
    typer.echo("\n".join(dl.render_replay(report)))
    if not report.ok:
        raise typer.Exit(1)


secrets_app = typer.Typer(
    help="The keys that encrypt shop credentials and postback secrets at rest.", no_args_is_help=True
)
app.add_typer(secrets_app, name="secrets")


@secrets_app.command("rotate")
def secrets_rotate() -> None:
    """Re-encrypt every stored shop credential and postback endpoint secret with the first key of
    PRINTBRIDGE_SECRET_KEYS (put the new key first, run this, then drop the old key). Without the setting a
    new key is added to <data_dir>/secret_keys first. Run it while the suite is stopped or running: one
    transaction per service (a run that stopped half-way is simply run again)."""
    from sqlalchemy.exc import DBAPIError

    from connectors.credentials import CredentialsUnreadable
    from connectors.rotation import rotate

    _logging()
    url = _database_url("connectors")
    settings = _settings_with_database("connectors", url)
    try:
        count = asyncio.run(rotate(settings))
    except (CredentialsUnreadable, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    except (DBAPIError, OSError) as error:
        typer.echo(f"error: {suite.unusable_database('connectors', url, error)}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"connectors: {count} credentials re-encrypted with the first key")
    _reseal_postback_secrets()


def _reseal_postback_secrets() -> None:
    """orders' postback endpoint secrets, sealed with the same keys (after connectors, which adds the new
    key to the key file when the setting is unset)."""
    from sqlalchemy.exc import DBAPIError

    from orders.postbacks.rotation import reseal_secrets
    from orders.postbacks.secrets import SecretUnreadable
    from printbridge_shared.db import sqlite_file_missing

    url = _database_url("orders")
    if sqlite_file_missing(url):
        typer.echo("orders: no database yet, no postback secrets to re-encrypt")
        return
    try:
        count = asyncio.run(reseal_secrets(_settings_with_database("orders", url)))
    except (SecretUnreadable, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    except (DBAPIError, OSError) as error:
        typer.echo(f"error: {suite.unusable_database('orders', url, error)}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"orders: {count} postback secrets re-encrypted with the first key")


def _settings_with_database(service: str, url: str) -> Any:
    try:
        return settings_for(service, database_url=url)
    except pydantic.ValidationError as error:
        for problem in error.errors():
            typer.echo(
                f"error: PRINTBRIDGE_{'_'.join(map(str, problem['loc'])).upper()} {problem['msg']}", err=True
            )
        raise typer.Exit(2) from None


events_app = typer.Typer(help="The services' outboxes: publish retained events again.", no_args_is_help=True)
app.add_typer(events_app, name="events")


def _since(value: str | None) -> dt.datetime | None:
    """An ISO 8601 date or time; without a zone it is UTC."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is no ISO 8601 date or time; write e.g. 2026-11-30 or 2026-11-30T08:00:00+01:00",
            param_hint="'--since'",
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


@events_app.command("republish")
def events_republish(
    service: Annotated[str, typer.Option("--service", help=f"Whose outbox: {', '.join(SERVICE_NAMES)}.")],
    event_type: Annotated[
        str | None, typer.Option("--type", help="Only events of this type, e.g. customer.created.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only events that happened at or after this ISO 8601 time.")
    ] = None,
) -> None:
    """Publish the service's retained events again (kept PRINTBRIDGE_OUTBOX_RETENTION_DAYS), so a new
    consumer can build its state from scratch. The rows are marked unsent and the service's relay sends
    them in their order (at its next start, if it is not running); consumers skip what they handled."""
    from sqlalchemy.exc import DBAPIError

    from printbridge_shared.db import Database, safe_url, sqlite_file_missing
    from printbridge_shared.events.contracts import CONTRACTS
    from printbridge_shared.events.outbox import mark_for_republishing

    _services_of_option(service)
    known_types = sorted({name for name, _version in CONTRACTS})
    if event_type is not None and event_type not in known_types:
        raise typer.BadParameter(
            f"unknown event type {event_type!r}; choose one of {', '.join(known_types)}",
            param_hint="'--type'",
        )
    moment = _since(since)
    _logging()
    url = _database_url(service)
    if sqlite_file_missing(url):
        setting = suite.database_setting(service)
        typer.echo(f"error: {service} has no database at {safe_url(url)} yet; check {setting}", err=True)
        raise typer.Exit(1)

    async def mark() -> int:
        db = Database(url)
        try:
            return await mark_for_republishing(
                db, messaging_tables_of(service).outbox, event_type=event_type, since=moment
            )
        finally:
            await db.dispose()

    try:
        marked = asyncio.run(mark())
    except (DBAPIError, OSError) as error:
        typer.echo(f"error: {suite.unusable_database(service, url, error)}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{service}: {marked} events will be published again by the service's relay")


orders_app = typer.Typer(
    help="Orders: import a CSV file of orders into a manual store.", no_args_is_help=True
)
app.add_typer(orders_app, name="orders")


@orders_app.command("import")
def orders_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The CSV file.")],
    store: Annotated[str, typer.Option("--store", help="The manual store's id.")],
) -> None:
    """Import a CSV file of orders (docs/orders-import.md) into a manual store, with a progress bar; prints
    the summary and the first errors. Exit 1 when rows failed or the file was refused."""
    import uuid

    from sqlalchemy.exc import DBAPIError

    from printbridge.order_import import import_file, summary
    from printbridge_shared.errors import AppError

    try:
        store_id = uuid.UUID(store)
    except ValueError:
        raise typer.BadParameter(f"{store!r} is not a store id (a UUID)", param_hint="'--store'") from None
    _logging()
    url = _database_url("orders")
    try:
        result = asyncio.run(import_file(url, store_id, file, show_progress=sys.stderr.isatty()))
    except AppError as error:
        typer.echo(f"error: {error.detail}", err=True)
        raise typer.Exit(1) from None
    except (DBAPIError, OSError) as error:
        typer.echo(f"error: {suite.unusable_database('orders', url, error)}", err=True)
        raise typer.Exit(1) from None
    typer.echo("\n".join(summary(result)))
    if result.rows_failed:
        raise typer.Exit(1)


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
    from printbridge.openapi import merged_openapi_document

    settings = _settings(GatewaySettings)
    site = (site_dir or settings.data_dir / "nginx").absolute()
    try:
        upstreams = upstreams_of(placements(read_environ()))
        rendered = nginx.render_nginx_conf(settings, site, upstreams)
    except (SupervisorError, nginx.GatewayConfigError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    if write_site:
        conf = nginx.write_site(site, settings, upstreams, merged_openapi_document(), copy_assets=True)
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

    settings = _settings(DistributedSettings)
    configure_logging(settings.log_level, json=settings.log_json)
    with _suite_running(settings, Mode.distributed):
        code = run_distributed(settings)
    raise typer.Exit(code)


@app.command("create-databases")
def create_databases() -> None:
    """Create each service's PostgreSQL database where missing (run-dist does this itself)."""
    from printbridge.distributed import DistributedSettings, SupervisorError
    from printbridge.distributed import create_databases as create
    from printbridge_shared.db import safe_url

    settings = _settings(DistributedSettings)
    configure_logging(settings.log_level, json=settings.log_json)
    try:
        urls = create(settings)
    except SupervisorError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    for name, url in urls.items():
        typer.echo(f"{name}: {safe_url(url)}")
