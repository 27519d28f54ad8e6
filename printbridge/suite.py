"""Which suite the `printbridge` commands act on: the embedded one (a SQLite file per service under the
data directory) or the distributed one (a PostgreSQL database per service). `PRINTBRIDGE_MODE` says it
(in the environment or `.env`); unset, it is the suite that runs from the data directory, since
`printbridge run` and `run-dist` record themselves in `<data_dir>/suite.json` while they run. When
neither tells, or they disagree, the command refuses with the setting to set, instead of guessing."""

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from printbridge.config import GatewaySettings, Mode
from printbridge.services import settings_for
from printbridge_shared.db import safe_url
from printbridge_shared.routes import SERVICES_BY_NAME

RECORD_NAME = "suite.json"
MODE_SETTING = "PRINTBRIDGE_MODE"


class ModeError(Exception):
    """The commands cannot tell which suite to act on; the message says which setting decides."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_suite(data_dir: Path) -> tuple[Mode, int] | None:
    """The mode and process id of the suite that runs from `data_dir`, if one does (a record left by a
    suite that was killed names a process that is gone, and counts as none)."""
    try:
        record = json.loads((data_dir / RECORD_NAME).read_text(encoding="utf-8"))
        mode, pid = Mode(record["mode"]), int(record["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (mode, pid) if _alive(pid) else None


@contextlib.contextmanager
def running(settings: GatewaySettings, mode: Mode) -> Iterator[None]:
    """Records this process as the `mode` suite of the data directory while the block runs. Refuses
    when PRINTBRIDGE_MODE names the other mode, or another suite already runs from the directory."""
    if settings.mode is not None and settings.mode is not mode:
        runners = {Mode.embedded: "printbridge run (make run)", Mode.distributed: "printbridge run-dist"}
        raise ModeError(
            f"{MODE_SETTING} is {settings.mode}, so {runners[mode]} does not start: use "
            f"{runners[settings.mode]}, or set {MODE_SETTING}={mode} (environment or .env)"
        )
    found = running_suite(settings.data_dir)
    if found is not None:
        raise ModeError(
            f"the {found[0]} suite already runs from {settings.data_dir} (process {found[1]}); stop it first "
            "or give this one another PRINTBRIDGE_DATA_DIR"
        )
    record = settings.data_dir / RECORD_NAME
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"mode": mode, "pid": os.getpid()}), encoding="utf-8")
    try:
        yield
    finally:
        if running_suite(settings.data_dir) == (mode, os.getpid()):
            record.unlink(missing_ok=True)


def chosen_mode(settings: GatewaySettings | None = None) -> Mode:
    """The suite the commands act on: PRINTBRIDGE_MODE, else the one running from the data directory."""
    settings = settings or GatewaySettings()
    found = running_suite(settings.data_dir)
    if settings.mode is not None:
        if found is not None and found[0] is not settings.mode:
            raise ModeError(
                f"{MODE_SETTING} is {settings.mode}, but the {found[0]} suite runs from {settings.data_dir} "
                f"(process {found[1]}); set {MODE_SETTING}={found[0]} to act on it, or stop it"
            )
        return settings.mode
    if found is not None:
        return found[0]
    raise ModeError(
        f"no Printbridge suite runs from {settings.data_dir} and {MODE_SETTING} is not set, so it is not "
        f"clear which databases to use: set {MODE_SETTING}=embedded (SQLite files under "
        f"{settings.data_dir}) or {MODE_SETTING}=distributed (PostgreSQL at PRINTBRIDGE_POSTGRES_URL), "
        "in the environment or in .env"
    )


def database_url(service: str) -> str:
    """The database of `service` the commands act on: PRINTBRIDGE_<SERVICE>_DATABASE_URL when set,
    otherwise the default of the suite's mode (the same one `make run` or `make run-dist` uses)."""
    from printbridge.distributed import DistributedSettings, default_database_url

    settings = settings_for(service)
    if settings.database_url:
        return str(settings.database_url)
    distributed = DistributedSettings()
    if chosen_mode(distributed) is Mode.embedded:
        return str(settings.resolved_database_url())
    return default_database_url(distributed.postgres_url, SERVICES_BY_NAME[service])


def database_setting(service: str) -> str:
    """The setting that names the database of `service`."""
    return f"{SERVICES_BY_NAME[service].env_prefix}DATABASE_URL"


def unusable_database(service: str, url: str, error: Exception) -> str:
    """One line for a database a command cannot use: which, why (the driver's first line), what to check."""
    reason = str(getattr(error, "orig", None) or error).splitlines()[0]
    setting = database_setting(service)
    return f"{service}'s database {safe_url(url)} cannot be used ({reason}); check {setting}"
