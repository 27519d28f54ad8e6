"""POST /v1/stores for Shopify, the OAuth callback's refusals and the webhook endpoint, through HTTP."""

import datetime as dt
import json
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from connectors.models import ConnectAttempt
from connectors.store.service import state_hash
from printbridge_shared.app import Runtime
from printbridge_shared.testing import bearer, running

from .conftest import CLIENT_ID, PUBLIC_URL, shopify_settings

SHOP = "acme.myshopify.com"


async def connect(client, headers, **body):
    return await client.post(
        "/v1/stores", json={"platform": "shopify", "shop": "acme", **body}, headers=headers
    )


async def pending_store(client, operator, add_customer, **body):
    """A store waiting for the merchant's grant, and the state in its authorize_url."""
    response = await connect(client, operator, customer_id=str(await add_customer()), **body)
    assert response.status_code == 201, response.text
    state = parse_qs(urlsplit(response.json()["authorize_url"]).query)["state"][0]
    return response.json()["store"], state


async def test_an_operator_connects_a_shop_for_a_customer_and_gets_the_authorize_url(
    client, operator, add_customer
):
    customer_id = await add_customer()
    response = await connect(
        client, operator, shop="https://admin.shopify.com/store/acme", customer_id=str(customer_id)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["store"]["status"] == "pending"
    assert body["store"]["shop"] == SHOP
    assert body["store"]["customer_id"] == str(customer_id)
    assert response.headers["Location"] == f"/v1/stores/{body['store']['id']}"
    url = urlsplit(body["authorize_url"])
    assert (url.scheme, url.netloc, url.path) == ("https", SHOP, "/admin/oauth/authorize")
    query = parse_qs(url.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == ["read_orders,write_products,write_merchant_managed_fulfillment_orders"]
    assert query["redirect_uri"] == [f"{PUBLIC_URL}/v1/connectors/shopify/callback"]
    assert len(query["state"][0]) >= 32
    assert "grant_options[]" not in query  # an offline token: no per-user grant


async def test_a_customer_admin_connects_a_shop_for_its_own_customer(client, auth, add_customer):
    customer_id = await add_customer()
    admin = bearer(auth.customer_user_token(customer_id=customer_id, role="admin"))
    response = await connect(client, admin)
    assert response.status_code == 201, response.text
    assert response.json()["store"]["customer_id"] == str(customer_id)


@pytest.mark.parametrize("role", ["store_manager", "order_manager", "viewer"])
async def test_other_customer_roles_may_not_connect_stores(client, auth, add_customer, role):
    customer_id = await add_customer()
    token = auth.customer_user_token(customer_id=customer_id, role=role, store_ids=[uuid.uuid4()])
    response = await connect(client, bearer(token))
    assert response.status_code == 403, response.text


async def test_connecting_without_a_token_is_401(client):
    assert (await connect(client, {})).status_code == 401


@pytest.mark.parametrize(
    "shop", ["acme.example.com", "https://admin.shopify.com/stores/acme", "-acme", "a b"]
)
async def test_a_bad_shop_is_422_naming_shop_with_the_fix(client, operator, add_customer, shop):
    response = await connect(client, operator, shop=shop, customer_id=str(await add_customer()))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["loc"] == ["body", "shop"]
    assert "myshopify.com" in problem["detail"]


async def test_an_unknown_or_archived_customer_is_422(client, operator, add_customer):
    for customer_id in (uuid.uuid4(), await add_customer(archived=True)):
        response = await connect(client, operator, customer_id=str(customer_id))
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["loc"] == ["body", "customer_id"]


@pytest.mark.parametrize(
    "return_url",
    ["https://evil.example/after", f"{PUBLIC_URL}.evil.example/after", "http://printbridge.example/after"],
)
async def test_a_return_url_outside_printbridge_is_422(client, operator, add_customer, return_url):
    response = await connect(client, operator, customer_id=str(await add_customer()), return_url=return_url)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "return_url"]


async def test_without_the_app_credentials_connecting_says_which_setting_to_set(
    database_url, auth, bus, tmp_path
):
    settings = shopify_settings(database_url, shopify_client_id="", data_dir=tmp_path)
    from connectors.main import create_app
    from connectors.models import KnownCustomer

    app = create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))
    async with running(app) as client:
        customer_id = uuid.uuid4()
        async with app.state.db.session() as session:
            session.add(KnownCustomer(id=customer_id, name="Acme", archived=False, version=1))
        response = await connect(client, bearer(auth.operator_token()), customer_id=str(customer_id))
    assert response.status_code == 503, response.text
    assert "PRINTBRIDGE_SHOPIFY_CLIENT_ID" in response.json()["detail"]


