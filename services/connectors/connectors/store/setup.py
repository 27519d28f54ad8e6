"""The webhook setup of stores whose platform cannot register our webhooks (Pressero: the producer
enters them in the shop's admin): shown with the connect answer, shown again to whoever may manage the
store, and its security key rotated on request."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import Store, StoreHistory
from connectors.platforms.base import WebhookSetupNotSupported
from connectors.platforms.context import Platforms
from connectors.platforms.registry import connector_for
from connectors.store import schemas, service
from connectors.store.exceptions import StoreDisconnected
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import Platform, StoreStatus


def describe(platforms: Platforms, store: Store) -> schemas.StoreSetup | None:
    """What to enter in the shop's admin; None where the platform's webhooks are registered by us."""
    if store.credentials is None:
        return None
    connector = connector_for(Platform(store.platform))
    credentials = platforms.box.open(store.credentials)
    setup = connector.webhook_setup(platforms.context(), service.ref(store), credentials)
    return schemas.StoreSetup.model_validate(setup) if setup is not None else None


async def _live(session: AsyncSession, scope: Scope, store_id: uuid.UUID) -> Store:
    store = await service.get(session, scope, store_id)
    if store.status == StoreStatus.disconnected or store.credentials is None:
        raise StoreDisconnected(store.id)
    return store


async def show(
    session: AsyncSession, platforms: Platforms, scope: Scope, store_id: uuid.UUID
) -> schemas.StoreSetup:
    store = await _live(session, scope, store_id)
    setup = describe(platforms, store)
    if setup is None:
        raise WebhookSetupNotSupported(store.platform)
    return setup


async def rotate(
    session: AsyncSession, platforms: Platforms, scope: Scope, store_id: uuid.UUID
) -> schemas.StoreSetup:
    """A new security key: deliveries signed with the old one are refused from now on."""
    store = await _live(session, scope, store_id)
    if describe(platforms, store) is None:
        raise WebhookSetupNotSupported(store.platform)
    assert store.credentials is not None
    connector = connector_for(Platform(store.platform))
    credentials = connector.rotate_webhook_key(platforms.box.open(store.credentials))
    service.keep_credentials(store, platforms.box, credentials)
    store.updated_at = utcnow()
    session.add(
        StoreHistory(id=uuid.uuid4(), store_id=store.id, at=store.updated_at, kind="webhook_key_rotated")
    )
    setup = describe(platforms, store)
    assert setup is not None
    return setup
