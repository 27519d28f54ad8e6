"""The key file made when PRINTBRIDGE_SECRET_KEYS is unset is one file, whoever starts at once."""

import os
from pathlib import Path

import pytest

from printbridge_shared import secret_keys
from printbridge_shared.secret_keys import KEY_FILE, load_keys


def test_containers_sharing_a_data_volume_end_with_one_key_though_their_processes_have_one_pid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every container's main process is pid 1: a second one that writes its key while the first is
    linking its own must neither clobber nor remove the first's draft."""
    monkeypatch.setattr(secret_keys.os, "getpid", lambda: 1)
    real_link = os.link
    others: list[list[str]] = []
    started = False

    def link_after_another_container_started(source: Path, target: Path) -> None:
        nonlocal started
        if not started:
            started = True
            others.append(load_keys(None, tmp_path))
        real_link(source, target)

    monkeypatch.setattr(secret_keys.os, "link", link_after_another_container_started)
    first = load_keys(None, tmp_path)
    assert others == [first] and len(first) == 1
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE], "no draft is left behind"
