"""Postbacks as the producer's system receives them, over a real socket: every status change of an order,
signed so that the reference `standardwebhooks` library verifies it, in order per order; retried while the
endpoint is down (simulated time: due times moved back, no sleeping), failed after a day, stopped by 410;
redelivered on request; filtered by event type and customer; never sent to a private address when that
is not allowed."""

import datetime as dt
import uuid

import pytest
from sqlalchemy import delete, update
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from orders.models import PostbackEndpoint, jobs
from orders.postbacks.deliveries import SEND_JOB
from printbridge_shared.testing import eventually

from .conftest import Inbox, Received

ENDPOINTS = "/v1/postbacks/endpoints"
TO_SHIPPED = ["order.received", "order.routed", "order.accepted", "order.in_production", "order.printed",
              "order.shipped"]  # fmt: skip


def verified(secret: str, received: Received) -> dict:
    payload: dict = Webhook(secret).verify(received.body, received.headers)
    return payload


async def arrive(inbox: Inbox, count: int, *, accepted: bool = True) -> list[Received]:
    def enough() -> bool:
        return len(inbox.accepted() if accepted else inbox.requests) >= count

    await eventually(enough, within=20)
    return inbox.accepted() if accepted else inbox.requests


async def test_an_order_moved_to_shipped_is_posted_back_signed_and_in_order(
    client, operator, receiver, create_endpoint, routed_order, produce, deliveries_of, attempts_logged
):
    url, inbox = receiver.new()
    endpoint = await create_endpoint(url)

    order_id = await routed_order()
    await produce(order_id)

    received = await arrive(inbox, len(TO_SHIPPED))
    payloads = [verified(endpoint["secret"], r) for r in received]
    assert [p["type"] for p in payloads] == TO_SHIPPED
    assert all(p["data"]["order_id"] == order_id for p in payloads)
    versions = [p["data"]["version"] for p in payloads]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)
    shipped = payloads[-1]["data"]
    assert (shipped["status"], shipped["previous_status"], shipped["tracking"][0]["number"]) == (
        "shipped",
        "printed",
        "1Z999",
    )
    first = received[0].headers
    assert first["content-type"] == "application/json"
    assert first["user-agent"] == "Printbridge-Postbacks/1"
    assert abs(int(first["webhook-timestamp"]) - dt.datetime.now(dt.UTC).timestamp()) < 60
    await attempts_logged(len(TO_SHIPPED))
    log = await deliveries_of(endpoint["id"])
    assert [d["id"] for d in log] == [r.headers["webhook-id"] for r in received]
    assert {d["status"] for d in log} == {"delivered"}
    assert log[0]["attempt_log"][0]["status_code"] == 200
    assert log[0]["attempt_log"][0]["response_excerpt"] == "answered 200"
    assert log[0]["payload"] == payloads[0]
    one = (await client.get(f"/v1/postbacks/deliveries/{log[-1]['id']}", headers=operator)).json()
    assert (one["event_type"], one["order_id"], one["attempts"]) == ("order.shipped", order_id, 1)


async def test_a_body_changed_in_transit_or_signed_with_another_secret_fails_verification(
    receiver, create_endpoint, routed_order
):
    url, inbox = receiver.new()
    endpoint = await create_endpoint(url)
    await routed_order()
    [received, *_] = await arrive(inbox, 1)

    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(received.body + b" ", received.headers)
    other = (await create_endpoint(url))["secret"]
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(received.body, received.headers)


async def test_an_endpoint_down_for_an_hour_receives_every_event_afterwards_in_order_per_order(
    client,
    operator,
    receiver,
    create_endpoint,
    routed_order,
    produce,
    time_passes,
    deliveries_of,
    attempts_logged,
):
    url, inbox = receiver.new()
    endpoint = await create_endpoint(url)
    down = True
    inbox.answer = lambda _received: 503 if down else 200

    first = await routed_order("5001")
    await produce(first)
    second = await routed_order("5002")
    await produce(second, until="in_production")
    tried = 2
    await attempts_logged(tried)
    for _ in range(4):  # 4 more failed attempts of each order's first delivery, 40 minutes apart
        await time_passes(dt.timedelta(minutes=40))
        tried += 2
        await attempts_logged(tried)
    assert {r.payload["type"] for r in inbox.requests} == {"order.received"}  # later ones wait their turn
    health = (await client.get(f"{ENDPOINTS}/{endpoint['id']}", headers=operator)).json()
    assert health["consecutive_failures"] == 10 and health["failing_since"] is not None
    assert health["pending_count"] == 6 + 4 and health["last_success_at"] is None

    down = False
    await time_passes(dt.timedelta(hours=2))

    received = await arrive(inbox, 10)
    await attempts_logged(20)
    for order_id, expected in ((first, TO_SHIPPED), (second, TO_SHIPPED[:4])):
        mine = [
            verified(endpoint["secret"], r) for r in received if r.payload["data"]["order_id"] == order_id
        ]
        assert [p["type"] for p in mine] == expected
    health = (await client.get(f"{ENDPOINTS}/{endpoint['id']}", headers=operator)).json()
    assert (health["consecutive_failures"], health["failing_since"], health["pending_count"]) == (0, None, 0)
    assert health["last_success_at"] is not None
    [head] = [d for d in await deliveries_of(endpoint["id"]) if d["attempts"] > 1 and d["order_id"] == first]
    assert [a["status_code"] for a in head["attempt_log"]] == [503] * 5 + [200]


