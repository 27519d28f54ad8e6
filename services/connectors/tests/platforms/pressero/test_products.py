"""Pressero site products through the connector, against the sandbox: each product is one variant with
its own id and the printer's part number; a hidden one is inactive; a deleted one is removed by a full
sync; a failing Pressero makes the job retry, the store stays connected."""

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from connectors.models import jobs
from connectors.platforms.base import PlatformContext, StoreRef
from connectors.platforms.registry import connector_for
from connectors.products import service as products
from printbridge_shared.events.contracts import Platform
from printbridge_shared.testing import eventually

from .conftest import DOMAIN, Account, Sandbox, connect_body, outbox_events, store_row

pytestmark = pytest.mark.postgres_only


async def make(sandbox: Sandbox, **body: Any) -> dict[str, Any]:
    made = await sandbox.control.post(f"/sites/{DOMAIN}/products", json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def synced(app: FastAPI) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for event in await outbox_events(app, "shop_product.synced"):
        found.setdefault(event["external_id"], []).append(event)
    return found


async def open_syncs(app: FastAPI) -> bool:
    async with app.state.db.session() as session:
        kinds = (await session.scalars(select(jobs.jobs.c.kind))).all()
    return products.SYNC_PRODUCTS in kinds


async def connect(
    app: FastAPI,
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    account: Account,
    customer_id: uuid.UUID,
    headers,
) -> str:
    answer = await client.post(
        "/v1/stores", json=connect_body(sandbox, account, customer_id), headers=headers
    )
    assert answer.status_code == 201, answer.text
    store_id = str(answer.json()["store"]["id"])

    async def first_sync_done() -> bool:
        return (await store_row(app, store_id)).products_synced_until is not None and not await open_syncs(
            app
        )

    await eventually(first_sync_done, within=20)
    return store_id


async def sync(app: FastAPI, store_id: str, *, full: bool) -> None:
    before = (await store_row(app, store_id)).products_synced_until
    async with app.state.db.session() as session:
        await products.enqueue_sync(session, uuid.UUID(store_id), full=full)

    async def done() -> bool:
        return (await store_row(app, store_id)).products_synced_until != before and not await open_syncs(app)

    await eventually(done, within=20)


@pytest.fixture
async def account(sandbox: Sandbox) -> Account:
    return await sandbox.new_account()


async def test_every_product_of_the_site_is_synced_on_connect_as_one_variant(
    app, client, sandbox, account, customer_id, operator_headers
) -> None:
    cards = await make(
        sandbox,
        name="Business cards",
        url_name="business-cards",
        printers_part_num="BC-350",
        public_part_num="P-1",
    )
    flyer = await make(sandbox, name="Flyer", public_part_num="FLY-A5")
    hidden = await make(sandbox, name="Old letterhead", printers_part_num="LH-OLD", is_active=False)
    gone = await make(sandbox, name="Deleted", printers_part_num="DEL")
    assert (await sandbox.control.delete(f"/sites/{DOMAIN}/products/{gone['ProductId']}")).status_code == 200
    store_id = await connect(app, client, sandbox, account, customer_id, operator_headers)

    found = await synced(app)
    assert set(found) == {cards["ProductId"], flyer["ProductId"], hidden["ProductId"]}
    (business_cards,) = found[cards["ProductId"]]
    assert (business_cards["title"], business_cards["handle"], business_cards["active"]) == (
        "Business cards",
        "business-cards",
        True,
    )
    assert business_cards["platform_status"] == "active"
    assert business_cards["variants"] == [
        {
            "external_id": cards["ProductId"],
            "sku": "BC-350",
            "title": "Business cards",
            "options": {},
            "price": None,
        }
    ]
    assert found[flyer["ProductId"]][0]["variants"][0]["sku"] == "FLY-A5"  # no printer's part number
    (letterhead,) = found[hidden["ProductId"]]
    assert (letterhead["active"], letterhead["platform_status"]) == (False, "inactive")
    assert (await store_row(app, store_id)).status == "connected"


async def test_products_are_read_across_pages(
    app, client, sandbox, account, customer_id, operator_headers, monkeypatch
) -> None:
    monkeypatch.setattr("connectors.platforms.pressero.client.PRODUCTS_PAGE_SIZE", 2)
    made = [await make(sandbox, name=f"Poster {n}", printers_part_num=f"P-{n}") for n in range(5)]
    await connect(app, client, sandbox, account, customer_id, operator_headers)
    assert set(await synced(app)) == {p["ProductId"] for p in made}
    pages = [c for c in await sandbox.calls(account) if c["path"] == f"/api/site/{DOMAIN}/products/"]
    assert len(pages) == 3


async def test_a_hidden_product_turns_inactive_and_a_deleted_one_is_removed_by_a_full_sync(
    app, client, sandbox, account, customer_id, operator_headers
) -> None:
    cards = await make(sandbox, name="Business cards", printers_part_num="BC-350")
    flyer = await make(sandbox, name="Flyer", printers_part_num="FLY")
    store_id = await connect(app, client, sandbox, account, customer_id, operator_headers)

    hidden = await sandbox.control.patch(
        f"/sites/{DOMAIN}/products/{cards['ProductId']}", json={"is_active": False}
    )
    assert hidden.status_code == 200, hidden.text
    await sync(app, store_id, full=False)
    assert [
        (v["active"], v["platform_status"], v["revision"]) for v in (await synced(app))[cards["ProductId"]]
    ] == [
        (True, "active", 1),
        (False, "inactive", 2),
    ]
    assert len((await synced(app))[flyer["ProductId"]]) == 1  # unchanged: nothing published

    assert (await sandbox.control.delete(f"/sites/{DOMAIN}/products/{flyer['ProductId']}")).status_code == 200
    await sync(app, store_id, full=True)
    (removed,) = await outbox_events(app, "shop_product.removed")
    assert (removed["external_id"], removed["revision"]) == (flyer["ProductId"], 2)


async def test_fetching_one_product_and_none_once_deleted_or_unknown(
    app, client, sandbox, account, customer_id, operator_headers
) -> None:
    cards = await make(sandbox, name="Business cards", printers_part_num="BC-350", is_active=False)
    store_id = await connect(app, client, sandbox, account, customer_id, operator_headers)
    row = await store_row(app, store_id)
    credentials = app.state.platforms.box.open(row.credentials)
    ref = StoreRef(row.id, row.customer_id, Platform.pressero, DOMAIN, DOMAIN)
    connector = connector_for(Platform.pressero)
    async with httpx.AsyncClient() as http:
        context = PlatformContext(settings=app.state.platforms.settings, http=http, save_credentials=_keep)
        version = await connector.fetch_product(context, ref, credentials, cards["ProductId"])
        assert version is not None
        assert (version.active, [v.sku for v in version.variants]) == (False, ["BC-350"])
        assert await connector.fetch_product(context, ref, credentials, str(uuid.uuid4())) is None
        assert await connector.fetch_product(context, ref, credentials, "../../v2/orders") is None
        await sandbox.control.delete(f"/sites/{DOMAIN}/products/{cards['ProductId']}")
        assert await connector.fetch_product(context, ref, credentials, cards["ProductId"]) is None


async def _keep(_credentials: dict[str, Any]) -> None:
    """The test's context has no store row to keep a new token in (the token it has stays valid)."""


async def test_a_failing_pressero_during_a_product_sync_makes_the_job_retry_and_the_store_stays_connected(
    app, client, sandbox, account, customer_id, operator_headers
) -> None:
    store_id = await connect(app, client, sandbox, account, customer_id, operator_headers)
    cards = await make(sandbox, name="Business cards", printers_part_num="BC-350")
    await sandbox.switches(account, fail_5xx=1)
    await sync(app, store_id, full=False)
    assert set(await synced(app)) == {cards["ProductId"]}
    row = await store_row(app, store_id)
    assert (row.status, row.problems) == ("connected", [])
    statuses = [c for c in await sandbox.calls(account) if c["path"] == f"/api/site/{DOMAIN}/products/"]
    assert len(statuses) >= 2  # the failed read and the retry
