"""The keys that sign access tokens. Loaded on first use and then kept in memory; without a configured
key (PRINTBRIDGE_AUTH_PRIVATE_KEY) the first use creates one in the database. Replicas that start
together race on the unique `generation`: one insert wins, the others re-read and use the winner's key."""

import asyncio
import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)
from sqlalchemy.exc import IntegrityError

from printbridge_shared.auth.tokens import public_jwk
from printbridge_shared.db import Database, utcnow
from storefront_auth.models import SigningKey
from storefront_auth.signing_key.repository import SigningKeyRepository

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class LoadedKey:
    kid: str
    private_key: Ed25519PrivateKey


def key_id(private_key: Ed25519PrivateKey) -> str:
    """The RFC 7638 thumbprint of the public key: the same key always gets the same `kid`."""
    x = base64.urlsafe_b64encode(private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    canonical = json.dumps(
        {"crv": "Ed25519", "kty": "OKP", "x": x.rstrip(b"=").decode()}, separators=(",", ":"), sort_keys=True
    )
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


class KeyStore:
    def __init__(self, db: Database, *, configured: Ed25519PrivateKey | None = None) -> None:
        self.db = db
        self._keys: list[LoadedKey] | None = (
            [LoadedKey(key_id(configured), configured)] if configured is not None else None
        )
        self._lock = asyncio.Lock()

    async def signing_key(self) -> LoadedKey:
        return (await self._loaded())[0]

    async def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [public_jwk(key.private_key, key.kid) for key in await self._loaded()]}

    async def _loaded(self) -> list[LoadedKey]:
        if self._keys is None:
            async with self._lock:
                if self._keys is None:
                    self._keys = [_load(record) for record in await self._stored_or_created()]
        return self._keys

    async def _stored_or_created(self) -> list[SigningKey]:
        stored, latest_generation = await self._stored()
        if stored:
            return stored
        # The generation comes from the read above, not from inside the insert's transaction: a replica
        # that lost the race must hit the unique constraint instead of adding a generation of its own.
        await self._create(generation=latest_generation + 1)
        stored, _ = await self._stored()
        if not stored:
            raise RuntimeError("no signing key in the database right after creating one")
        return stored

    async def _stored(self) -> tuple[list[SigningKey], int]:
        """The keys in use (newest first) and the latest generation ever created, from one snapshot."""
        async with self.db.sessionmaker() as session, session.begin():
            keys = await SigningKeyRepository(session).all()
        return [key for key in keys if key.retired_at is None], keys[0].generation if keys else 0

    async def _create(self, *, generation: int) -> None:
        private_key = Ed25519PrivateKey.generate()
        pem = private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
        try:
            async with self.db.sessionmaker() as session, session.begin():
                SigningKeyRepository(session).add(
                    SigningKey(
                        kid=key_id(private_key),
                        generation=generation,
                        private_key_pem=pem,
                        created_at=utcnow(),
                        retired_at=None,
                    )
                )
        except IntegrityError:
            log.info("signing_key_created_by_another_replica")
            return
        log.info("signing_key_created", kid=key_id(private_key), generation=generation)


def _load(record: SigningKey) -> LoadedKey:
    private_key = load_pem_private_key(record.private_key_pem.encode(), password=None)
    if not isinstance(private_key, Ed25519PrivateKey):
        raise RuntimeError(f"signing key {record.kid} in the database is not an Ed25519 key")
    return LoadedKey(record.kid, private_key)
