"""The suite's secret keys (`PRINTBRIDGE_SECRET_KEYS`): Fernet keys, newest first. connectors encrypts shop
credentials with them; mapping derives the key that signs design-file download addresses from them. The
first key is the one that seals or signs, every key opens or verifies, so a rotation puts a new key in
front, re-seals (`printbridge secrets rotate`) and only then drops the old one. Without the setting a key
file under the data directory is created on first start and shared by every service that reads it."""

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

KEY_FILE = "secret_keys"


def load_keys(configured: str | None, data_dir: Path) -> list[str]:
    """The keys from the setting, else from `<data_dir>/secret_keys` (one per line, created with a new key
    when missing; readable by its owner only)."""
    if configured and configured.strip():
        return [key.strip() for key in configured.split(",") if key.strip()]
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: several processes starting at once (workers, services,
        # containers sharing the volume) all end up with the one file that won, never with a half-written
        # one. The draft's name is random, since every container's main process has the same pid.
        draft = data_dir / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(8)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(Fernet.generate_key().decode() + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]
