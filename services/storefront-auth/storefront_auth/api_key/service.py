import datetime as dt
import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.auth.tokens import hash_secret, new_api_key
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import ApiKeyCreated, ApiKeyRevoked
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.pagination import InvalidCursor, decode_position, encode_position
from storefront_auth.api_key.exceptions import ApiKeyNotFound, InvalidApiKeyName, UnknownApiKey
from storefront_auth.api_key.repository import ApiKeyRepository
from storefront_auth.api_key.schemas import ApiKey as ApiKeyRead
from storefront_auth.api_key.schemas import ApiKeyPage, CreatedApiKey, clean_api_key_name
from storefront_auth.models import ApiKey

log = structlog.get_logger(__name__)

KEY_HINT_LENGTH = 4


def to_read(api_key: ApiKey) -> ApiKeyRead:
    return ApiKeyRead(
        id=api_key.id,
        name=api_key.name,
        key_hint=api_key.key_hint,
        created_at=api_key.created_at,
        revoked_at=api_key.revoked_at,
    )


def to_created(api_key: ApiKey, key: str) -> CreatedApiKey:
    return CreatedApiKey(id=api_key.id, name=api_key.name, key=key, created_at=api_key.created_at)


async def create_api_key(session: AsyncSession, outbox: Outbox, *, name: str) -> tuple[ApiKey, str]:
    """A new operator API key and the key itself, which exists only in this return value (the database
    keeps its hash). Raises InvalidApiKeyName (422) for a blank or over-long name."""
    try:
        name = clean_api_key_name(name)
    except ValueError as exc:
        raise InvalidApiKeyName(str(exc)) from None
    key = new_api_key()
    api_key = ApiKey(
        id=uuid.uuid4(),
        name=name,
        key_hash=hash_secret(key),
        key_hint=key[-KEY_HINT_LENGTH:],
        created_at=utcnow(),
        revoked_at=None,
    )
    ApiKeyRepository(session).add(api_key)
    await session.flush()
    await outbox.record(session, ApiKeyCreated(api_key_id=api_key.id, name=api_key.name))
    log.info("api_key_created", api_key_id=str(api_key.id))
    return api_key, key


async def list_api_keys(session: AsyncSession, *, cursor: str | None, limit: int) -> ApiKeyPage:
    before = _decode_position(cursor)
    rows = await ApiKeyRepository(session).list(before=before, limit=limit + 1)
    items = list(rows[:limit])
    next_cursor = (
        encode_position(items[-1].created_at.isoformat(), items[-1].id) if len(rows) > limit else None
    )
    return ApiKeyPage(items=[to_read(api_key) for api_key in items], next_cursor=next_cursor)


def _decode_position(cursor: str | None) -> tuple[dt.datetime, uuid.UUID] | None:
    position = decode_position(cursor)
    if position is None:
        return None
    try:
        created_at = dt.datetime.fromisoformat(position[0])
    except ValueError:
        raise InvalidCursor() from None
    if created_at.tzinfo is None:
        raise InvalidCursor()
    return created_at, position[1]


async def revoke_api_key(session: AsyncSession, outbox: Outbox, api_key_id: uuid.UUID) -> None:
    """Revokes the key at once for introspection; other services learn it from `api_key.revoked`.
    Revoking a revoked key changes nothing."""
    api_key = await ApiKeyRepository(session).get(api_key_id)
    if api_key is None:
        raise ApiKeyNotFound(api_key_id)
    if not api_key.active:
        return
    api_key.revoked_at = utcnow()
    await outbox.record(session, ApiKeyRevoked(api_key_id=api_key.id))
    log.info("api_key_revoked", api_key_id=str(api_key.id))


async def introspect(session: AsyncSession, key: str) -> ApiKey:
    api_key = await ApiKeyRepository(session).get_active_by_hash(hash_secret(key))
    if api_key is None:
        raise UnknownApiKey()
    return api_key