async def test_a_failing_order_never_holds_up_another_orders_postbacks(
    receiver, create_endpoint, routed_order, produce
):
    url, inbox = receiver.new()
    endpoint = await create_endpoint(url)
    stuck = await routed_order("5001")
    inbox.answer = lambda received: 500 if received.payload["data"]["order_id"] == stuck else 200

    other = await routed_order("5002")
    await produce(other, until="printed")

    received = await arrive(inbox, 5)
    assert [verified(endpoint["secret"], r)["data"]["order_id"] for r in received] == [other] * 5


async def test_a_delivery_failing_for_a_day_is_failed_and_the_next_ones_of_its_order_go(
    client, operator, receiver, create_endpoint, routed_order, time_passes, deliveries_of, attempts_logged
):
    url, inbox = receiver.new()
    endpoint = await create_endpoint(url)
    inbox.answer = lambda received: 500 if received.payload["type"] == "order.received" else 200

    order_id = await routed_order()
    await attempts_logged(1)
    # 9 hours pass before each retry: the third is 27 h after the first attempt, fails the delivery, and
    # the order's next delivery is sent (5 attempts in all).
    for attempts in (2, 3, 5):
        await time_passes(dt.timedelta(hours=9))
        await attempts_logged(attempts)

    [routed] = await arrive(inbox, 1)
    assert routed.payload["type"] == "order.routed"
    [received, after] = await deliveries_of(endpoint["id"])
    assert (received["status"], received["attempts"], received["next_attempt_at"]) == ("failed", 4, None)
    assert [a["status_code"] for a in received["attempt_log"]] == [500] * 4
    assert (after["status"], after["order_id"]) == ("delivered", order_id)
    failed = await client.get(
        f"{ENDPOINTS}/{endpoint['id']}/deliveries", params={"status": "failed"}, headers=operator
    )
    assert [d["id"] for d in failed.json()["items"]] == [received["id"]]

    inbox.answer = lambda _received: 200  # the receiver is fixed: the failed one is sent again on request
    again = await client.post(f"/v1/postbacks/deliveries/{received['id']}/redeliver", headers=operator)
    assert (again.status_code, again.json()["status"]) == (202, "pending")
    [_, redelivered] = await arrive(inbox, 2)
    assert redelivered.headers["webhook-id"] == received["id"]
    assert verified(endpoint["secret"], redelivered)["type"] == "order.received"


async def test_a_410_disables_the_endpoint_and_enabling_it_again_sends_what_waited(
    client, operator, receiver, create_endpoint, routed_order, produce, deliveries_of, attempts_logged
):
    url, inbox = receiver.new()
    endpoint = await create_endpoint(url)
    inbox.answer = lambda _received: 410

    order_id = await routed_order()
    await arrive(inbox, 1, accepted=False)

    async def disabled() -> bool:
        read = (await client.get(f"{ENDPOINTS}/{endpoint['id']}", headers=operator)).json()
        return read["enabled"] is False

    await eventually(disabled, within=20)
    read = (await client.get(f"{ENDPOINTS}/{endpoint['id']}", headers=operator)).json()
    assert "410 Gone" in read["disabled_reason"] and read["pending_count"] == 2
    await produce(order_id, until="in_production")  # a disabled endpoint gets no new deliveries
    assert len(inbox.requests) == 1

    inbox.answer = lambda _received: 200
    enabled = await client.patch(f"{ENDPOINTS}/{endpoint['id']}", json={"enabled": True}, headers=operator)
    assert (enabled.json()["enabled"], enabled.json()["disabled_reason"]) == (True, None)

    received = await arrive(inbox, 2)
    assert [r.payload["type"] for r in received] == ["order.received", "order.routed"]
    await attempts_logged(3)
    assert [d["status"] for d in await deliveries_of(endpoint["id"])] == ["delivered", "delivered"]


