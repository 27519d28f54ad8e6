"""The stores API apart from the platforms' connect flows: who sees and manages which store, and what
bad input gets."""

import uuid

import pytest

from connectors.models import Store, messaging
from printbridge_shared.events.contracts import Platform, StoreStatus
from printbridge_shared.testing import bearer, eventually, recorded_events

from ..conftest import unscheduled_job_kinds


def user(auth, customer_id, role="admin", store_ids=None):
    return bearer(auth.customer_user_token(customer_id=customer_id, role=role, store_ids=store_ids))


async def test_operators_list_every_store_by_name_and_filter_them(client, operator, make_store):
    first, second = uuid.uuid4(), uuid.uuid4()
    await make_store(first, name="Beta")
    await make_store(second, name="alpha", platform=Platform.woocommerce, status=StoreStatus.auth_error)
    names = [s["name"] for s in (await client.get("/v1/stores", headers=operator)).json()["items"]]
    assert names == ["alpha", "Beta"]
    by_customer = (await client.get(f"/v1/stores?customer_id={first}", headers=operator)).json()["items"]
    assert [s["name"] for s in by_customer] == ["Beta"]
    by_status = (await client.get("/v1/stores?status=auth_error", headers=operator)).json()["items"]
    assert [s["platform"] for s in by_status] == ["woocommerce"]
    by_platform = (await client.get("/v1/stores?platform=shopify", headers=operator)).json()["items"]
    assert [s["name"] for s in by_platform] == ["Beta"]


async def test_paging_returns_every_store_once(client, operator, make_store):
    customer = uuid.uuid4()
    for i in range(5):
        await make_store(customer, name=f"Shop {i}")
    seen, cursor = [], None
    while True:
        page = (
            await client.get(
                "/v1/stores", params={"limit": 2, **({"cursor": cursor} if cursor else {})}, headers=operator
            )
        ).json()
        seen += [s["name"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Shop {i}" for i in range(5)]


@pytest.mark.parametrize("role", ["admin", "viewer", "store_manager"])
async def test_customer_users_see_only_their_customers_stores(client, auth, make_store, role):
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    own = await make_store(mine, name="Own")
    other = await make_store(theirs, name="Other")
    headers = user(auth, mine, role, [own.id] if role == "store_manager" else None)
    listed = (await client.get("/v1/stores", headers=headers)).json()["items"]
    assert [s["id"] for s in listed] == [str(own.id)]
    assert (await client.get(f"/v1/stores/{own.id}", headers=headers)).status_code == 200
    hidden = await client.get(f"/v1/stores/{other.id}", headers=headers)
    assert hidden.status_code == 404
    assert hidden.json()["type"].endswith("store-not-found")


async def test_a_store_manager_sees_only_the_stores_it_manages(client, auth, make_store):
    customer = uuid.uuid4()
    managed = await make_store(customer, name="Managed")
    unmanaged = await make_store(customer, name="Unmanaged")
    headers = user(auth, customer, "store_manager", [managed.id])
    assert [s["name"] for s in (await client.get("/v1/stores", headers=headers)).json()["items"]] == [
        "Managed"
    ]
    assert (await client.get(f"/v1/stores/{unmanaged.id}", headers=headers)).status_code == 404
    assert (await client.delete(f"/v1/stores/{unmanaged.id}", headers=headers)).status_code == 404


async def test_order_managers_may_not_see_stores_and_nobody_without_a_token(client, auth, make_store):
    customer = uuid.uuid4()
    store = await make_store(customer)
    headers = user(auth, customer, "order_manager")
    assert (await client.get("/v1/stores", headers=headers)).status_code == 403
    assert (await client.get(f"/v1/stores/{store.id}", headers=headers)).status_code == 403
    assert (await client.get("/v1/stores")).status_code == 401
    assert (await client.get(f"/v1/stores/{store.id}")).status_code == 401


async def test_a_store_shows_its_health_and_history(client, operator, make_store):
    store = await make_store(uuid.uuid4())
    await client.patch(f"/v1/stores/{store.id}", json={"name": "Renamed"}, headers=operator)
    body = (await client.get(f"/v1/stores/{store.id}", headers=operator)).json()
    assert (body["name"], body["status"], body["problems"]) == ("Renamed", "connected", [])
    assert body["shop"] == store.shop_key
    assert "credentials" not in body
    assert [h["kind"] for h in body["history"]] == ["renamed"]
    assert body["history"][0]["detail"] == {"old": "Acme Shop", "new": "Renamed"}


async def test_renaming_publishes_store_updated(app, client, operator, make_store):
    store = await make_store(uuid.uuid4())
    response = await client.patch(f"/v1/stores/{store.id}", json={"name": "  New name "}, headers=operator)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "New name"
    events = await _events(app)
    assert [(e.type, e.data["name"], e.aggregate_version) for e in events] == [
        ("store.updated", "New name", 2)
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({}, "name"),
        ({"name": "A", "status": "connected"}, "status"),
    ],
)
async def test_a_bad_rename_is_422_naming_the_field(client, operator, make_store, body, field):
    store = await make_store(uuid.uuid4())
    response = await client.patch(f"/v1/stores/{store.id}", json=body, headers=operator)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"][-1] == field


async def test_viewers_may_not_rename_disconnect_or_reconcile(client, auth, make_store):
    customer = uuid.uuid4()
    store = await make_store(customer)
    headers = user(auth, customer, "viewer")
    assert (
        await client.patch(f"/v1/stores/{store.id}", json={"name": "X"}, headers=headers)
    ).status_code == 403
    assert (await client.delete(f"/v1/stores/{store.id}", headers=headers)).status_code == 403
    assert (await client.post(f"/v1/stores/{store.id}/reconcile", headers=headers)).status_code == 403


async def test_disconnecting_keeps_the_store_publishes_the_news_and_removes_our_webhooks_later(
    app, client, auth, make_store
):
    customer = uuid.uuid4()
    store = await make_store(customer)
    response = await client.delete(f"/v1/stores/{store.id}", headers=user(auth, customer))
    assert response.status_code == 204
    body = (await client.get(f"/v1/stores/{store.id}", headers=user(auth, customer))).json()
    assert body["status"] == "disconnected" and body["disconnected_at"] is not None
    assert [(e.type, e.data["status"]) for e in await _events(app)] == [
        ("store.disconnected", "disconnected")
    ]
    # The removal job runs at once (here the shop does not exist, so there is nothing to remove) and then
    # forgets the credentials.
    await eventually(lambda: _credentials_forgotten(app, store.id))
    again = await client.delete(f"/v1/stores/{store.id}", headers=user(auth, customer))
    assert again.status_code == 204
    assert len(await _events(app)) == 1


async def test_reconcile_is_accepted_once_per_open_poll_and_refused_for_a_disconnected_store(
    app, client, operator, make_store
):
    store = await make_store(uuid.uuid4())
    first = await client.post(f"/v1/stores/{store.id}/reconcile", headers=operator)
    second = await client.post(f"/v1/stores/{store.id}/reconcile", headers=operator)
    assert (first.status_code, second.status_code) == (202, 202)
    assert await unscheduled_job_kinds(app) == ["store.reconcile"]
    gone = await make_store(uuid.uuid4(), status=StoreStatus.disconnected)
    refused = await client.post(f"/v1/stores/{gone.id}/reconcile", headers=operator)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("store-disconnected")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/stores/not-a-uuid", "store_id"),
        ("/v1/stores?status=sleeping", "status"),
        ("/v1/stores?platform=amazon", "platform"),
        ("/v1/stores?customer_id=42", "customer_id"),
        ("/v1/stores?limit=0", "limit"),
        ("/v1/stores?limit=201", "limit"),
        ("/v1/stores?cursor=not-ours", "cursor"),
    ],
)
async def test_bad_query_and_path_values_are_422_naming_them(client, operator, path, field):
    response = await client.get(path, headers=operator)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][-1] == field


