"""The postback receiver of the status-out bench and the fault suite: it keeps what verifies, refuses what
does not, answers 503 while down, and refuses connections while not listening, then listens again on the
same port."""

import datetime as dt
import json

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from printbridge.postback_receiver import PostbackReceiver

SECRET = "whsec_" + "c2VjcmV0LW9mLXRoZS1lbmRwb2ludC0zMmJ5dGVz"


def signed(webhook_id: str, version: int) -> tuple[bytes, dict[str, str]]:
    payload = {"type": "order.routed", "data": {"order_id": "o-1", "version": version}}
    body = json.dumps(payload).encode()
    now = dt.datetime.now(dt.UTC)
    headers = {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(webhook_id, now, body.decode()),
        "content-type": "application/json",
    }
    return body, headers


def test_keeps_verified_postbacks_and_refuses_bad_signatures() -> None:
    receiver = PostbackReceiver(SECRET)
    with receiver.serving() as url:
        body, headers = signed("msg_1", 3)
        assert httpx.post(url, content=body, headers=headers).status_code == 200
        assert httpx.post(url, content=body + b" ", headers=headers).status_code == 400

    (kept,) = receiver.snapshot()
    assert (kept.webhook_id, kept.type, kept.order_id, kept.version) == ("msg_1", "order.routed", "o-1", 3)
    assert receiver.bad_signatures == 1
    assert receiver.snapshot(1) == []


def test_down_answers_503_and_keeps_nothing() -> None:
    receiver = PostbackReceiver(SECRET)
    with receiver.serving() as url:
        receiver.down = True
        body, headers = signed("msg_2", 1)
        assert httpx.post(url, content=body, headers=headers).status_code == 503
        receiver.down = False
        assert httpx.post(url, content=body, headers=headers).status_code == 200

    assert receiver.answered_503 == 1
    assert [p.webhook_id for p in receiver.snapshot()] == ["msg_2"]


def test_refused_connections_then_the_same_port_again() -> None:
    receiver = PostbackReceiver(SECRET)
    with receiver.serving() as url:
        receiver.refuse()
        assert not receiver.listening
        body, headers = signed("msg_3", 1)
        with pytest.raises(httpx.ConnectError):
            httpx.post(url, content=body, headers=headers)

        receiver.reopen()
        assert httpx.post(url, content=body, headers=headers).status_code == 200

    assert [p.webhook_id for p in receiver.snapshot()] == ["msg_3"]
    with pytest.raises(httpx.ConnectError):
        httpx.post(url, content=body, headers=headers)
