"""New login for a store connected with a user's login (Pressero's admin user): verified by the platform
with a real call, stored, the store's problems cleared and a poll started. The store keeps its identity,
its webhook address and key, and its orders."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import Store, StoreHistory
from connectors.platforms.context import Platforms
from connectors.platforms.registry import connector_for
from connectors.store import schemas, service
from connectors.store.exceptions import StoreDisconnected
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.events.outbox import Outbox


async def update(
    session: AsyncSession,
    outbox: Outbox,
    platforms: Platforms,
    scope: Scope,
    store_id: uuid.UUID,
    payload: schemas.StoreCredentials,
) -> Store:
    store = await service.get(session, scope, store_id)
    if store.status == StoreStatus.disconnected or store.credentials is None:
        raise StoreDisconnected(store.id)
    login = {"password": payload.password.get_secret_value()}
    if payload.username is not None:
        login["username"] = payload.username.strip()
    connector = connector_for(Platform(store.platform))
    credentials = await connector.update_credentials(
        platforms.context(), service.ref(store), platforms.box.open(store.credentials), login
    )
    service.keep_credentials(store, platforms.box, credentials)
    store.updated_at = utcnow()
    session.add(
        StoreHistory(id=uuid.uuid4(), store_id=store.id, at=store.updated_at, kind="credentials_updated")
    )
    await service.clear_problems(session, outbox, store)
    await service.enqueue_reconcile(session, store.id)
    return store
