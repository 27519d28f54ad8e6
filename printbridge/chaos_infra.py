"""What the fault suite (`printbridge/chaos.py`) starts, stops and restarts itself: a PostgreSQL cluster
(`initdb`/`pg_ctl` in a temporary directory, on a free port), a RabbitMQ node (its own node name, ports,
database and logs) and an SMTP server (aiosmtpd); the postback receiver it takes down is
`printbridge/postback_receiver.py`. Never the machine's shared servers: each is found by its own
directory, port or node name."""

import contextlib
import glob
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from printbridge_shared.testing import MailInbox, free_port

RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")
START_TIMEOUT_SECONDS = 180


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path is None:
        raise SystemExit(f"{name} not found: install PostgreSQL's server package (postgresql)")
    return on_path


def _as_postgres() -> list[str]:
    """initdb and pg_ctl refuse to run as root: as root they run as the `postgres` OS user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass
class OwnPostgres:
    """A PostgreSQL cluster of the suite's own in `directory` (trust authentication, loopback only)."""

    directory: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *argv: str) -> None:
        subprocess.run(
            [*_as_postgres(), *argv], check=True, capture_output=True, timeout=START_TIMEOUT_SECONDS
        )

    def create(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(
            _postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c max_connections=300"
        self._run(
            _postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "postgres.log"),
            "-o", options, "-w", "-t", str(START_TIMEOUT_SECONDS), "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """`immediate`: a crash as far as the clients can tell (no checkpoint; recovery at the next start)."""
        self._run(_postgres_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")


@contextlib.contextmanager
def own_postgres(directory: Path) -> Iterator[OwnPostgres]:
    cluster = OwnPostgres(directory)
    cluster.create()
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            cluster.stop("immediate")


@dataclass
class OwnRabbitMQ:
    """A RabbitMQ node of the suite's own: node name, AMQP and distribution ports, database, logs, config
    and Erlang cookie (HOME) all under `directory`; no plugins. It registers with the machine's epmd, as
    every node does, under its own name."""

    directory: Path
    node: str = field(default_factory=lambda: f"pb_chaos_{uuid.uuid4().hex[:8]}@localhost")
    port: int = field(default_factory=free_port)
    dist_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _env(self) -> dict[str, str]:
        d = self.directory
        return os.environ | {
            "HOME": str(d),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(d / "mnesia"),
            "RABBITMQ_LOG_BASE": str(d / "log"),
            "RABBITMQ_CONFIG_FILE": str(d / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(d / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(d / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(d / "rabbitmq-env.conf"),
            "RABBITMQ_PID_FILE": str(d / "rabbitmq.pid"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }

    def _ctl(self, *argv: str, timeout: float = START_TIMEOUT_SECONDS) -> None:
        subprocess.run(
            [str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, *argv],
            env=self._env(),
            check=True,
            capture_output=True,
            timeout=timeout,
        )

    def create(self) -> None:
        if not (RABBITMQ_BIN / "rabbitmq-server").exists():
            raise SystemExit("rabbitmq-server not found under /usr/lib/rabbitmq/bin: install rabbitmq-server")
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{self.port}\n")
        (self.directory / "advanced.config").write_text("[].\n")
        (self.directory / "enabled_plugins").write_text("[].\n")
        (self.directory / "rabbitmq-env.conf").write_text("")

    def start(self) -> None:
        log = (self.directory / "server.out").open("ab")
        self.process = subprocess.Popen(
            [str(RABBITMQ_BIN / "rabbitmq-server")], env=self._env(), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            self._ctl("wait", "--timeout", str(START_TIMEOUT_SECONDS), str(self.directory / "rabbitmq.pid"))
        except subprocess.SubprocessError as exc:
            self.stop()
            out = (self.directory / "server.out").read_text(errors="replace")[-2000:]
            raise RabbitMQNotStarted(f"the RabbitMQ node {self.node} did not start: {exc}\n{out}") from exc

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._ctl("stop", str(self.directory / "rabbitmq.pid"), timeout=60)
        if self.process is not None:
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


class RabbitMQNotStarted(Exception):
    """The node did not come up; the message holds the end of its output."""


@contextlib.contextmanager
def own_rabbitmq(directory: Path) -> Iterator[OwnRabbitMQ]:
    """The node, started; a second try with other ports and name when the first does not come up (a
    free port taken meanwhile by another program on a busy machine)."""
    try:
        node = OwnRabbitMQ(directory / "first")
        node.create()
        node.start()
    except RabbitMQNotStarted as first:
        print(first, flush=True)
        node = OwnRabbitMQ(directory / "second")
        node.create()
        node.start()
    try:
        yield node
    finally:
        node.stop()


class Smtp:
    """An SMTP server on a fixed port that can be stopped (connections refused) and started again; one
    inbox keeps every message across the restarts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = MailInbox()
        self.controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def recipients(self) -> list[str]:
        return [address for envelope in list(self.inbox.recipients) for address in envelope]


@contextlib.contextmanager
def smtp() -> Iterator[Smtp]:
    server = Smtp()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_until(condition: Any, within: float, what: str, every: float = 0.25) -> float:
    """Polls `condition` until it is true; the seconds it took. Raises after `within` seconds."""
    began = time.monotonic()
    while True:
        with contextlib.suppress(Exception):
            if condition():
                return time.monotonic() - began
        if time.monotonic() - began > within:
            raise TimeoutError(f"{what}: not within {within:.0f} s")
        time.sleep(every)