# The callback ----------------------------------------------------------------------------------------


def callback_params(state: str, **overrides: str) -> dict[str, str]:
    return {
        "code": "a-code",
        "host": "YWNtZS5teXNob3BpZnkuY29tL2FkbWlu",
        "shop": SHOP,
        "state": state,
        "timestamp": str(int(time.time())),
        **overrides,
    }


async def assert_nothing_changed(client, operator, store, state, app):
    detail = (await client.get(f"/v1/stores/{store['id']}", headers=operator)).json()
    assert detail["status"] == "pending"
    assert [h["kind"] for h in detail["history"]] == ["created"]
    async with app.state.db.read_session() as session:
        attempt = await session.get(ConnectAttempt, state_hash(state))
        assert attempt is not None and attempt.used_at is None


async def test_a_forged_callback_is_401_and_changes_nothing(
    client, operator, add_customer, app, sign_callback
):
    store, state = await pending_store(client, operator, add_customer)
    params = sign_callback(callback_params(state))
    params["code"] = "another-code"  # signed for a different code
    response = await client.get("/v1/connectors/shopify/callback", params=params)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert "not signed by Shopify" in response.text
    await assert_nothing_changed(client, operator, store, state, app)


async def test_a_callback_whose_timestamp_is_too_old_changes_nothing(
    client, operator, add_customer, app, sign_callback
):
    store, state = await pending_store(client, operator, add_customer)
    params = sign_callback(callback_params(state, timestamp=str(int(time.time()) - 300)))
    response = await client.get("/v1/connectors/shopify/callback", params=params)
    assert response.status_code == 400
    assert "expired" in response.text
    await assert_nothing_changed(client, operator, store, state, app)


async def test_a_callback_for_another_shop_changes_nothing(
    client, operator, add_customer, app, sign_callback
):
    store, state = await pending_store(client, operator, add_customer)
    params = sign_callback(callback_params(state, shop="evil.myshopify.com"))
    response = await client.get("/v1/connectors/shopify/callback", params=params)
    assert response.status_code == 400
    assert "another shop" in response.text
    await assert_nothing_changed(client, operator, store, state, app)


async def test_a_callback_with_an_unknown_state_changes_nothing(
    client, operator, add_customer, app, sign_callback
):
    store, state = await pending_store(client, operator, add_customer)
    response = await client.get(
        "/v1/connectors/shopify/callback", params=sign_callback(callback_params("made-up"))
    )
    assert response.status_code == 400
    await assert_nothing_changed(client, operator, store, state, app)


