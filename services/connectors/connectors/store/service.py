"""Stores: connecting (through each platform's connector), health (status and problems, each change an
event and a line of history), renaming, reconciling and disconnecting."""

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Sequence
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from connectors.credentials import CredentialBox
from connectors.customer import service as customers
from connectors.models import ConnectAttempt, Store, StoreHistory, jobs
from connectors.platforms.base import (
    Connection,
    PlatformConnector,
    PlatformContext,
    PlatformProblem,
    PlatformUnavailable,
    StoreRef,
)
from connectors.platforms.registry import connector_for
from connectors.products import service as products
from connectors.store import schemas
from connectors.store.exceptions import (
    CustomerIdNotYours,
    CustomerIdRequired,
    CustomerUnknown,
    NothingToReconcile,
    ShopAlreadyConnected,
    StoreDisconnected,
    StoreNotFound,
)
from connectors.store.repository import StoreRepository
from printbridge_shared import jobs as job_queue
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.auth.principal import Principal
from printbridge_shared.db import next_version, utcnow
from printbridge_shared.events.contracts import (
    Platform,
    StoreConnected,
    StoreStatus,
    StoreUpdated,
)
from printbridge_shared.events.contracts import StoreDisconnected as StoreDisconnectedEvent
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.pagination import decode_position, encode_position

log = structlog.get_logger(__name__)

RECONCILE = "store.reconcile"
REMOVE_WEBHOOKS = "store.remove_webhooks"
CONNECT_STATE_SECONDS = 600


def ref(store: Store) -> StoreRef:
    return StoreRef(
        id=store.id,
        customer_id=store.customer_id,
        platform=Platform(store.platform),
        shop_key=store.shop_key,
        name=store.name,
        granted_scopes=store.granted_scopes,
    )


def to_read(store: Store) -> schemas.Store:
    return schemas.Store(
        id=store.id,
        customer_id=store.customer_id,
        platform=store.platform,
        name=store.name,
        shop=store.shop_key,
        status=store.status,
        problems=[schemas.StoreProblem.model_validate(p) for p in store.problems or []],
        connected_at=store.connected_at,
        disconnected_at=store.disconnected_at,
        last_polled_at=store.last_polled_at,
        products_synced_at=store.products_synced_until,
        created_at=store.created_at,
        updated_at=store.updated_at,
    )


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


async def _record(
    session: AsyncSession,
    outbox: Outbox,
    store: Store,
    event: type[StoreConnected | StoreUpdated | StoreDisconnectedEvent],
) -> None:
    version = await next_version(session, store)
    data = event(
        store_id=store.id,
        customer_id=store.customer_id,
        platform=store.platform,
        name=store.name,
        status=store.status,
        updated_at=store.updated_at,
    )
    await outbox.record(
        session, data, customer_id=store.customer_id, aggregate_id=store.id, aggregate_version=version
    )


def _history(session: AsyncSession, store: Store, kind: str, **detail: Any) -> None:
    session.add(StoreHistory(id=uuid.uuid4(), store_id=store.id, at=utcnow(), kind=kind, detail=detail))


async def _owner(session: AsyncSession, principal: Principal, customer_id: uuid.UUID | None) -> uuid.UUID:
    if principal.is_operator:
        if customer_id is None:
            raise CustomerIdRequired()
        owner = customer_id
    else:
        if customer_id is not None and customer_id != principal.customer_id:
            raise CustomerIdNotYours()
        assert principal.customer_id is not None
        owner = principal.customer_id
    known = await customers.get(session, owner)
    if known is None or known.archived:
        raise CustomerUnknown(owner)
    return owner


