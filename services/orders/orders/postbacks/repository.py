import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from orders.models import DeliveryStatus, PostbackAttempt, PostbackDelivery, PostbackEndpoint


class PostbackRepository:
    """Every query on postback endpoints, their deliveries and attempts."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_endpoint(
        self, endpoint_id: uuid.UUID, *, for_update: bool = False
    ) -> PostbackEndpoint | None:
        """`for_update`: the row locked until the transaction ends, read afresh; for a change to its health
        counters, which several send jobs (of this process or a replica) record side by side."""
        if for_update:
            return await self.session.get(
                PostbackEndpoint, endpoint_id, with_for_update=True, populate_existing=True
            )
        return await self.session.get(PostbackEndpoint, endpoint_id)

    async def list_endpoints(
        self, *, after: tuple[dt.datetime, uuid.UUID] | None, limit: int
    ) -> Sequence[PostbackEndpoint]:
        statement = select(PostbackEndpoint)
        if after is not None:
            statement = statement.where(tuple_(PostbackEndpoint.created_at, PostbackEndpoint.id) > after)
        statement = statement.order_by(PostbackEndpoint.created_at, PostbackEndpoint.id).limit(limit)
        return (await self.session.scalars(statement)).all()

    async def pending_counts(self, endpoint_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not endpoint_ids:
            return {}
        rows = await self.session.execute(
            select(PostbackDelivery.endpoint_id, func.count())
            .where(
                PostbackDelivery.endpoint_id.in_(endpoint_ids),
                PostbackDelivery.status == DeliveryStatus.pending,
            )
            .group_by(PostbackDelivery.endpoint_id)
        )
        return {endpoint_id: count for endpoint_id, count in rows}

    async def receiving(self, customer_id: uuid.UUID) -> Sequence[tuple[uuid.UUID, list[str] | None]]:
        """The enabled endpoints that take this customer's orders, with their event types (the filter on
        types is the caller's: JSON containment differs between the databases)."""
        rows = await self.session.execute(
            select(PostbackEndpoint.id, PostbackEndpoint.event_types).where(
                PostbackEndpoint.enabled,
                or_(PostbackEndpoint.customer_id.is_(None), PostbackEndpoint.customer_id == customer_id),
            )
        )
        return [(endpoint_id, types) for endpoint_id, types in rows]

    def add(self, row: PostbackEndpoint | PostbackDelivery | PostbackAttempt) -> None:
        self.session.add(row)

    async def delete(self, row: PostbackEndpoint) -> None:
        await self.session.delete(row)
        await self.session.flush()

    async def next_pending(
        self, endpoint_id: uuid.UUID, order_id: uuid.UUID | None
    ) -> PostbackDelivery | None:
        """The delivery of this (endpoint, order) to send next: the pending one of the lowest order
        version (it blocks the later ones until it is delivered or has failed)."""
        order = (
            PostbackDelivery.order_id.is_(None) if order_id is None else PostbackDelivery.order_id == order_id
        )
        return await self.session.scalar(
            select(PostbackDelivery)
            .where(
                PostbackDelivery.endpoint_id == endpoint_id,
                order,
                PostbackDelivery.status == DeliveryStatus.pending,
            )
            .order_by(PostbackDelivery.order_version, PostbackDelivery.created_at, PostbackDelivery.id)
            .limit(1)
        )

    async def due_pairs(
        self, now: dt.datetime, *, limit: int
    ) -> Sequence[tuple[uuid.UUID, uuid.UUID | None]]:
        """(endpoint, order) pairs of enabled endpoints with a pending delivery that is due."""
        rows = await self.session.execute(
            select(PostbackDelivery.endpoint_id, PostbackDelivery.order_id)
            .join(PostbackEndpoint, PostbackEndpoint.id == PostbackDelivery.endpoint_id)
            .where(
                PostbackDelivery.status == DeliveryStatus.pending,
                PostbackDelivery.next_attempt_at <= now,
                PostbackEndpoint.enabled,
            )
            .distinct()
            .limit(limit)
        )
        return [(endpoint_id, order_id) for endpoint_id, order_id in rows]

    async def pending_pairs(self, endpoint_id: uuid.UUID) -> Sequence[uuid.UUID | None]:
        """The orders (None: test pings) with deliveries waiting for this endpoint."""
        rows = await self.session.scalars(
            select(PostbackDelivery.order_id)
            .where(
                PostbackDelivery.endpoint_id == endpoint_id, PostbackDelivery.status == DeliveryStatus.pending
            )
            .distinct()
        )
        return list(rows)

    async def get_delivery(self, delivery_id: uuid.UUID) -> PostbackDelivery | None:
        return await self.session.scalar(
            select(PostbackDelivery)
            .where(PostbackDelivery.id == delivery_id)
            .options(selectinload(PostbackDelivery.attempt_log))
        )

    async def list_deliveries(
        self,
        endpoint_id: uuid.UUID,
        *,
        status: DeliveryStatus | None,
        before: tuple[dt.datetime, uuid.UUID] | None,
        limit: int,
    ) -> Sequence[PostbackDelivery]:
        """Newest first, with their attempts."""
        statement = select(PostbackDelivery).where(PostbackDelivery.endpoint_id == endpoint_id)
        if status is not None:
            statement = statement.where(PostbackDelivery.status == status)
        if before is not None:
            statement = statement.where(tuple_(PostbackDelivery.created_at, PostbackDelivery.id) < before)
        statement = (
            statement.order_by(PostbackDelivery.created_at.desc(), PostbackDelivery.id.desc())
            .limit(limit)
            .options(selectinload(PostbackDelivery.attempt_log))
        )
        return (await self.session.scalars(statement)).all()

    async def of_order(self, order_id: uuid.UUID) -> Sequence[tuple[str, PostbackDelivery]]:
        """Every delivery of the order's events, with its endpoint's URL and its attempts."""
        rows = await self.session.execute(
            select(PostbackEndpoint.url, PostbackDelivery)
            .join(PostbackEndpoint, PostbackEndpoint.id == PostbackDelivery.endpoint_id)
            .where(PostbackDelivery.order_id == order_id)
            .order_by(PostbackDelivery.order_version, PostbackDelivery.created_at)
            .options(selectinload(PostbackDelivery.attempt_log))
        )
        return [(url, delivery) for url, delivery in rows]
