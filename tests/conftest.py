"""Fixtures of the cross-service tests: free ports and directories nginx's workers can read."""

import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    return _free_port


@pytest.fixture(scope="session")
def readable_dir() -> Iterator[Callable[[], Path]]:
    """Makes directories for a gateway site. Under root nginx's workers run as an unprivileged user,
    and pytest's tmp_path is private (0700), so the site needs a world-readable directory."""
    made: list[Path] = []

    def make() -> Path:
        path = Path(tempfile.mkdtemp(prefix="printbridge-test-"))
        os.chmod(path, 0o755)
        made.append(path)
        return path

    yield make
    for path in made:
        shutil.rmtree(path, ignore_errors=True)
