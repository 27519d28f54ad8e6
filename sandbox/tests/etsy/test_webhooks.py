"""order.paid notices as Etsy sends them, checked with a Standard Webhooks verifier written here from the
specification (not the sandbox's signer): thin body, signed headers, retries on Etsy's schedule (scaled),
and the misbehaviour switches."""

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest

from printbridge_sandbox.etsy.testing import Etsy
from printbridge_sandbox.shopify.testing import Received, Receiver


def standard_webhooks_valid(secret: str, request: Received, tolerance_s: int = 300) -> bool:
    """Standard Webhooks: the key is the base64 part of `whsec_…`; the signed content is
    `{webhook-id}.{webhook-timestamp}.{body}`; `webhook-signature` is a space-separated list of
    `v1,<base64 HMAC-SHA256>`; the timestamp must be recent."""
    key = base64.b64decode(secret.split("_", 1)[1])
    msg_id, stamp = request.headers["webhook-id"], request.headers["webhook-timestamp"]
    content = msg_id.encode() + b"." + stamp.encode() + b"." + request.body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest())
    signatures = [s.split(",", 1) for s in request.headers["webhook-signature"].split(" ")]
    fresh = abs(time.time() - int(stamp)) <= tolerance_s
    return fresh and any(v == "v1" and hmac.compare_digest(sig.encode(), expected) for v, sig in signatures)


@pytest.fixture
def hooked(http: httpx.Client, receiver: Receiver) -> Etsy:
    etsy = Etsy(http).setup(webhook_url=receiver.url)
    etsy.install()
    return etsy


def settled(etsy: Etsy, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Polls the control API until `count` deliveries have finished (or the deadline passes)."""
    deadline = time.monotonic() + timeout
    while True:
        found = etsy.control("GET", "/deliveries")
        done = [d for d in found if d["status"] in ("delivered", "failed", "dropped", "held")]
        if len(done) >= count or time.monotonic() > deadline:
            return list(found)
        time.sleep(0.01)


def test_a_paid_receipt_is_announced_with_a_thin_signed_notice(hooked: Etsy, receiver: Receiver) -> None:
    placed = hooked.place_receipt()

    [request] = receiver.wait_for(1)

    assert standard_webhooks_valid(hooked.webhook_secret, request)
    assert not standard_webhooks_valid(hooked.webhook_secret, Received(request.headers, request.body + b" "))
    assert request.headers["webhook-id"].startswith("msg_")
    assert request.headers["content-type"] == "application/json"
    api = str(hooked.http.base_url).rstrip("/")
    assert json.loads(request.body) == {
        "event_type": "order.paid",
        "resource_url": f"{api}/v3/application/shops/{hooked.shop_id}/receipts/{placed['receipt_id']}",
        "shop_id": hooked.shop_id,
    }


def test_the_resource_url_fetches_the_receipt(hooked: Etsy, receiver: Receiver) -> None:
    hooked.place_receipt()
    [request] = receiver.wait_for(1)
    token = hooked.install()["access_token"]

    response = hooked.http.get(
        json.loads(request.body)["resource_url"],
        headers={"authorization": f"Bearer {token}", "x-api-key": hooked.api_key},
    )

    assert response.status_code == 200 and response.json()["is_paid"] is True


def test_only_payment_sends_a_notice(hooked: Etsy, receiver: Receiver) -> None:
    unpaid = hooked.place_receipt(paid=False)
    assert hooked.control("GET", "/deliveries") == []

    hooked.control("POST", f"{hooked.receipts_path(unpaid['receipt_id'])}/pay")
    [request] = receiver.wait_for(1)

    assert json.loads(request.body)["resource_url"].endswith(f"/receipts/{unpaid['receipt_id']}")


def test_an_app_the_seller_has_not_connected_or_has_cut_off_gets_nothing(
    http: httpx.Client, receiver: Receiver
) -> None:
    etsy = Etsy(http).setup(webhook_url=receiver.url)
    etsy.place_receipt()
    etsy.install()
    etsy.control("POST", f"/sellers/{etsy.user_id}/change_password")
    etsy.place_receipt()

    assert etsy.control("GET", "/deliveries") == []


def test_a_failed_delivery_is_retried_with_the_same_webhook_id_until_acknowledged(
    hooked: Etsy, receiver: Receiver
) -> None:
    receiver.answers.extend([500, 503])
    hooked.place_receipt()

    first, second, third = receiver.wait_for(3)
    [delivery] = settled(hooked, 1)

    assert first.headers["webhook-id"] == second.headers["webhook-id"] == third.headers["webhook-id"]
    assert all(standard_webhooks_valid(hooked.webhook_secret, r) for r in (first, second, third))
    assert delivery["status"] == "delivered"
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 503, 200]


def test_after_etsys_eight_attempts_a_delivery_has_failed(hooked: Etsy, receiver: Receiver) -> None:
    hooked.control("PATCH", "/settings", json={"webhook_retry_scale": 0.000001})
    receiver.answers.extend([500] * 8)
    hooked.place_receipt()

    receiver.wait_for(8)
    [delivery] = settled(hooked, 1)

    assert delivery["status"] == "failed" and len(delivery["attempts"]) == 8


def test_misbehaviour_drops_and_duplicates_deliveries(hooked: Etsy, receiver: Receiver) -> None:
    hooked.control("PUT", "/misbehaviour", json={"webhook_drop": 1, "webhook_duplicate": 1})
    dropped = hooked.place_receipt()
    doubled = hooked.place_receipt()

    one, two = receiver.wait_for(2)
    deliveries = settled(hooked, 3)

    assert [d["status"] for d in deliveries if d["receipt_id"] == dropped["receipt_id"]] == ["dropped"]
    assert one.headers["webhook-id"] == two.headers["webhook-id"] and one.body == two.body
    assert json.loads(one.body)["resource_url"].endswith(str(doubled["receipt_id"]))


def test_misbehaviour_signs_with_the_wrong_secret(hooked: Etsy, receiver: Receiver) -> None:
    hooked.control("PUT", "/misbehaviour", json={"webhook_wrong_signature": 1})
    hooked.place_receipt()
    hooked.place_receipt()

    bad, good = receiver.wait_for(2)

    assert not standard_webhooks_valid(hooked.webhook_secret, bad)
    assert standard_webhooks_valid(hooked.webhook_secret, good)


def test_a_held_back_delivery_arrives_after_a_later_one(hooked: Etsy, receiver: Receiver) -> None:
    hooked.control("PUT", "/misbehaviour", json={"webhook_hold_back": 1})
    early = hooked.place_receipt()
    late = hooked.place_receipt()

    first, second = receiver.wait_for(2)

    assert json.loads(first.body)["resource_url"].endswith(str(late["receipt_id"]))
    assert json.loads(second.body)["resource_url"].endswith(str(early["receipt_id"]))


def test_a_delayed_delivery_is_still_pending_right_after_payment(hooked: Etsy, receiver: Receiver) -> None:
    hooked.control("PUT", "/misbehaviour", json={"webhook_delay_seconds": 0.3})
    hooked.place_receipt()

    [pending] = hooked.control("GET", "/deliveries")
    receiver.wait_for(1)

    assert pending["status"] == "pending" and pending["attempts"] == []
    assert settled(hooked, 1)[0]["status"] == "delivered"