async def test_a_delivered_or_failed_delivery_is_redelivered_on_request(
    client, operator, receiver, create_endpoint, routed_order, deliveries_of, attempts_logged
):
    url, inbox = receiver.new()
    endpoint = await create_endpoint(url, events=["order.routed"])
    await routed_order()
    [first] = await arrive(inbox, 1)
    await attempts_logged(1)
    [delivery] = await deliveries_of(endpoint["id"])

    again = await client.post(f"/v1/postbacks/deliveries/{delivery['id']}/redeliver", headers=operator)

    assert again.status_code == 202, again.text
    [_, second] = await arrive(inbox, 2)
    assert second.headers["webhook-id"] == first.headers["webhook-id"] == delivery["id"]
    assert second.body == first.body
    verified(endpoint["secret"], second)

    async def logged() -> bool:
        [read] = await deliveries_of(endpoint["id"])
        return read["status"] == "delivered" and read["attempts"] == 2

    await eventually(logged, within=20)


async def test_a_pending_delivery_is_not_redelivered(
    client, operator, receiver, create_endpoint, routed_order, deliveries_of, attempts_logged
):
    url, inbox = receiver.new()
    endpoint = await create_endpoint(url, events=["order.routed"])
    inbox.answer = lambda _received: 503
    await routed_order()
    await arrive(inbox, 1, accepted=False)
    await attempts_logged(1)
    [delivery] = await deliveries_of(endpoint["id"])

    refused = await client.post(f"/v1/postbacks/deliveries/{delivery['id']}/redeliver", headers=operator)

    assert refused.status_code == 409 and refused.json()["type"].endswith("postback-delivery-pending")


async def test_the_test_ping_is_signed_sent_now_and_answered_with_its_outcome(
    client, operator, receiver, create_endpoint, deliveries_of
):
    url, inbox = receiver.new()
    endpoint = await create_endpoint(url)

    ping = await client.post(f"{ENDPOINTS}/{endpoint['id']}/test", headers=operator)

    assert ping.status_code == 200, ping.text
    result = ping.json()
    assert (result["delivered"], result["status_code"], result["error"]) == (True, 200, None)
    assert result["duration_ms"] >= 0 and result["response_excerpt"] == "answered 200"
    [received] = inbox.requests
    payload = verified(endpoint["secret"], received)
    assert (payload["type"], payload["data"]["endpoint_id"]) == ("postback.test", endpoint["id"])
    [logged] = await deliveries_of(endpoint["id"])
    assert (logged["id"], logged["event_type"], logged["status"]) == (
        result["delivery_id"],
        "postback.test",
        "delivered",
    )
    read = (await client.get(f"{ENDPOINTS}/{endpoint['id']}", headers=operator)).json()
    assert read["last_success_at"] is not None


async def test_a_failing_test_ping_says_why(client, operator, receiver, create_endpoint):
    url, inbox = receiver.new()
    inbox.answer = lambda _received: 500
    failing = await create_endpoint(url)
    unreachable = await create_endpoint("http://127.0.0.1:9/nothing-listens")

    answered = (await client.post(f"{ENDPOINTS}/{failing['id']}/test", headers=operator)).json()
    nobody = (await client.post(f"{ENDPOINTS}/{unreachable['id']}/test", headers=operator)).json()

    assert (answered["delivered"], answered["status_code"], answered["error"]) == (False, 500, None)
    assert (nobody["delivered"], nobody["status_code"]) == (False, None) and "Connect" in nobody["error"]
    health = (await client.get(f"{ENDPOINTS}/{failing['id']}", headers=operator)).json()
    assert health["consecutive_failures"] == 1 and health["failing_since"] is not None


async def test_after_a_rotation_both_secrets_sign_for_24_hours_then_only_the_new_one(
    app, client, operator, receiver, create_endpoint
):
    url, inbox = receiver.new()
    endpoint = await create_endpoint(url)
    old = endpoint["secret"]

    rotated = await client.post(f"{ENDPOINTS}/{endpoint['id']}/secret/rotate", headers=operator)

    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new.startswith("whsec_") and new != old
    await client.post(f"{ENDPOINTS}/{endpoint['id']}/test", headers=operator)
    [during] = inbox.requests
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert verified(old, during) == verified(new, during)

    async with app.state.db.session() as session:  # the 24 hours pass
        row = await session.get(PostbackEndpoint, uuid.UUID(endpoint["id"]))
        assert row is not None and row.previous_secret_expires_at is not None
        row.previous_secret_expires_at -= dt.timedelta(hours=24)
    await client.post(f"{ENDPOINTS}/{endpoint['id']}/test", headers=operator)
    [_, after] = inbox.requests
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    verified(new, after)
    with pytest.raises(WebhookVerificationError):
        verified(old, after)


