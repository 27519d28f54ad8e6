"""Fixtures every service's tests share (registered in the root conftest.py)."""

import asyncio
import concurrent.futures
import logging
import os
import re
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from printbridge_shared import log_scan
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.retry import RetryPolicy
from printbridge_shared.logging import configure_structlog, line_formatter, quiet_noisy_loggers
from printbridge_shared.testing import AuthKeys, ServiceDatabases, bearer, running


@pytest.fixture(scope="session")
def service_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceDatabases]:
    databases = ServiceDatabases(tmp_path_factory.mktemp("migrated"))
    yield databases
    # A thread of its own: the event loop of the last async test may still be this thread's loop.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, databases.drop()).result()


@pytest.fixture
def service_migrations(request: pytest.FixtureRequest) -> Path:
    """The migrations of the service whose tests these are: a test under `services/<name>/tests/`
    gets `services/<name>/migrations`, the folder the service's app migrates from at start."""
    for folder in request.path.parents:
        if folder.name == "tests" and (folder.parent / "migrations" / "env.py").is_file():
            return folder.parent / "migrations"
    raise pytest.UsageError(
        f"{request.node.nodeid}: `database_url` is for a service's own tests (services/<name>/tests/), "
        "where it knows the service's migrations"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres_only` keep only their PostgreSQL variant of `database_url`: a platform
    world on real sockets proves the platform's protocol, and the service's other tests prove its SQL on
    both databases, so its SQLite twin would only double the run. Then the modules are put in the order
    the workers should start them (`in_schedule_order`)."""
    dropped = [item for item in items if _sqlite_twin_of_postgres_only(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not _sqlite_twin_of_postgres_only(item)]
    items[:] = in_schedule_order(items)


# About how many unit tests' time one test that starts a suite takes (seconds against a quarter second).
E2E_WEIGHT = 40


def in_schedule_order(items: list[pytest.Item]) -> list[pytest.Item]:
    """The modules longest first, each module's tests in their own order. `make test` hands whole
    modules to its workers in this order (`--dist loadfile --no-loadscope-reorder`), so the long ones
    start first and short ones fill the end; pytest-xdist's own order (most tests first) started the
    fault run, one test of minutes, last, and one worker ran it alone while the other had finished.
    A module marked `scheduled_first` comes before all others; one that starts a suite (`e2e`) counts
    each test as E2E_WEIGHT unit tests."""
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::", 1)[0], []).append(item)

    def order(tests: list[pytest.Item]) -> tuple[bool, int]:
        first = any(test.get_closest_marker("scheduled_first") for test in tests)
        cost = sum(E2E_WEIGHT if test.get_closest_marker("e2e") else 1 for test in tests)
        return not first, -cost

    return [item for tests in sorted(modules.values(), key=order) for item in tests]


def _sqlite_twin_of_postgres_only(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return (
        item.get_closest_marker("postgres_only") is not None
        and callspec is not None
        and callspec.params.get("database_url") == "sqlite"
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    service_databases: ServiceDatabases,
    service_migrations: Path,
) -> AsyncIterator[str]:
    """The service's database, already migrated: a SQLite file of this test's own, then the service's
    PostgreSQL test database, emptied (each test runs on both)."""
    if request.param == "sqlite":
        yield await service_databases.sqlite(service_migrations, tmp_path / "service.db")
    else:
        yield await service_databases.postgres(service_migrations)


@pytest.fixture
def auth() -> AuthKeys:
    return AuthKeys()


@pytest.fixture
def bus() -> InProcessBus:
    return InProcessBus(retry=RetryPolicy(max_attempts=2, base_s=0.01))


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The service's `app` fixture (each service's conftest.py builds its own), started, as a client."""
    async with running(app) as client:
        yield client


@pytest.fixture
def operator(auth: AuthKeys) -> dict[str, str]:
    """An operator's headers, signed by `auth` (storefront-auth's tests log a real operator in instead)."""
    return bearer(auth.operator_token())


# The log scan: every line logged in this process (structlog's and other libraries', at INFO as a suite
# runs by default) is rendered as Printbridge writes it and checked for secrets after each test; a test
# whose lines hold one errors at teardown, naming the line and where it was logged.

SECRET_NAMES = re.compile(r"(?:^|_)(?:PASSWORD|PASSPHRASE|SECRET|TOKEN|API_KEY)$")


class LogLines:
    """Keeps every log record this process makes (a record factory, so it survives tests that replace the
    root logger's handlers) until the next check takes them."""

    def __init__(self) -> None:
        self._records: list[logging.LogRecord] = []
        self._lock = threading.Lock()
        self._make = logging.getLogRecordFactory()
        self._formatter = line_formatter(json=True)

    def install(self) -> None:
        make = self._make

        def keep(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = make(*args, **kwargs)
            if args and args[0] is not None:  # None: logging.makeLogRecord copying a record to format it
                with self._lock:
                    self._records.append(record)
            return record

        logging.setLogRecordFactory(keep)

    def uninstall(self) -> None:
        logging.setLogRecordFactory(self._make)

    def take(self) -> list[tuple[str, str]]:
        """The lines kept since the last call, rendered, each with where it was logged."""
        with self._lock:
            records, self._records = self._records, []
        return [(f"{r.name} ({r.pathname}:{r.lineno})", self._render(r)) for r in records]

    def _render(self, record: logging.LogRecord) -> str:
        try:
            return self._formatter.format(record)
        except Exception:  # a record whose message cannot be formatted is still checked, as text
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            return " ".join([str(record.msg), *map(_text_of, args)])


def _text_of(value: object) -> str:
    """`repr(value)`, or `str` when the repr itself fails (aio_pika's callbacks, half torn down)."""
    try:
        return repr(value)
    except Exception:
        try:
            return str(value)
        except Exception:
            return f"<{type(value).__name__}>"


class LogFiles:
    """The log files of the suites end-to-end tests start as subprocesses (`*.log` under the run's
    temporary directory): each check reads what was written since the last one."""

    def __init__(self) -> None:
        self._read: dict[Path, int] = {}

    def new_lines(self, root: Path) -> list[tuple[str, str]]:
        lines: list[tuple[str, str]] = []
        for path in sorted(root.rglob("*.log")):
            start = self._read.get(path, 0)
            with path.open("rb") as file:
                file.seek(start)
                written = file.read()
            whole = written[: written.rfind(b"\n") + 1]  # a line still being written is read next time
            self._read[path] = start + len(whole)
            text = whole.decode("utf-8", errors="replace")
            lines += [(f"{path} (after byte {start})", line) for line in text.splitlines()]
        return lines


def _register_test_constants() -> None:
    """The passwords, secrets and tokens test modules and conftests name as constants are known secrets."""
    for module in list(sys.modules.values()):
        path = str(getattr(module, "__file__", None) or "")
        if f"{os.sep}tests{os.sep}" not in path:
            continue
        for name, value in list(vars(module).items()):
            if isinstance(value, str) and SECRET_NAMES.search(name):
                log_scan.KNOWN.add(value.strip())


def pytest_configure(config: pytest.Config) -> None:
    configure_structlog(cache=False)  # capture_logs reconfigures structlog; cached loggers would miss it
    root = logging.getLogger()
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    quiet_noisy_loggers()
    lines = LogLines()
    lines.install()
    config.stash[_LOG_LINES] = lines
    config.stash[_LOG_FILES] = LogFiles()


def pytest_unconfigure(config: pytest.Config) -> None:
    lines = config.stash.get(_LOG_LINES, None)
    if lines is not None:
        lines.uninstall()


def pytest_collection_finish(session: pytest.Session) -> None:
    _register_test_constants()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    result = yield
    lines = item.config.stash[_LOG_LINES].take()
    if item.get_closest_marker("e2e") is not None:
        lines += item.config.stash[_LOG_FILES].new_lines(_basetemp(item.config))
    findings = log_scan.find_secrets(lines, log_scan.KNOWN.values())
    if findings:
        raise AssertionError(
            f"{len(findings)} log line(s) written during {item.nodeid} give a secret away:\n"
            + "\n".join(map(str, findings))
        )
    return result


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Lines logged outside any test (session fixtures' teardown) are checked once at the end."""
    lines = session.config.stash.get(_LOG_LINES, None)
    findings = log_scan.find_secrets(lines.take(), log_scan.KNOWN.values()) if lines else []
    if findings:
        sys.stderr.write("log lines outside any test give a secret away:\n" + "\n".join(map(str, findings)))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _basetemp(config: pytest.Config) -> Path:
    """The run's temporary directory (pytest's tmp_path_factory; its fixture is not at hand in hooks)."""
    factory: pytest.TempPathFactory = config._tmp_path_factory  # type: ignore[attr-defined]
    return factory.getbasetemp()


_LOG_LINES = pytest.StashKey[LogLines]()
_LOG_FILES = pytest.StashKey[LogFiles]()
