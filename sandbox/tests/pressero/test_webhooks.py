"""Deliveries as the admin set them up: the envelope, MessageHash = SHA-1(key + body), the events
ticked, approval and denial, and the switches."""

import hashlib
import json

import httpx

from printbridge_shared.testing import eventually

from .conftest import CONTROL, Account, Receiver


async def set_up(http: httpx.AsyncClient, account: Account, receiver: Receiver, **extra: object) -> None:
    body = {"url": receiver.url, "security_key": "s3cret", **extra}
    answer = await http.put(f"{CONTROL}/subscribers/{account.subscriber_id}/webhooks", json=body)
    assert answer.status_code == 200, answer.text


async def drained(http: httpx.AsyncClient, account: Account) -> list[dict]:
    answer = await http.post(f"{CONTROL}/subscribers/{account.subscriber_id}/deliveries/wait", json={})
    assert answer.status_code == 200, answer.text
    return answer.json()


async def place(http: httpx.AsyncClient, account: Account, **spec: object) -> int:
    answer = await http.post(f"{CONTROL}/sites/{account.domain}/orders", json=spec)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["order"]["OrderNumber"])


async def test_an_order_placed_is_delivered_as_a_thin_notice_with_its_hash(
    http: httpx.AsyncClient, account: Account, receiver: Receiver
) -> None:
    await set_up(http, account, receiver)
    number = await place(http, account)
    (sent,) = await drained(http, account)
    assert sent["response_status"] == 200
    headers, body = receiver.received[0]
    assert headers["messagehash"] == hashlib.sha1(b"s3cret" + body).hexdigest()
    envelope = json.loads(body)
    assert envelope["TypeName"] == "OrderPlaced" and envelope["Type"] == 10
    assert envelope["Data"]["OrderNumber"] == number
    assert envelope["SubscriberId"] == account.subscriber_id and envelope["MessageID"]


async def test_approving_and_denying_items_send_their_events(
    http: httpx.AsyncClient, account: Account, receiver: Receiver
) -> None:
    await set_up(http, account, receiver)
    number = await place(http, account, items=[{"needs_approval": True}, {"needs_approval": True}])
    assert (await http.post(f"{CONTROL}/orders/{number}/items/1/approve", json={})).status_code == 200
    assert (await http.post(f"{CONTROL}/orders/{number}/items/2/deny")).status_code == 200
    assert (await http.post(f"{CONTROL}/orders/{number}/items/2/approve", json={})).status_code == 409
    sent = await drained(http, account)
    events = [
        (json.loads(d["body"])["TypeName"], json.loads(d["body"])["Data"].get("OrderItemSeq")) for d in sent
    ]
    assert events == [("OrderPlaced", None), ("OrderItemApproved", 1), ("OrderItemDenied", 2)]


async def test_only_the_events_ticked_are_sent(
    http: httpx.AsyncClient, account: Account, receiver: Receiver
) -> None:
    await set_up(http, account, receiver, events=["OrderItemApproved"])
    await place(http, account)
    assert await drained(http, account) == []


async def test_switches_repeat_drop_and_spoil_deliveries(
    http: httpx.AsyncClient, account: Account, receiver: Receiver
) -> None:
    await set_up(http, account, receiver)
    switches = {"duplicate_deliveries": 1, "drop_deliveries": 0, "wrong_hash_deliveries": 0}
    await http.put(f"{CONTROL}/subscribers/{account.subscriber_id}/switches", json=switches)
    await place(http, account)
    await drained(http, account)
    assert len(receiver.received) == 2 and receiver.received[0][1] == receiver.received[1][1]

    await http.put(f"{CONTROL}/subscribers/{account.subscriber_id}/switches", json={"drop_deliveries": 1})
    await place(http, account)
    sent = await drained(http, account)
    assert sent[-1]["dropped"] is True and len(receiver.received) == 2

    await http.put(
        f"{CONTROL}/subscribers/{account.subscriber_id}/switches", json={"wrong_hash_deliveries": 1}
    )
    await place(http, account)
    await drained(http, account)
    headers, body = receiver.received[-1]
    assert headers["messagehash"] != hashlib.sha1(b"s3cret" + body).hexdigest()


async def test_an_out_of_order_delivery_arrives_after_the_next_one(
    http: httpx.AsyncClient, account: Account, receiver: Receiver
) -> None:
    await set_up(http, account, receiver)
    await http.put(
        f"{CONTROL}/subscribers/{account.subscriber_id}/switches", json={"out_of_order_deliveries": 1}
    )
    first = await place(http, account)
    second = await place(http, account)
    await drained(http, account)
    await eventually(lambda: len(receiver.received) == 2)
    numbers = [json.loads(body)["Data"]["OrderNumber"] for _, body in receiver.received]
    assert numbers == [second, first]