async def create(
    read_session: AsyncSession,
    session: AsyncSession,
    outbox: Outbox,
    context: PlatformContext,
    box: CredentialBox,
    principal: Principal,
    payload: schemas.StoreConnect,
) -> tuple[Store, str | None]:
    """Connects a shop: key-based platforms are verified by real calls and answer connected; OAuth
    platforms answer pending with the address where the merchant grants access. The platform is called
    before the unit of work writes anything (the customer is checked on the read side), so a slow shop
    never holds the writer (on SQLite the only one) while webhooks wait to be stored."""
    customer_id = await _owner(read_session, principal, payload.customer_id)
    connector = connector_for(Platform(payload.platform))
    connector.check_owner(await customers.owner(read_session, customer_id), payload)
    store_id = uuid.uuid4()
    connection = await connector.connect(context, store_id, payload)
    existing = await StoreRepository(session).live_for_shop(Platform(payload.platform), connection.shop_key)
    if existing is not None and existing.status != StoreStatus.pending:
        await _undo_connection(connector, context, store_id, customer_id, payload, connection)
        raise ShopAlreadyConnected(
            connection.shop_key, existing.id if existing.customer_id == customer_id else None
        )
    if existing is not None:  # an unfinished connect of the same shop: the new one replaces it
        await _finish(session, outbox, existing, "connect_replaced", publish=False)
    now = utcnow()
    store = Store(
        id=store_id,
        customer_id=customer_id,
        platform=payload.platform,
        name=payload.name or connection.name,
        name_key=(payload.name or connection.name).lower(),
        shop_key=connection.shop_key,
        status=StoreStatus.pending,
        problems=[],
        credentials=None,
        created_at=now,
        updated_at=now,
        version=0,
    )
    try:
        async with session.begin_nested():
            session.add(store)
    except IntegrityError:
        await _undo_connection(connector, context, store_id, customer_id, payload, connection)
        raise ShopAlreadyConnected(connection.shop_key, None) from None
    _history(session, store, "created", by=str(principal.subject_id))
    authorize_url = None
    if connection.status == StoreStatus.connected:
        await mark_connected(session, outbox, box, store, connection)
    else:
        authorize_url = connection.authorize_url
        await _start_attempt(session, box, store, connection, getattr(payload, "return_url", None))
    return store, authorize_url


async def _undo_connection(
    connector: PlatformConnector,
    context: PlatformContext,
    store_id: uuid.UUID,
    customer_id: uuid.UUID,
    payload: schemas.StoreConnect,
    connection: Connection,
) -> None:
    """A connect that registered webhooks in the shop (key-based platforms) for a store that is not
    kept: those webhooks are removed again, as far as the shop lets us (they would only fail)."""
    if connection.status != StoreStatus.connected or connection.credentials is None:
        return
    store = StoreRef(
        id=store_id,
        customer_id=customer_id,
        platform=Platform(payload.platform),
        shop_key=connection.shop_key,
        name=connection.name,
    )
    try:
        await connector.remove_webhooks(context, store, connection.credentials)
    except (PlatformProblem, PlatformUnavailable) as exc:
        log.warning("connect_undo_failed", store_id=str(store_id), error=str(exc))


async def _start_attempt(
    session: AsyncSession, box: CredentialBox, store: Store, connection: Connection, return_url: str | None
) -> None:
    assert connection.authorize_url is not None and connection.flow_secret is not None
    state = connection.flow_secret["state"]
    session.add(
        ConnectAttempt(
            state_hash=state_hash(state),
            store_id=store.id,
            platform=store.platform,
            return_url=return_url,
            secret=box.seal(connection.flow_secret),
            expires_at=utcnow() + dt.timedelta(seconds=CONNECT_STATE_SECONDS),
        )
    )


async def enqueue_reconcile(session: AsyncSession, store_id: uuid.UUID) -> None:
    """A poll of the store soon (none added while one is still open)."""
    await job_queue.enqueue(
        session, jobs, RECONCILE, {"store_id": str(store_id)}, unique_key=f"{RECONCILE}:{store_id}"
    )


def new_state() -> str:
    return secrets.token_urlsafe(32)


async def mark_connected(
    session: AsyncSession, outbox: Outbox, box: CredentialBox, store: Store, connection: Connection
) -> None:
    """The shop granted access and our webhooks are registered: `connected`, `store.connected`. A store
    without a shop (manual) has no credentials to keep and nothing to poll."""
    now = utcnow()
    if connection.credentials is not None:
        keep_credentials(store, box, connection.credentials)
    store.granted_scopes = connection.granted_scopes
    store.status = StoreStatus.connected
    store.problems = []
    store.connected_at = now
    # Orders arrive from the moment the user set out to connect the shop; its history stays in the shop.
    if store.orders_polled_until is None:
        store.orders_polled_until = store.created_at
    store.updated_at = now
    _history(session, store, "connected", scopes=connection.granted_scopes)
    await _record(session, outbox, store, StoreConnected)
    connector = connector_for(Platform(store.platform))
    if connector.polled:
        await enqueue_reconcile(session, store.id)
    if connector.syncs_products:
        await products.enqueue_sync(session, store.id, full=True)


