"""A shop order that the shop flags as a test (Shopify's bogus gateway, a WooCommerce order placed by an
admin for testing) gets a test run of its own as it is taken in, reported like a requested one. Kept
apart from service.py so that intake can call it without importing the read side."""

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from orders.models import TestRun, TestRunOrigin
from printbridge_shared.events.contracts import Platform


def start(
    session: AsyncSession,
    *,
    order_id: uuid.UUID,
    store_id: uuid.UUID,
    customer_id: uuid.UUID,
    platform: Platform,
    now: dt.datetime,
) -> None:
    session.add(
        TestRun(
            id=uuid.uuid4(),
            order_id=order_id,
            store_id=store_id,
            customer_id=customer_id,
            origin=TestRunOrigin.shop,
            requested_by=f"the shop ({platform})",
            created_at=now,
        )
    )
