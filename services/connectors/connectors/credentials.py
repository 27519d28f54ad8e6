"""Platform credentials at rest: one JSON document per store, encrypted with Fernet (AES-128-CBC +
HMAC-SHA256). `PRINTBRIDGE_SECRET_KEYS` lists the keys, newest first: the first encrypts, every one
decrypts, so a rotation adds a key in front, re-encrypts (`printbridge secrets rotate`) and then drops the
old one. Without the setting a key file under the data directory is created on first start."""

import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEY_FILE = "secret_keys"


class CredentialsUnreadable(Exception):
    """Stored credentials that none of the configured keys decrypts (a key was dropped too early)."""


def load_keys(configured: str | None, data_dir: Path) -> list[str]:
    """The keys from the setting, else from `<data_dir>/secret_keys` (one per line, created with a new key
    when missing; readable by its owner only)."""
    if configured and configured.strip():
        return [key.strip() for key in configured.split(",") if key.strip()]
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: several processes starting at once (workers, services)
        # all end up with the one file that won, never with a half-written one.
        draft = data_dir / f".{KEY_FILE}.{os.getpid()}"
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


class CredentialBox:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("PRINTBRIDGE_SECRET_KEYS: give at least one key (Fernet.generate_key())")
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except ValueError:
            raise ValueError(
                "PRINTBRIDGE_SECRET_KEYS: every key must be 32 url-safe base64-encoded bytes, as "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'` "
                "prints"
            ) from None

    def seal(self, credentials: dict[str, Any]) -> bytes:
        return self._fernet.encrypt(json.dumps(credentials, separators=(",", ":")).encode())

    def open(self, sealed: bytes) -> dict[str, Any]:
        try:
            value: dict[str, Any] = json.loads(self._fernet.decrypt(sealed))
        except InvalidToken:
            raise CredentialsUnreadable(
                "stored credentials cannot be decrypted with PRINTBRIDGE_SECRET_KEYS; put back the key they "
                "were sealed with (keys are dropped only after `printbridge secrets rotate`)"
            ) from None
        return value

    def reseal(self, sealed: bytes) -> bytes:
        """The same credentials encrypted with the first key (a rotation)."""
        try:
            return self._fernet.rotate(sealed)
        except InvalidToken:
            raise CredentialsUnreadable(
                "stored credentials cannot be decrypted with any configured key"
            ) from None


def add_key_to_file(data_dir: Path) -> None:
    """Puts a new key in front of the key file's keys (the rotation's first step without the setting)."""
    keys = load_keys(None, data_dir)
    (data_dir / KEY_FILE).write_text("\n".join([Fernet.generate_key().decode(), *keys]) + "\n")
