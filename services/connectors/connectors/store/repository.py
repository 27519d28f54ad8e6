import uuid
from collections.abc import Sequence

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import Store, StoreHistory
from connectors.platforms.base import StoreRef
from printbridge_shared.auth.permissions import Scope
from printbridge_shared.events.contracts import Platform, StoreStatus

_stores = Store.__table__.c
# latest_for_shop's query as columns (no ORM object), built once: the webhook path runs it per delivery.
_LATEST_REF_FOR_SHOP = (
    select(_stores.id, _stores.customer_id, _stores.platform, _stores.shop_key, _stores.name, _stores.status)
    .where(_stores.platform == bindparam("platform"), _stores.shop_key == bindparam("shop_key"))
    .order_by((_stores.status == StoreStatus.disconnected.value).asc(), _stores.created_at.desc())
    .limit(1)
)


# Not polled: not connected yet, credentials refused (they wait for a reconnect), or disconnected.
NOT_POLLED = (StoreStatus.pending, StoreStatus.auth_error, StoreStatus.disconnected)


class StoreRepository:
    """Every query on stores, narrowed to what the caller's scope sees."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, store_id: uuid.UUID, scope: Scope | None = None) -> Store | None:
        store = await self.session.get(Store, store_id)
        if store is None or (scope is not None and not scope.sees_store(store.customer_id, store.id)):
            return None
        return store

    async def live_for_shop(self, platform: Platform, shop_key: str) -> Store | None:
        return await self.session.scalar(
            select(Store).where(
                Store.platform == platform,
                Store.shop_key == shop_key,
                Store.status != StoreStatus.disconnected,
            )
        )

    async def latest_for_shop(self, platform: Platform, shop_key: str) -> Store | None:
        """The live store of the shop, else the one disconnected last (a shop's late deliveries)."""
        return await self.session.scalar(
            select(Store)
            .where(Store.platform == platform, Store.shop_key == shop_key)
            .order_by((Store.status == StoreStatus.disconnected).asc(), Store.created_at.desc())
            .limit(1)
        )

    async def latest_ref_for_shop(
        self, platform: Platform, shop_key: str
    ) -> tuple[StoreRef, StoreStatus] | None:
        """The store `latest_for_shop` finds, as a reference with its status, without loading it."""
        parameters = {"platform": platform.value, "shop_key": shop_key}
        row = (await self.session.execute(_LATEST_REF_FOR_SHOP, parameters)).first()
        if row is None:
            return None
        ref = StoreRef(
            id=row.id,
            customer_id=row.customer_id,
            platform=Platform(row.platform),
            shop_key=row.shop_key,
            name=row.name,
        )
        return ref, StoreStatus(row.status)

    async def list(
        self,
        scope: Scope,
        *,
        customer_id: uuid.UUID | None,
        platform: Platform | None,
        status: StoreStatus | None,
        after: tuple[str, uuid.UUID] | None,
        limit: int,
    ) -> Sequence[Store]:
        statement = select(Store)
        if scope.customer_id is not None:
            statement = statement.where(Store.customer_id == scope.customer_id)
        if scope.store_ids is not None:
            statement = statement.where(Store.id.in_(scope.store_ids))
        if customer_id is not None:
            statement = statement.where(Store.customer_id == customer_id)
        if platform is not None:
            statement = statement.where(Store.platform == platform)
        if status is not None:
            statement = statement.where(Store.status == status)
        if after is not None:
            statement = statement.where(tuple_(Store.name_key, Store.id) > after)
        statement = statement.order_by(Store.name_key, Store.id).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def history(self, store_id: uuid.UUID, limit: int = 100) -> Sequence[StoreHistory]:
        statement = (
            select(StoreHistory)
            .where(StoreHistory.store_id == store_id)
            .order_by(StoreHistory.at.desc(), StoreHistory.id)
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def connected(self, platforms: Sequence[Platform]) -> Sequence[Store]:
        """Connected stores (no problem at all) of the `platforms`."""
        statement = select(Store).where(Store.status == StoreStatus.connected, Store.platform.in_(platforms))
        return (await self.session.scalars(statement)).all()

    async def connected_ids(self, platforms: Sequence[Platform]) -> Sequence[uuid.UUID]:
        """Stores that are polled: of the `platforms` polled, connected, or with a problem that polling may
        find gone (not those whose credentials were refused: they wait for a reconnect). In the order of
        their ids: the reconcile jobs enqueued for them take their unique keys' locks in that order, so
        two transactions enqueuing several never wait on each other in a circle."""
        statement = (
            select(Store.id)
            .where(Store.status.not_in(NOT_POLLED), Store.platform.in_(platforms))
            .order_by(Store.id)
        )
        return (await self.session.scalars(statement)).all()