async def test_a_callback_after_the_state_expired_changes_nothing(
    client, operator, add_customer, app, sign_callback
):
    store, state = await pending_store(client, operator, add_customer)
    async with app.state.db.session() as session:  # ten minutes later
        await session.execute(
            update(ConnectAttempt).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    response = await client.get(
        "/v1/connectors/shopify/callback", params=sign_callback(callback_params(state))
    )
    assert response.status_code == 400
    assert "expired" in response.text
    await assert_nothing_changed(client, operator, store, state, app)


async def test_a_declined_grant_says_so_and_changes_nothing(client, operator, add_customer, app):
    store, state = await pending_store(client, operator, add_customer)
    params = {
        "error": "access_denied",
        "error_description": "The merchant declined",
        "state": state,
        "shop": SHOP,
    }
    response = await client.get("/v1/connectors/shopify/callback", params=params)
    assert response.status_code == 400
    assert "not granted" in response.text
    await assert_nothing_changed(client, operator, store, state, app)


# Webhooks ------------------------------------------------------------------------------------------


async def deliver(client, body: bytes, headers):
    return await client.post("/v1/webhooks/shopify", content=body, headers=headers)


async def test_a_forged_webhook_is_401_and_nothing_is_kept(
    client, operator, add_customer, rest_order, webhook_headers, deliveries, events
):
    await pending_store(client, operator, add_customer)
    body = json.dumps(rest_order()).encode()
    headers = webhook_headers(body, topic="orders/create", shop=SHOP, secret="not-the-secret")
    response = await deliver(client, body, headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    good = webhook_headers(body, topic="orders/create", shop=SHOP)
    assert (await deliver(client, body + b" ", good)).status_code == 401  # signed bytes, changed body
    assert await deliveries() == []
    assert await events("shop_order.received") == []


async def test_an_order_webhook_becomes_one_received_event_with_exact_ids(
    client, operator, add_customer, rest_order, webhook_headers, deliveries, events
):
    store, _ = await pending_store(client, operator, add_customer)
    body = json.dumps(rest_order(), ensure_ascii=False).encode()
    response = await deliver(client, body, webhook_headers(body, topic="orders/create", shop=SHOP))
    assert response.status_code == 200, response.text
    (kept,) = await deliveries()
    assert (kept.topic, kept.outcome, kept.body) == ("orders/create", "published", body)
    (event,) = await events("shop_order.received")
    data = event["data"]
    assert data["store_id"] == store["id"]
    assert data["external_id"] == "5912345678901234567"
    assert data["line_items"][0]["external_id"] == "14123456789012345678"
    assert data["total_price"] == "64.90"
    assert data["line_items"][0]["properties"][0] == {
        "name": "_artwork_url",
        "value": "https://cdn.example.com/u/abc123.pdf",
    }


async def test_a_repeated_delivery_of_one_change_publishes_once(
    client, operator, add_customer, rest_order, webhook_headers, deliveries, events
):
    await pending_store(client, operator, add_customer)
    body = json.dumps(rest_order()).encode()
    event_id = str(uuid.uuid4())
    for _ in range(3):  # new X-Shopify-Webhook-Id each time, one X-Shopify-Event-Id
        response = await deliver(
            client, body, webhook_headers(body, topic="orders/create", shop=SHOP, event_id=event_id)
        )
        assert response.status_code == 200
    assert len(await deliveries()) == 1
    assert len(await events("shop_order.received")) == 1


async def test_an_older_version_arriving_late_publishes_nothing(
    client, operator, add_customer, rest_order, webhook_headers, deliveries, events
):
    await pending_store(client, operator, add_customer)
    newer = json.dumps(rest_order(updated_at="2025-10-14T10:00:00+02:00", note="changed")).encode()
    older = json.dumps(rest_order()).encode()
    await deliver(client, newer, webhook_headers(newer, topic="orders/updated", shop=SHOP))
    await deliver(client, older, webhook_headers(older, topic="orders/create", shop=SHOP))
    assert [d.outcome for d in await deliveries()] == ["published", "stale"]
    (event,) = await events("shop_order.received")
    assert event["data"]["note"] == "changed"
    assert await events("shop_order.updated") == []


async def test_a_cancellation_webhook_publishes_cancelled(
    client, operator, add_customer, rest_order, webhook_headers, events
):
    await pending_store(client, operator, add_customer)
    created = json.dumps(rest_order()).encode()
    cancelled = json.dumps(
        rest_order(
            updated_at="2025-10-15T10:00:00+02:00",
            cancelled_at="2025-10-15T10:00:00+02:00",
            cancel_reason="customer",
        )
    ).encode()
    await deliver(client, created, webhook_headers(created, topic="orders/create", shop=SHOP))
    await deliver(client, cancelled, webhook_headers(cancelled, topic="orders/cancelled", shop=SHOP))
    (event,) = await events("shop_order.cancelled")
    assert event["data"]["cancel_reason"] == "customer"


async def test_an_order_that_cannot_be_read_is_kept_as_failed_and_answered_200(
    client, operator, add_customer, webhook_headers, deliveries, events
):
    await pending_store(client, operator, add_customer)
    body = json.dumps({"id": 1, "currency": "EUR", "total_price": "many"}).encode()
    response = await deliver(client, body, webhook_headers(body, topic="orders/create", shop=SHOP))
    assert response.status_code == 200
    (kept,) = await deliveries()
    assert kept.outcome == "failed" and "total_price" in kept.error
    assert await events("shop_order.received") == []


async def test_a_delivery_for_a_shop_no_store_knows_is_404_and_not_kept(
    client, rest_order, webhook_headers, deliveries
):
    body = json.dumps(rest_order()).encode()
    response = await deliver(
        client, body, webhook_headers(body, topic="orders/create", shop="nobody.myshopify.com")
    )
    assert response.status_code == 404
    assert await deliveries() == []


@pytest.mark.parametrize("topic", ["customers/data_request", "customers/redact", "shop/redact"])
async def test_compliance_webhooks_are_verified_kept_and_answered_200(
    client, operator, add_customer, webhook_headers, deliveries, topic
):
    await pending_store(client, operator, add_customer)
    body = json.dumps({"shop_id": 954889, "shop_domain": SHOP}).encode()
    assert (
        await deliver(client, body, webhook_headers(body, topic=topic, shop=SHOP, secret="wrong"))
    ).status_code == 401
    assert (await deliver(client, body, webhook_headers(body, topic=topic, shop=SHOP))).status_code == 200
    assert [(d.topic, d.outcome) for d in await deliveries()] == [(topic, "ignored")]
    other = webhook_headers(body, topic=topic, shop="gone.myshopify.com")
    assert (await deliver(client, body, other)).status_code == 200


async def test_app_uninstalled_disconnects_the_store(
    client, operator, add_customer, webhook_headers, events, store_row
):
    store, _ = await pending_store(client, operator, add_customer)
    body = json.dumps({"id": 548380009, "name": "Acme", "myshopify_domain": SHOP}).encode()
    response = await deliver(client, body, webhook_headers(body, topic="app/uninstalled", shop=SHOP))
    assert response.status_code == 200
    row = await store_row(uuid.UUID(store["id"]))
    assert row.status == "disconnected" and row.credentials is None
    (event,) = await events("store.disconnected")
    assert event["data"]["store_id"] == store["id"]
    # the shop's redaction request 48 h later still finds the store; an order webhook does not
    redact = json.dumps({"shop_id": 548380009, "shop_domain": SHOP}).encode()
    assert (
        await deliver(client, redact, webhook_headers(redact, topic="shop/redact", shop=SHOP))
    ).status_code == 200
    order = json.dumps({"id": 1}).encode()
    assert (
        await deliver(client, order, webhook_headers(order, topic="orders/create", shop=SHOP))
    ).status_code == 410


async def test_a_signed_delivery_without_topic_or_shop_is_400(client, webhook_headers):
    body = b"{}"
    headers = webhook_headers(body, topic="orders/create", shop=SHOP)
    del headers["X-Shopify-Topic"]
    assert (await deliver(client, body, headers)).status_code == 400


async def test_reconnect_answers_a_new_authorize_url_for_the_same_store(client, operator, add_customer, app):
    store, first_state = await pending_store(client, operator, add_customer)
    response = await client.post(f"/v1/stores/{store['id']}/reconnect", headers=operator)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["store"]["id"] == store["id"]
    state = parse_qs(urlsplit(body["authorize_url"]).query)["state"][0]
    assert state != first_state
    async with app.state.db.read_session() as session:
        attempts = (await session.scalars(select(ConnectAttempt))).all()
    assert {a.state_hash for a in attempts} == {state_hash(first_state), state_hash(state)}


async def test_reconnect_needs_stores_manage(client, auth, operator, add_customer):
    store, _ = await pending_store(client, operator, add_customer)
    viewer = bearer(auth.customer_user_token(customer_id=uuid.UUID(store["customer_id"]), role="viewer"))
    assert (await client.post(f"/v1/stores/{store['id']}/reconnect", headers=viewer)).status_code == 403


async def test_a_repeat_of_one_change_with_another_body_is_kept_once_and_publishes_nothing_more(
    client, operator, add_customer, rest_order, webhook_headers, deliveries, events
):
    await pending_store(client, operator, add_customer)
    event_id = str(uuid.uuid4())
    first = json.dumps(rest_order()).encode()
    later = json.dumps(rest_order(updated_at="2025-10-14T10:00:00+02:00", note="changed")).encode()
    for body in (first, later):
        headers = webhook_headers(body, topic="orders/create", shop=SHOP, event_id=event_id)
        assert (await deliver(client, body, headers)).status_code == 200
    (kept,) = await deliveries()
    assert (kept.body, kept.outcome) == (first, "published")
    assert len(await events("shop_order.received")) == 1
    assert await events("shop_order.updated") == []


async def test_an_unreadable_order_delivered_again_is_kept_once(
    client, operator, add_customer, webhook_headers, deliveries
):
    await pending_store(client, operator, add_customer)
    body = json.dumps({"id": 1, "currency": "EUR", "total_price": "many"}).encode()
    event_id = str(uuid.uuid4())
    for _ in range(2):
        headers = webhook_headers(body, topic="orders/create", shop=SHOP, event_id=event_id)
        assert (await deliver(client, body, headers)).status_code == 200
    (kept,) = await deliveries()
    assert kept.outcome == "failed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"return_url": "https://evil.example/after"}, "return_url"),
        ({"return_url": "x" * 2001}, "return_url"),
        ({"shop": "other.myshopify.com"}, "shop"),
    ],
)
async def test_a_bad_reconnect_request_is_422_naming_the_field(client, operator, add_customer, body, field):
    store, _ = await pending_store(client, operator, add_customer)
    response = await client.post(f"/v1/stores/{store['id']}/reconnect", json=body, headers=operator)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"][-1] == field


