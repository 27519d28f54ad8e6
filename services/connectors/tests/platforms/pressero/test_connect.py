"""POST /v1/stores for Pressero: the integration-id rule before anything else, the token request that
verifies the credentials, the webhook setup shown (and shown again, and rotated) to who may manage it."""

import uuid

import httpx
import pytest
from fastapi import FastAPI

from printbridge_shared.events.contracts import Platform
from printbridge_shared.testing import AuthKeys, bearer, free_port

from .conftest import DOMAIN, REFERENCE, Sandbox, connect_body, known_customer, store_row

pytestmark = pytest.mark.postgres_only


async def test_an_integration_id_other_than_the_customers_reference_id_is_refused_before_any_call(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, operator_headers: dict[str, str]
) -> None:
    account = await sandbox.new_account()
    customer = await known_customer(app, "OTHER-7")
    body = connect_body(sandbox, account, customer, integration_id="ACME-001")
    answer = await client.post("/v1/stores", json=body, headers=operator_headers)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"].endswith("integration-id-mismatch")
    assert "'ACME-001'" in problem["detail"] and "'OTHER-7'" in problem["detail"]
    assert (
        "reference id in Printbridge" in problem["detail"]
        and "integration id in Pressero" in problem["detail"]
    )
    assert problem["errors"][0]["loc"] == ["body", "integration_id"]
    assert await sandbox.calls(account) == []