@pytest.mark.parametrize("role", ["store_manager", "order_manager", "viewer"])
async def test_only_a_customers_admin_and_operators_connect_new_stores(client, auth, role):
    customer = uuid.uuid4()
    response = await client.post(
        "/v1/stores", json={"platform": "shopify", "shop": "acme"}, headers=user(auth, customer, role)
    )
    assert response.status_code == 403
    assert (await client.post("/v1/stores", json={"platform": "shopify", "shop": "acme"})).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"shop": "acme"}, "body"),
        ({"platform": "amazon", "shop": "acme"}, "body"),
        ({"platform": "shopify"}, "shop"),
        ({"platform": "shopify", "shop": "acme", "token": "x"}, "token"),
        (
            {"platform": "woocommerce", "url": "https://shop.example", "consumer_key": "ck_1"},
            "consumer_secret",
        ),
    ],
)
async def test_a_bad_connect_request_is_422_naming_the_field(client, operator, body, field):
    response = await client.post("/v1/stores", json=body, headers=operator)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][-1] == field or e["loc"] == [field] for e in response.json()["errors"]), (
        response.json()
    )


async def test_operators_name_the_customer_and_it_must_be_known_and_active(client, operator, known_customer):
    missing = await client.post("/v1/stores", json={"platform": "shopify", "shop": "acme"}, headers=operator)
    assert missing.status_code == 422
    assert missing.json()["type"].endswith("customer-id-required")
    unknown = await client.post(
        "/v1/stores",
        json={"platform": "shopify", "shop": "acme", "customer_id": str(uuid.uuid4())},
        headers=operator,
    )
    assert unknown.json()["type"].endswith("customer-unknown")
    archived = await known_customer(archived=True)
    refused = await client.post(
        "/v1/stores",
        json={"platform": "shopify", "shop": "acme", "customer_id": str(archived)},
        headers=operator,
    )
    assert refused.json()["type"].endswith("customer-unknown")


async def test_customer_users_connect_only_for_their_own_customer(client, auth, known_customer):
    mine = await known_customer()
    response = await client.post(
        "/v1/stores",
        json={"platform": "shopify", "shop": "acme", "customer_id": str(uuid.uuid4())},
        headers=user(auth, mine),
    )
    assert response.status_code == 422
    assert response.json()["type"].endswith("customer-id-not-allowed")


async def _events(app):
    return await recorded_events(app.state.db, messaging.outbox)


async def _credentials_forgotten(app, store_id):
    async with app.state.db.session() as session:
        return (await session.get(Store, store_id)).credentials is None


async def test_a_store_connected_with_keys_is_not_reconnected_by_a_grant(client, operator, make_store):
    store = await make_store(uuid.uuid4(), platform=Platform.woocommerce, shop_key="https://shop.example")
    response = await client.post(f"/v1/stores/{store.id}/reconnect", headers=operator)
    assert response.status_code == 409
    assert response.json()["type"].endswith("reconnect-not-supported")