async def test_event_type_and_customer_filters_choose_the_endpoints(
    receiver, create_endpoint, routed_order, produce, customer_id
):
    shipped_url, shipped_only = receiver.new()
    mine_url, of_mine = receiver.new()
    other_url, of_other = receiver.new()
    await create_endpoint(shipped_url, events=["order.shipped"])
    await create_endpoint(mine_url, customer_id=str(customer_id), events=["order.routed", "order.shipped"])
    await create_endpoint(other_url, customer_id=str(uuid.uuid4()))
    await create_endpoint(receiver.new()[0], enabled=False)

    await produce(await routed_order())

    assert [r.payload["type"] for r in await arrive(shipped_only, 1)] == ["order.shipped"]
    assert [r.payload["type"] for r in await arrive(of_mine, 2)] == ["order.routed", "order.shipped"]
    assert of_other.requests == []


@pytest.mark.parametrize("allow_private_urls", [False])
async def test_a_delivery_never_goes_to_a_private_address_when_that_is_not_allowed(
    app, client, operator, receiver, create_endpoint, deliver, shop_order, deliveries_of
):
    url, inbox = receiver.new()
    endpoint = await create_endpoint("https://203.0.114.9/hook")
    # The name it was created with now leads to this machine (as a DNS change would make it).
    async with app.state.db.session() as session:
        await session.execute(
            update(PostbackEndpoint)
            .where(PostbackEndpoint.id == uuid.UUID(endpoint["id"]))
            .values(url=url.replace("http://", "https://"))
        )

    await deliver(shop_order())

    async def tried() -> bool:
        return any(d["attempts"] for d in await deliveries_of(endpoint["id"]))

    await eventually(tried, within=20)
    first = (await deliveries_of(endpoint["id"]))[0]
    assert first["status"] == "pending" and first["next_attempt_at"] is not None
    [attempt] = first["attempt_log"]
    assert attempt["status_code"] is None and attempt["error"].startswith("refused: ")
    assert "private or local" in attempt["error"]
    assert inbox.requests == []
    ping = (await client.post(f"{ENDPOINTS}/{endpoint['id']}/test", headers=operator)).json()
    assert ping["delivered"] is False and ping["error"].startswith("refused: ")
    assert inbox.requests == []


async def test_a_delivery_whose_send_job_was_lost_is_found_by_the_sweep(
    app, receiver, create_endpoint, routed_order, time_passes, attempts_logged
):
    url, inbox = receiver.new()
    endpoint = await create_endpoint(url, events=["order.routed"])
    inbox.answer = lambda _received: 503
    await routed_order()
    await attempts_logged(1)
    async with app.state.db.session() as session:  # as if the wake-up of its pair were lost
        await session.execute(delete(jobs.jobs).where(jobs.jobs.c.kind == SEND_JOB))
    inbox.answer = lambda _received: 200

    await time_passes(dt.timedelta(hours=1))

    [received] = await arrive(inbox, 1)
    assert verified(endpoint["secret"], received)["type"] == "order.routed"


async def test_a_redelivery_goes_now_even_while_a_later_delivery_of_the_order_waits_for_its_retry(
    client, operator, receiver, create_endpoint, routed_order, deliveries_of, attempts_logged
):
    url, inbox = receiver.new()
    endpoint = await create_endpoint(url)
    inbox.answer = lambda received: 503 if received.payload["type"] == "order.routed" else 200
    await routed_order()
    await attempts_logged(2)  # received delivered, routed failed: its retry is 30 s or so away
    received, routed = await deliveries_of(endpoint["id"])
    assert (received["status"], routed["status"]) == ("delivered", "pending")

    again = await client.post(f"/v1/postbacks/deliveries/{received['id']}/redeliver", headers=operator)

    assert again.status_code == 202, again.text
    [_, redelivered] = await arrive(inbox, 2)
    assert redelivered.headers["webhook-id"] == received["id"]
    assert [r.payload["type"] for r in inbox.requests] == ["order.received", "order.routed", "order.received"]
