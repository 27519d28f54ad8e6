"""Platform credentials at rest: one JSON document per store, encrypted with Fernet (AES-128-CBC +
HMAC-SHA256). `PRINTBRIDGE_SECRET_KEYS` lists the keys, newest first: the first encrypts, every one
decrypts, so a rotation adds a key in front, re-encrypts (`printbridge secrets rotate`) and then drops the
old one. Without the setting a key file under the data directory is created on first start."""

import json
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from printbridge_shared.secret_keys import KEY_FILE, load_keys


class CredentialsUnreadable(Exception):
    """Stored credentials that none of the configured keys decrypts (a key was dropped too early)."""


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
