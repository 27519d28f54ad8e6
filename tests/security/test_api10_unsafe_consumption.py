"""OWASP API10:2023 Unsafe Consumption of APIs: what Printbridge takes from platforms is checked before it
is believed. Webhooks without the platform's valid signature change nothing; a shop (whose address a user
gave) that answers endlessly or with garbage cannot make connectors hold more than the cap or fail with a
server error; the store shows the problem instead. Orders and products from platforms are validated on
the way in (their tests: services/connectors/tests/platforms/*/test_normalise.py, test_webhooks.py)."""

import asyncio
import base64
import hashlib
import hmac
import json

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from printbridge_sandbox.serving import running

pytestmark = pytest.mark.asyncio(loop_scope="module")

ORDER = json.dumps({"id": 999001, "status": "processing", "line_items": []}).encode()


def forged_signature(body: bytes) -> str:
    return base64.b64encode(hmac.new(b"a guessed secret", body, hashlib.sha256).digest()).decode()


async def orders_of(world) -> list[str]:
    listed = await world.call("operator", "GET", "/v1/orders", params={"limit": 200})
    return sorted(item["id"] for item in listed.json()["items"])


async def test_webhooks_without_a_valid_signature_change_nothing(world):
    before = await orders_of(world)
    woo = f"/v1/webhooks/woocommerce/{world.a.woo_store}"
    attempts = [
        (woo, {"X-WC-Webhook-Topic": "order.created", "X-WC-Webhook-Resource": "order"}),
        (woo, {"X-WC-Webhook-Topic": "order.created", "X-WC-Webhook-Signature": forged_signature(ORDER)}),
        (
            "/v1/webhooks/shopify",
            {"X-Shopify-Topic": "orders/create", "X-Shopify-Hmac-Sha256": forged_signature(ORDER)},
        ),
        (
            "/v1/webhooks/shopify",
            {"X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": "x.myshopify.com"},
        ),
        (
            "/v1/webhooks/etsy",
            {"webhook-id": "msg_1", "webhook-timestamp": "1", "webhook-signature": "v1,AAAA"},
        ),
        (f"/v1/webhooks/pressero/{world.a.woo_store}", {"X-Pressero-Signature": forged_signature(ORDER)}),
    ]
    for path, headers in attempts:
        answer = await world.client.post(
            path, content=ORDER, headers={"Content-Type": "application/json", **headers}
        )
        assert answer.status_code in (400, 401, 403, 404), f"{path}: {answer.status_code} {answer.text[:200]}"
        assert answer.headers["content-type"] == "application/problem+json"
    assert await orders_of(world) == before


def hostile_shop(kind: str) -> Starlette:
    """A "WooCommerce site" that answers every call endlessly, or with bytes that are no JSON."""

    async def endless() -> object:
        chunk = b'{"a":' * 8192
        while True:
            yield chunk
            # Lets the server see the client hang up: without an await, writing to the closed
            # connection never blocks and the loop would spin in the server's thread for ever.
            await asyncio.sleep(0)

    async def answer(request: Request) -> Response:
        if kind == "endless":
            return StreamingResponse(endless(), media_type="application/json")
        return Response(b"\x00\xff<html>not json", media_type="application/json")

    return Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST", "PUT"])])


@pytest.mark.parametrize("kind", ["endless", "garbage"])
async def test_a_shop_that_answers_endlessly_or_with_garbage_is_refused_without_a_server_error(world, kind):
    with running(hostile_shop(kind)) as url:
        body = {
            "platform": "woocommerce",
            "customer_id": world.a.id,
            "url": url,
            "consumer_key": "ck_" + "a" * 40,
            "consumer_secret": "cs_" + "b" * 40,
        }
        answer = await world.call("operator", "POST", "/v1/stores", json=body)

    assert answer.status_code in (422, 502, 504), answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    detail = answer.json()["detail"]
    assert (
        ("answered more than 33554432 bytes" in detail)
        if kind == "endless"
        else ("not a WooCommerce" in detail)
    )
    assert (await world.call("operator", "GET", "/readyz")).status_code in (200, 404)
