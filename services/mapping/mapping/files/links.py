"""Download addresses that need no token: production and the print-file checker fetch a design by its
URL alone. `…/v1/files/{id}/content?sig=…` carries an HMAC-SHA256 of the file's id under a key derived
from the suite's secret keys (PRINTBRIDGE_SECRET_KEYS, printbridge_shared/secret_keys.py), so it cannot be
guessed or moved to another file, needs nothing stored, and works on every replica that has the keys.
The first key signs, every key verifies: an address keeps working through a key rotation until its key
is dropped. It does not expire (a design is printed long after its upload); deleting the file ends it."""

import base64
import binascii
import hashlib
import hmac
import uuid

# Keeps these signatures apart from anything else the same keys are used for (connectors' Fernet tokens).
PURPOSE = b"printbridge design file download address v1"


def _signing_key(fernet_key: str) -> bytes:
    try:
        material = base64.urlsafe_b64decode(fernet_key.encode())
    except (binascii.Error, ValueError):
        raise ValueError(
            "PRINTBRIDGE_SECRET_KEYS: every key must be 32 url-safe base64-encoded bytes (a Fernet key)"
        ) from None
    if len(material) != 32:
        raise ValueError("PRINTBRIDGE_SECRET_KEYS: every key must be 32 url-safe base64-encoded bytes")
    return hmac.new(material, PURPOSE, hashlib.sha256).digest()


class FileLinks:
    def __init__(self, keys: list[str], public_url: str) -> None:
        if not keys:
            raise ValueError("PRINTBRIDGE_SECRET_KEYS: give at least one key")
        self._keys = [_signing_key(key) for key in keys]
        self.public_url = public_url.rstrip("/")

    @staticmethod
    def _sign(key: bytes, file_id: uuid.UUID) -> str:
        digest = hmac.new(key, str(file_id).encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def signature(self, file_id: uuid.UUID) -> str:
        return self._sign(self._keys[0], file_id)

    def verify(self, file_id: uuid.UUID, signature: str) -> bool:
        given = signature.encode("utf-8", "replace")
        return any(hmac.compare_digest(self._sign(key, file_id).encode(), given) for key in self._keys)

    def content_url(self, file_id: uuid.UUID) -> str:
        return f"{self.public_url}/v1/files/{file_id}/content?sig={self.signature(file_id)}"
