"""The manual platform: a store without a shop. Its orders are placed into it through the orders
service (docs/orders-manual.md), so there is nothing to verify when it is created, no webhook to keep and
nothing to poll; it is connected at once and lives (health, list, disconnect) like any store."""

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

from connectors.platforms.base import (
    Connection,
    OrderVersion,
    PlatformConnector,
    PlatformContext,
    ReconnectNotSupported,
    StoreRef,
)
from connectors.platforms.manual.schemas import ManualConnect
from printbridge_shared.errors import Conflict
from printbridge_shared.events.contracts import Platform, StoreStatus


class ManualConnector(PlatformConnector):
    platform = Platform.manual
    polled = False

    async def connect(self, context: PlatformContext, store_id: uuid.UUID, request: Any) -> Connection:
        """Connected at once, without credentials; the store's id is its shop key (one per store)."""
        if not isinstance(request, ManualConnect):
            raise TypeError(f"the manual connector connects a ManualConnect, not {type(request).__name__}")
        return Connection(shop_key=str(store_id), name=request.name, status=StoreStatus.connected)

    async def reconnect(
        self, context: PlatformContext, store: StoreRef, return_url: str | None
    ) -> Connection:
        """There is no access to grant again."""
        raise NoShopToReconnect()

    async def fetch_orders(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        since: dt.datetime | None,
    ) -> AsyncIterator[OrderVersion]:
        """No shop holds the orders (they are placed into the orders service): none to fetch."""
        return
        yield

    async def fetch_order(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any], order_id: str
    ) -> OrderVersion | None:
        return None

    async def ensure_webhooks(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> dict[str, Any]:
        return credentials

    async def remove_webhooks(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> None:
        return None


class NoShopToReconnect(Conflict):
    code = ReconnectNotSupported.code

    def __init__(self) -> None:
        super().__init__(
            "A manual store has no shop and no access to grant again: it stays connected as it is."
        )
