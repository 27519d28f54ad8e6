"""Fixtures of the cross-service tests: free ports and directories nginx's workers can read."""

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from printbridge_shared import testing


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    return testing.free_port


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
