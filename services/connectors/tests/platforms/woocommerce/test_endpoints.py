"""POST /v1/stores for WooCommerce: who may connect a shop, and bad input refused naming the field."""

import uuid

import httpx
import pytest

from printbridge_shared.testing import AuthKeys, bearer

from .conftest import Sandbox, connect


@pytest.mark.parametrize("role", ["admin", "operator"])
async def test_an_operator_for_a_customer_and_the_customers_admin_connect_a_shop(
    role: str, client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID, auth: AuthKeys
) -> None:
    shop = await sandbox.new_shop()
    if role == "operator":
        answer = await connect(client, bearer(auth.operator_token()), shop, customer_id)
    else:
        answer = await connect(client, bearer(auth.customer_user_token(customer_id, "admin")), shop, None)
    assert answer.status_code == 201, answer.text
    assert answer.json()["store"]["customer_id"] == str(customer_id)
    assert answer.headers["location"] == f"/v1/stores/{answer.json()['store']['id']}"


@pytest.mark.parametrize("role", ["store_manager", "order_manager", "viewer"])
async def test_other_customer_roles_may_not_connect_a_shop(
    role: str, client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID, auth: AuthKeys
) -> None:
    shop = await sandbox.new_shop()
    answer = await connect(client, bearer(auth.customer_user_token(customer_id, role)), shop, None)
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert await sandbox.calls(shop.slug) == []


async def test_connecting_without_a_token_is_401(
    client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID
) -> None:
    shop = await sandbox.new_shop()
    answer = await connect(client, {}, shop, customer_id)
    assert answer.status_code == 401
    assert await sandbox.calls(shop.slug) == []


GOOD = {
    "platform": "woocommerce",
    "url": "https://shop.example",
    "consumer_key": "ck_1",
    "consumer_secret": "cs_1",
}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({k: v for k, v in GOOD.items() if k != "url"}, "url"),
        ({**GOOD, "url": ""}, "url"),
        ({**GOOD, "url": "ftp://shop.example"}, "url"),
        ({**GOOD, "url": "not a shop"}, "url"),
        ({**GOOD, "url": "https://" + "a" * 600 + ".example"}, "url"),
        ({k: v for k, v in GOOD.items() if k != "consumer_key"}, "consumer_key"),
        ({**GOOD, "consumer_secret": ""}, "consumer_secret"),
        ({**GOOD, "consumer_key": 42}, "consumer_key"),
        ({**GOOD, "name": ""}, "name"),
        ({**GOOD, "customer_id": "acme"}, "customer_id"),
        ({**GOOD, "webhook_secret": "mine"}, "webhook_secret"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    body: dict, field: str, client: httpx.AsyncClient, customer_id: uuid.UUID, operator_headers
) -> None:
    body = {"customer_id": str(customer_id), **body}
    answer = await client.post("/v1/stores", json=body, headers=operator_headers)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in [error["loc"][-1] for error in answer.json()["errors"]], answer.json()


async def test_an_operator_must_name_the_customer(client: httpx.AsyncClient, operator_headers) -> None:
    answer = await client.post("/v1/stores", json=GOOD, headers=operator_headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "customer_id"]


async def test_a_shop_connected_twice_is_a_conflict(
    client: httpx.AsyncClient, sandbox: Sandbox, customer_id: uuid.UUID, operator_headers
) -> None:
    shop = await sandbox.new_shop()
    assert (await connect(client, operator_headers, shop, customer_id)).status_code == 201
    shop.url = shop.url.replace("https://", "HTTPS://") + "/?utm_source=mail"  # the same shop
    again = await connect(client, operator_headers, shop, customer_id)
    assert again.status_code == 409, again.text
    webhooks = (await sandbox.site(shop.slug))["webhooks"]
    assert len(webhooks) == 6  # the refused connect left none of its own behind