async def complete_connect(
    session: AsyncSession, outbox: Outbox, box: CredentialBox, store: Store, connection: Connection
) -> None:
    """An OAuth grant came back: a pending store is connected; a connected one (a reconnect) takes the
    new credentials and scopes, and the problems its old access had are gone."""
    if store.status == StoreStatus.pending:
        await mark_connected(session, outbox, box, store, connection)
        return
    assert connection.credentials is not None
    keep_credentials(store, box, connection.credentials)
    store.granted_scopes = connection.granted_scopes
    store.updated_at = utcnow()
    _history(session, store, "reconnected", scopes=connection.granted_scopes)
    await clear_problems(session, outbox, store)
    await enqueue_reconcile(session, store.id)


async def reconnect(
    session: AsyncSession,
    context: PlatformContext,
    box: CredentialBox,
    scope: Scope,
    store_id: uuid.UUID,
    return_url: str | None,
) -> tuple[Store, str | None]:
    """Grant access again (a revoked token, a missing permission): a new `authorize_url` for the same
    store; its callback refreshes the credentials (the store keeps its status until then)."""
    store = await get(session, scope, store_id)
    if store.status == StoreStatus.disconnected:
        raise StoreDisconnected(store.id)
    connection = await connector_for(Platform(store.platform)).reconnect(context, ref(store), return_url)
    await _start_attempt(session, box, store, connection, return_url)
    return store, connection.authorize_url


def keep_credentials(store: Store, box: CredentialBox, credentials: dict[str, Any]) -> None:
    """The store's credentials, sealed, as a new version (the single-flight refresh compares versions:
    store/refresh.py)."""
    store.credentials = box.seal(credentials)
    store.credentials_version = (store.credentials_version or 0) + 1


async def save_credentials(
    session: AsyncSession, box: CredentialBox, store_id: uuid.UUID, credentials: dict[str, Any]
) -> None:
    store = await session.get(Store, store_id)
    if store is not None and store.status != StoreStatus.disconnected:
        keep_credentials(store, box, credentials)


async def _health_locked(session: AsyncSession, store: Store) -> None:
    """The store's status and problems as committed now, its row locked until this unit of work ends: two
    jobs of one store that finish at once (a poll and a product sync meeting the same revoked key) then
    judge its health one after the other, and the second finds the first's change instead of repeating
    it (on SQLite the single writer orders them). What this unit of work changed so far is written first,
    so that it is kept."""
    await session.flush()
    fresh = (
        await session.execute(
            select(Store.status, Store.problems).where(Store.id == store.id).with_for_update()
        )
    ).one_or_none()
    if fresh is not None:
        set_committed_value(store, "status", fresh.status)
        set_committed_value(store, "problems", fresh.problems)


async def report_problem(
    session: AsyncSession, outbox: Outbox, store: Store, problem: PlatformProblem
) -> None:
    """The connector saw something wrong: the store takes the problem's status; the problem is listed
    (once per code, with the time it was first seen)."""
    await _health_locked(session, store)
    if store.status == StoreStatus.disconnected:
        return
    problems = [p for p in store.problems or [] if p["code"] != problem.code]
    known = next((p for p in store.problems or [] if p["code"] == problem.code), None)
    since = known["since"] if known else utcnow().isoformat()
    problems.append({"code": problem.code, "message": problem.message, "fix": problem.fix, "since": since})
    if known is not None and store.status == problem.status:
        return
    store.problems = problems
    store.status = problem.status
    store.updated_at = utcnow()
    _history(session, store, "problem", code=problem.code, message=problem.message)
    await _record(session, outbox, store, StoreUpdated)


