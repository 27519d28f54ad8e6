"""What the shop products' tests share: a store of one customer, shop products as connectors would publish
them, and (from the templates' tests) the catalog, a local file server with real print files and the app
that may fetch them."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from mapping.config import Settings
from mapping.main import create_app
from mapping.models import messaging
from mapping.shop_product import service as shop_products
from mapping.store import service as stores
from printbridge_shared.app import Runtime
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.contracts import (
    ShopProductRemoved,
    ShopProductSynced,
    ShopVariant,
    StoreConnected,
)
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import AuthKeys, bearer, recorded_events

from ..template.conftest import catalog, files_url  # noqa: F401 (fixtures)

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


class Shop:
    """One customer's connected Shopify store, its callers by role, and a way to publish its products."""

    def __init__(self, app: FastAPI, auth: AuthKeys) -> None:
        self.app = app
        self.store_id = uuid.uuid4()
        self.customer_id = uuid.uuid4()
        self.other_store_id = uuid.uuid4()
        self.headers = {
            role: bearer(auth.customer_user_token(customer_id=self.customer_id, role=role))
            for role in ("admin", "order_manager", "viewer")
        }
        self.headers["store_manager"] = bearer(
            auth.customer_user_token(
                customer_id=self.customer_id, role="store_manager", store_ids=[self.store_id]
            )
        )
        self.headers["other_store_manager"] = bearer(
            auth.customer_user_token(
                customer_id=self.customer_id, role="store_manager", store_ids=[self.other_store_id]
            )
        )
        self.headers["other"] = bearer(auth.customer_user_token())

    async def connect(self, *, platform: str = "shopify", status: str = "connected", store_id=None) -> None:
        data = StoreConnected(
            store_id=store_id or self.store_id,
            customer_id=self.customer_id,
            platform=platform,
            name="Acme shop",
            status=status,
            updated_at=NOW,
        )
        async with self.app.state.db.session() as session:
            await stores.record_snapshot(session, data, version=None)

    async def synced(
        self,
        external_id: str = "101",
        *,
        revision: int = 1,
        active: bool = True,
        variants: list[tuple[str, str | None, dict[str, str]]] | None = None,
        title: str = "Flyer",
        store_id: uuid.UUID | None = None,
    ) -> bool:
        given = variants if variants is not None else [("1001", "FL-A5", {"Size": "A5"})]
        data = ShopProductSynced(
            store_id=store_id or self.store_id,
            customer_id=self.customer_id,
            platform="shopify",
            external_id=external_id,
            title=title,
            active=active,
            platform_status="active" if active else "draft",
            variants=tuple(
                ShopVariant(
                    external_id=variant_id,
                    sku=sku,
                    title=" / ".join(options.values()) or title,
                    options=options,
                    price=Decimal("12.50"),
                )
                for variant_id, sku, options in given
            ),
            source_updated_at=NOW + dt.timedelta(minutes=revision),
            revision=revision,
        )
        async with self.app.state.db.session() as session:
            return await shop_products.record_synced(session, self.app.state.outbox, data)

    async def removed(self, external_id: str = "101", *, revision: int) -> bool:
        data = ShopProductRemoved(
            store_id=self.store_id,
            customer_id=self.customer_id,
            platform="shopify",
            external_id=external_id,
            removed_at=NOW,
            revision=revision,
        )
        async with self.app.state.db.session() as session:
            return await shop_products.record_removed(session, self.app.state.outbox, data)

    async def products(self, client: httpx.AsyncClient, role: str = "admin", **params: Any) -> list[dict]:
        answer = await client.get(
            f"/v1/stores/{self.store_id}/products", params=params, headers=self.headers[role]
        )
        assert answer.status_code == 200, answer.text
        return list(answer.json()["items"])

    async def variant_id(self, client: httpx.AsyncClient, sku: str) -> str:
        for product in await self.products(client):
            for variant in product["variants"]:
                if variant["sku"] == sku:
                    return str(variant["id"])
        raise AssertionError(f"no variant {sku}")


@pytest.fixture
def app(database_url: str, auth: AuthKeys, bus: InProcessBus) -> FastAPI:
    """The app, allowed to fetch design files from the local file server."""
    settings = Settings(database_url=database_url, log_json=False, allow_private_urls=True)
    return create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))


@pytest.fixture
def shop(app: FastAPI, auth: AuthKeys) -> Shop:
    return Shop(app, auth)


async def events(app: FastAPI, type: str) -> list[Envelope]:
    return [e for e in await recorded_events(app.state.db, messaging.outbox) if e.type == type]