async def test_a_customer_without_a_reference_id_is_refused_before_any_call(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, operator_headers: dict[str, str]
) -> None:
    account = await sandbox.new_account()
    customer = await known_customer(app, None)
    answer = await client.post(
        "/v1/stores", json=connect_body(sandbox, account, customer), headers=operator_headers
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"].endswith("reference-id-missing")
    assert f"reference id to '{REFERENCE}'" in answer.json()["detail"]
    assert await sandbox.calls(account) == []


async def test_the_integration_id_is_compared_regardless_of_case_and_spaces(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, operator_headers: dict[str, str]
) -> None:
    account = await sandbox.new_account()
    customer = await known_customer(app, REFERENCE)
    body = connect_body(sandbox, account, customer, integration_id=f" {REFERENCE.lower()} ")
    assert (await client.post("/v1/stores", json=body, headers=operator_headers)).status_code == 201


async def test_the_right_integration_id_and_credentials_connect_with_the_webhook_setup_shown(
    app: FastAPI,
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    customer_id: uuid.UUID,
    operator_headers: dict[str, str],
) -> None:
    account = await sandbox.new_account()
    answer = await client.post(
        "/v1/stores", json=connect_body(sandbox, account, customer_id), headers=operator_headers
    )
    assert answer.status_code == 201, answer.text
    store, setup = answer.json()["store"], answer.json()["setup"]
    assert store["status"] == "connected" and store["platform"] == "pressero" and store["shop"] == DOMAIN
    assert answer.json()["authorize_url"] is None
    assert setup["webhook_url"].endswith(f"/v1/webhooks/pressero/{store['id']}")
    assert len(setup["security_key"]) >= 32
    assert {"OrderPlaced", "OrderItemApproved", "OrderItemDenied"} <= set(setup["events"])
    assert "Preferences > Webhooks" in setup["instructions"]
    assert (await sandbox.calls(account))[0]["path"] == "/api/token"
    assert (await store_row(app, store["id"])).credentials is not None


@pytest.mark.parametrize("wrong", ["password", "username", "subscriber_id", "consumer_id"])
async def test_refused_credentials_are_422_naming_what_to_check(
    wrong: str,
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    customer_id: uuid.UUID,
    operator_headers: dict[str, str],
) -> None:
    account = await sandbox.new_account()
    body = connect_body(sandbox, account, customer_id, **{wrong: "not-right"})
    answer = await client.post("/v1/stores", json=body, headers=operator_headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"].endswith("auth-failed")
    assert "subscriber id, consumer id, user name and password" in answer.json()["detail"]


async def test_an_unreachable_admin_host_is_422_with_its_cause(
    client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID, operator_headers: dict[str, str]
) -> None:
    account = await sandbox.new_account()
    body = connect_body(sandbox, account, customer_id, admin_url=f"http://127.0.0.1:{free_port()}")
    answer = await client.post("/v1/stores", json=body, headers=operator_headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"].endswith("unreachable")
    assert answer.json()["errors"][0]["loc"] == ["body", "admin_url"]


async def test_an_address_that_is_not_pressero_is_422(
    client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID, operator_headers: dict[str, str]
) -> None:
    account = await sandbox.new_account()
    body = connect_body(sandbox, account, customer_id, admin_url=f"{sandbox.url}/_sandbox/pressero")
    answer = await client.post("/v1/stores", json=body, headers=operator_headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"].endswith("not-pressero")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("site_domain", "not a domain"),
        ("admin_url", "ftp://admin.example"),
        ("password", ""),
        ("currency", "US"),
    ],
)
async def test_bad_fields_are_422_naming_the_field(
    field: str,
    value: str,
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    customer_id: uuid.UUID,
    operator_headers: dict[str, str],
) -> None:
    account = await sandbox.new_account()
    answer = await client.post(
        "/v1/stores",
        json=connect_body(sandbox, account, customer_id, **{field: value}),
        headers=operator_headers,
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"][-1] == field


async def test_a_second_store_for_the_same_site_is_409(
    client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID, operator_headers: dict[str, str]
) -> None:
    account = await sandbox.new_account()
    body = connect_body(sandbox, account, customer_id)
    assert (await client.post("/v1/stores", json=body, headers=operator_headers)).status_code == 201
    assert (await client.post("/v1/stores", json=body, headers=operator_headers)).status_code == 409


async def test_the_setup_is_shown_again_and_its_key_rotated_by_who_manages_the_store(
    client: httpx.AsyncClient, connected, customer_id: uuid.UUID, auth: AuthKeys
) -> None:
    store = await connected(webhooks=False)
    manager = bearer(
        auth.customer_user_token(customer_id, "store_manager", store_ids=[uuid.UUID(store.store_id)])
    )
    shown = await client.get(f"/v1/stores/{store.store_id}/webhook-setup", headers=manager)
    assert shown.status_code == 200, shown.text
    assert shown.json() == store.setup
    rotated = await client.post(f"/v1/stores/{store.store_id}/webhook-setup/rotate", headers=manager)
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["security_key"] != store.setup["security_key"]
    assert rotated.json()["webhook_url"] == store.setup["webhook_url"]
    again = await client.get(f"/v1/stores/{store.store_id}/webhook-setup", headers=manager)
    assert again.json()["security_key"] == rotated.json()["security_key"]


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("order_manager", 403), ("other", 404), (None, 401)]
)
async def test_who_may_not_see_or_rotate_the_setup(
    role: str | None,
    status: int,
    client: httpx.AsyncClient,
    connected,
    customer_id: uuid.UUID,
    auth: AuthKeys,
) -> None:
    store = await connected(webhooks=False)
    if role is None:
        headers: dict[str, str] = {}
    elif role == "other":
        headers = bearer(auth.customer_user_token(uuid.uuid4(), "admin"))
    else:
        headers = bearer(auth.customer_user_token(customer_id, role))
    assert (
        await client.get(f"/v1/stores/{store.store_id}/webhook-setup", headers=headers)
    ).status_code == status
    rotate = await client.post(f"/v1/stores/{store.store_id}/webhook-setup/rotate", headers=headers)
    assert rotate.status_code == status


async def test_a_disconnected_store_has_no_setup(
    client: httpx.AsyncClient, connected, operator_headers: dict[str, str]
) -> None:
    store = await connected(webhooks=False)
    assert (await client.delete(f"/v1/stores/{store.store_id}", headers=operator_headers)).status_code == 204
    answer = await client.get(f"/v1/stores/{store.store_id}/webhook-setup", headers=operator_headers)
    assert answer.status_code == 409


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("order_manager", 403), ("other", 404), (None, 401)]
)
async def test_who_may_not_update_the_credentials(
    role: str | None,
    status: int,
    client: httpx.AsyncClient,
    connected,
    customer_id: uuid.UUID,
    auth: AuthKeys,
) -> None:
    store = await connected(webhooks=False)
    if role is None:
        headers: dict[str, str] = {}
    elif role == "other":
        headers = bearer(auth.customer_user_token(uuid.uuid4(), "admin"))
    else:
        headers = bearer(auth.customer_user_token(customer_id, role))
    answer = await client.put(
        f"/v1/stores/{store.store_id}/credentials", json={"password": "x"}, headers=headers
    )
    assert answer.status_code == status


async def test_credentials_need_a_password_and_nothing_else(
    client: httpx.AsyncClient, connected, operator_headers: dict[str, str]
) -> None:
    store = await connected(webhooks=False)
    path = f"/v1/stores/{store.store_id}/credentials"
    for body, field in (
        ({}, "password"),
        ({"password": "x", "token": "y"}, "token"),
        ({"password": ""}, "password"),
    ):
        answer = await client.put(path, json=body, headers=operator_headers)
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["loc"][-1] == field


async def test_other_platforms_have_no_webhook_setup_nor_credentials_to_update(
    client: httpx.AsyncClient, make_store, customer_id: uuid.UUID, operator_headers: dict[str, str]
) -> None:
    store = await make_store(customer_id, platform=Platform.woocommerce, shop_key="https://shop.example")
    setup = await client.get(f"/v1/stores/{store.id}/webhook-setup", headers=operator_headers)
    assert setup.status_code == 409 and setup.json()["type"].endswith("webhook-setup-not-supported")
    rotate = await client.post(f"/v1/stores/{store.id}/webhook-setup/rotate", headers=operator_headers)
    assert rotate.status_code == 409
    login = await client.put(
        f"/v1/stores/{store.id}/credentials", json={"password": "x"}, headers=operator_headers
    )
    assert login.status_code == 409 and login.json()["type"].endswith("credentials-update-not-supported")