async def clear_problems(
    session: AsyncSession, outbox: Outbox, store: Store, codes: Sequence[str] | None = None
) -> None:
    """What the connector just did worked: the problems (all, or those of `codes`) are gone."""
    await _health_locked(session, store)
    if store.status in (StoreStatus.disconnected, StoreStatus.pending):
        return
    remaining = [p for p in store.problems or [] if codes is not None and p["code"] not in codes]
    if remaining == (store.problems or []) and store.status == StoreStatus.connected:
        return
    cleared = [p["code"] for p in store.problems or [] if p not in remaining]
    store.problems = remaining
    store.status = StoreStatus.connected if not remaining else store.status
    store.updated_at = utcnow()
    _history(session, store, "problems_cleared", codes=cleared)
    await _record(session, outbox, store, StoreUpdated)


async def get(session: AsyncSession, scope: Scope, store_id: uuid.UUID) -> Store:
    store = await StoreRepository(session).get(store_id, scope)
    if store is None:
        raise StoreNotFound(store_id)
    return store


async def detail(session: AsyncSession, scope: Scope, store_id: uuid.UUID) -> schemas.StoreDetail:
    store = await get(session, scope, store_id)
    history = await StoreRepository(session).history(store.id)
    return schemas.StoreDetail(
        **to_read(store).model_dump(),
        history=[schemas.StoreHistoryEntry(at=h.at, kind=h.kind, detail=h.detail) for h in history],
    )


async def list_stores(
    session: AsyncSession,
    scope: Scope,
    *,
    customer_id: uuid.UUID | None,
    platform: Platform | None,
    status: StoreStatus | None,
    cursor: str | None,
    limit: int,
) -> schemas.StorePage:
    rows = await StoreRepository(session).list(
        scope,
        customer_id=customer_id,
        platform=platform,
        status=status,
        after=decode_position(cursor),
        limit=limit + 1,
    )
    items = list(rows[:limit])
    next_cursor = encode_position(items[-1].name_key, items[-1].id) if len(rows) > limit else None
    return schemas.StorePage(items=[to_read(s) for s in items], next_cursor=next_cursor)


async def rename(
    session: AsyncSession, outbox: Outbox, scope: Scope, store_id: uuid.UUID, name: str
) -> Store:
    store = await get(session, scope, store_id)
    if store.name != name:
        old = store.name
        store.name = name
        store.name_key = name.lower()
        store.updated_at = utcnow()
        _history(session, store, "renamed", old=old, new=name)
        await _record(session, outbox, store, StoreUpdated)
    return store


async def request_reconcile(session: AsyncSession, scope: Scope, store_id: uuid.UUID) -> Store:
    store = await get(session, scope, store_id)
    if store.status == StoreStatus.disconnected:
        raise StoreDisconnected(store.id)
    if not connector_for(Platform(store.platform)).polled:
        raise NothingToReconcile(store.id, store.platform)
    await enqueue_reconcile(session, store.id)
    return store


async def _finish(
    session: AsyncSession, outbox: Outbox, store: Store, reason: str, *, publish: bool = True
) -> None:
    now = utcnow()
    store.status = StoreStatus.disconnected
    store.problems = []
    store.disconnected_at = now
    store.updated_at = now
    _history(session, store, "disconnected", reason=reason)
    if publish:
        await _record(session, outbox, store, StoreDisconnectedEvent)


async def disconnect_by_user(
    session: AsyncSession, outbox: Outbox, scope: Scope, store_id: uuid.UUID
) -> None:
    """`DELETE /v1/stores/{id}`: the store the caller sees, disconnected (a repeat changes nothing)."""
    await disconnect(session, outbox, await get(session, scope, store_id), "disconnected by a user")


async def disconnect(session: AsyncSession, outbox: Outbox, store: Store, reason: str) -> None:
    """No more calls to the shop: our webhooks are removed there (a job, with the credentials, which are
    forgotten when it is done), the store is `disconnected`, its orders stay."""
    if store.status == StoreStatus.disconnected:
        return
    had_credentials = store.credentials is not None
    await _finish(session, outbox, store, reason)
    if had_credentials and reason != "uninstalled":
        await job_queue.enqueue(session, jobs, REMOVE_WEBHOOKS, {"store_id": str(store.id)})
    else:
        store.credentials = None