async def test_reconnect_of_a_malformed_or_unknown_store_id_is_422_or_404(client, operator):
    malformed = await client.post("/v1/stores/not-a-uuid/reconnect", headers=operator)
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["loc"] == ["path", "store_id"]
    unknown = await client.post(f"/v1/stores/{uuid.uuid4()}/reconnect", headers=operator)
    assert unknown.status_code == 404


async def test_who_may_not_reconnect_a_store(client, auth, operator, add_customer):
    store, _ = await pending_store(client, operator, add_customer)
    path = f"/v1/stores/{store['id']}/reconnect"
    own_customer = uuid.UUID(store["customer_id"])
    order_manager = bearer(auth.customer_user_token(customer_id=own_customer, role="order_manager"))
    other_admin = bearer(auth.customer_user_token(customer_id=uuid.uuid4(), role="admin"))
    other_store_manager = bearer(
        auth.customer_user_token(customer_id=own_customer, role="store_manager", store_ids=[uuid.uuid4()])
    )
    assert (await client.post(path)).status_code == 401
    assert (await client.post(path, headers=order_manager)).status_code == 403
    assert (await client.post(path, headers=other_admin)).status_code == 404
    assert (await client.post(path, headers=other_store_manager)).status_code == 404


async def test_a_disconnected_store_cannot_be_reconnected(client, operator, add_customer):
    store, _ = await pending_store(client, operator, add_customer)
    assert (await client.delete(f"/v1/stores/{store['id']}", headers=operator)).status_code == 204
    response = await client.post(f"/v1/stores/{store['id']}/reconnect", headers=operator)
    assert response.status_code == 409
    assert response.json()["type"].endswith("store-disconnected")


async def test_the_name_given_at_connect_is_trimmed_and_a_blank_one_refused(client, operator, add_customer):
    customer_id = str(await add_customer())
    named = await connect(client, operator, customer_id=customer_id, name="  Acme EU  ")
    assert named.status_code == 201, named.text
    assert named.json()["store"]["name"] == "Acme EU"
    blank = await connect(client, operator, customer_id=customer_id, shop="other", name="   ")
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["loc"][-1] == "name"
