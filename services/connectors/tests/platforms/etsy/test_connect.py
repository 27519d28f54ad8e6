"""POST /v1/stores for Etsy and the OAuth callback, through HTTP, with Etsy answering as documented."""

import datetime as dt
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import update

from connectors.main import create_app
from connectors.models import ConnectAttempt, Store
from connectors.platforms.etsy import pkce
from connectors.store.service import state_hash
from printbridge_shared.app import Runtime
from printbridge_shared.testing import bearer, running

from .conftest import KEYSTRING, PUBLIC_URL, SHOP_ID, USER_ID, etsy_settings

CALLBACK = "/v1/connectors/etsy/callback"


async def connect(client, headers, **body):
    return await client.post("/v1/stores", json={"platform": "etsy", **body}, headers=headers)


async def pending_store(client, operator, add_customer, **body):
    response = await connect(client, operator, customer_id=str(await add_customer()), **body)
    assert response.status_code == 201, response.text
    query = parse_qs(urlsplit(response.json()["authorize_url"]).query)
    return response.json()["store"], query


async def test_connecting_answers_a_pending_store_and_etsys_authorize_url_with_pkce(
    client, operator, add_customer
):
    store, query = await pending_store(client, operator, add_customer)
    assert store["status"] == "pending"
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [KEYSTRING]
    assert query["redirect_uri"] == [f"{PUBLIC_URL}{CALLBACK}"]
    assert query["scope"] == ["transactions_r transactions_w listings_r listings_w shops_r email_r"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43 and "=" not in query["code_challenge"][0]
    assert len(query["state"][0]) >= 32


async def test_the_callback_exchanges_the_code_with_the_verifier_and_connects_the_shop(
    client, operator, add_customer, etsy, events
):
    store, query = await pending_store(client, operator, add_customer, return_url=f"{PUBLIC_URL}/done")
    response = await client.get(CALLBACK, params={"code": "good-code", "state": query["state"][0]})
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(f"{PUBLIC_URL}/done?store_id={store['id']}")
    (exchange,) = etsy.token_calls
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["redirect_uri"] == f"{PUBLIC_URL}{CALLBACK}"
    assert pkce.challenge(exchange["code_verifier"]) == query["code_challenge"][0]
    (shop_lookup, *_polls) = etsy.requests
    assert shop_lookup.url.path == f"/v3/application/users/{USER_ID}/shops"
    body = (await client.get(f"/v1/stores/{store['id']}", headers=operator)).json()
    assert (body["status"], body["shop"], body["name"]) == ("connected", str(SHOP_ID), "JamiesMaps")
    assert len(await events("store.connected")) == 1


async def test_a_name_given_at_connect_is_kept(client, operator, add_customer):
    store, query = await pending_store(client, operator, add_customer, name="Maps on Etsy")
    await client.get(CALLBACK, params={"code": "good-code", "state": query["state"][0]})
    body = (await client.get(f"/v1/stores/{store['id']}", headers=operator)).json()
    assert body["name"] == "Maps on Etsy"


async def test_a_state_used_once_is_refused_the_second_time(client, operator, add_customer):
    _store, query = await pending_store(client, operator, add_customer)
    params = {"code": "good-code", "state": query["state"][0]}
    assert (await client.get(CALLBACK, params=params)).status_code == 200
    again = await client.get(CALLBACK, params=params)
    assert again.status_code == 409
    assert "used already" in again.text


async def test_an_expired_state_is_refused_and_the_store_stays_pending(
    client, app, operator, add_customer, etsy
):
    store, query = await pending_store(client, operator, add_customer)
    async with app.state.db.session() as session:
        await session.execute(
            update(ConnectAttempt)
            .where(ConnectAttempt.state_hash == state_hash(query["state"][0]))
            .values(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        )
    response = await client.get(CALLBACK, params={"code": "good-code", "state": query["state"][0]})
    assert response.status_code == 400
    assert "expired" in response.text
    assert etsy.token_calls == []
    assert (await client.get(f"/v1/stores/{store['id']}", headers=operator)).json()["status"] == "pending"


async def test_a_seller_who_declines_gets_a_page_saying_so(client, operator, add_customer, etsy):
    _store, query = await pending_store(client, operator, add_customer)
    response = await client.get(
        CALLBACK,
        params={
            "error": "access_denied",
            "error_description": "The user denied the request",
            "state": query["state"][0],
        },
    )
    assert response.status_code == 400
    assert "declined" in response.text
    assert etsy.token_calls == []


async def test_an_unknown_state_or_a_refused_code_changes_nothing(client, operator, add_customer):
    unknown = await client.get(CALLBACK, params={"code": "good-code", "state": "made-up"})
    assert unknown.status_code == 400
    store, query = await pending_store(client, operator, add_customer)
    refused = await client.get(CALLBACK, params={"code": "stolen-code", "state": query["state"][0]})
    assert refused.status_code == 400
    assert "refused" in refused.text
    assert (await client.get(f"/v1/stores/{store['id']}", headers=operator)).json()["status"] == "pending"


async def test_reconnecting_gives_the_store_new_credentials(client, app, operator, etsy, connected_store):
    store = await connected_store()
    response = await client.post(f"/v1/stores/{store.id}/reconnect", json={}, headers=operator)
    assert response.status_code == 200, response.text
    state = parse_qs(urlsplit(response.json()["authorize_url"]).query)["state"][0]
    assert (await client.get(CALLBACK, params={"code": "good-code", "state": state})).status_code == 200
    async with app.state.db.read_session() as session:
        row = await session.get(Store, store.id)
    assert app.state.platforms.box.open(row.credentials)["refresh_token"] == "rt-2"
    assert row.shop_key == str(SHOP_ID)


async def test_a_customer_admin_connects_for_its_own_customer(client, auth, add_customer):
    customer_id = await add_customer()
    admin = bearer(auth.customer_user_token(customer_id=customer_id, role="admin"))
    response = await connect(client, admin)
    assert response.status_code == 201, response.text
    assert response.json()["store"]["customer_id"] == str(customer_id)


@pytest.mark.parametrize("role", ["store_manager", "order_manager", "viewer"])
async def test_other_roles_may_not_connect(client, auth, add_customer, role):
    token = auth.customer_user_token(customer_id=await add_customer(), role=role, store_ids=[uuid.uuid4()])
    assert (await connect(client, bearer(token))).status_code == 403


async def test_connecting_without_a_token_is_401(client):
    assert (await connect(client, {})).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [({"shop": "x"}, "shop"), ({"return_url": "https://elsewhere.example/"}, "return_url")],
)
async def test_bad_input_is_422_naming_the_field(client, operator, add_customer, body, field):
    response = await connect(client, operator, customer_id=str(await add_customer()), **body)
    assert response.status_code == 422, response.text
    assert field in response.text


async def test_without_a_keystring_connecting_says_which_setting_to_set(
    database_url, auth, bus, operator, add_customer
):
    customer_id = await add_customer()
    unconfigured = create_app(
        etsy_settings(database_url, etsy_keystring=""), Runtime(bus=bus, auth_http=auth.http_client())
    )
    async with running(unconfigured) as other:
        response = await connect(other, operator, customer_id=str(customer_id))
    assert response.status_code == 503, response.text
    assert "PRINTBRIDGE_ETSY_KEYSTRING" in response.json()["detail"]


async def test_a_shop_that_another_store_has_is_refused_and_the_new_store_stays_pending(
    client, operator, add_customer, connected_store
):
    await connected_store()
    store, query = await pending_store(client, operator, add_customer)
    response = await client.get(CALLBACK, params={"code": "good-code", "state": query["state"][0]})
    assert response.status_code == 409
    assert "connected already" in response.text
    assert (await client.get(f"/v1/stores/{store['id']}", headers=operator)).json()["status"] == "pending"


async def test_a_reconnect_granted_for_another_shop_is_refused(client, app, operator, connected_store):
    store = await connected_store()
    async with app.state.db.session() as session:
        await session.execute(update(Store).where(Store.id == store.id).values(shop_key="11111111"))
    response = await client.post(f"/v1/stores/{store.id}/reconnect", json={}, headers=operator)
    state = parse_qs(urlsplit(response.json()["authorize_url"]).query)["state"][0]
    callback = await client.get(CALLBACK, params={"code": "good-code", "state": state})
    assert callback.status_code == 400
    assert "another Etsy shop" in callback.text
    async with app.state.db.read_session() as session:
        row = await session.get(Store, store.id)
    assert app.state.platforms.box.open(row.credentials)["refresh_token"] == "rt-1"


async def test_a_token_refused_right_after_the_exchange_is_refreshed_and_the_new_one_kept(
    client, app, operator, add_customer, etsy
):
    store, query = await pending_store(client, operator, add_customer)
    etsy.answers = [httpx.Response(401, json={"error": "invalid_token"})]
    response = await client.get(CALLBACK, params={"code": "good-code", "state": query["state"][0]})
    assert response.status_code == 200, response.text
    assert [c["grant_type"] for c in etsy.token_calls] == ["authorization_code", "refresh_token"]
    async with app.state.db.read_session() as session:
        row = await session.get(Store, uuid.UUID(store["id"]))
    assert app.state.platforms.box.open(row.credentials)["refresh_token"] == "rt-3"
