"""The Pressero sandbox with its lifespan, a client over ASGI, and a webhook receiver on a real socket."""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from printbridge_sandbox.pressero.app import create_app
from printbridge_sandbox.serving import running

CONTROL = "/_sandbox/pressero"
BASE = "http://admin.test"


@pytest.fixture
async def app() -> AsyncIterator[FastAPI]:
    app = create_app(delivery_timeout_s=5)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


@dataclass
class Account:
    subscriber_id: str
    consumer_id: str
    username: str
    password: str
    domain: str

    def token_request(self, **changes: Any) -> dict[str, Any]:
        return {
            "UserName": self.username,
            "Password": self.password,
            "SubscriberId": self.subscriber_id,
            "ConsumerID": self.consumer_id,
        } | changes


@pytest.fixture
async def account(http: httpx.AsyncClient) -> Account:
    made = await http.post(f"{CONTROL}/subscribers", json={})
    assert made.status_code == 201, made.text
    body = made.json()
    site = await http.post(
        f"{CONTROL}/subscribers/{body['subscriber_id']}/sites",
        json={"domain": "print.acme.example", "integration_id": "ACME"},
    )
    assert site.status_code == 201, site.text
    return Account(
        body["subscriber_id"], body["consumer_id"], body["username"], body["password"], "print.acme.example"
    )


@pytest.fixture
async def token(http: httpx.AsyncClient, account: Account) -> dict[str, str]:
    answer = await http.post("/api/token", json=account.token_request())
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"token {answer.json()['Data']}"}


@dataclass
class Receiver:
    url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    holder = Receiver()

    async def record(request: Request) -> Response:
        holder.received.append(({k.lower(): v for k, v in request.headers.items()}, await request.body()))
        return PlainTextResponse("ok")

    with running(Starlette(routes=[Route("/hook", record, methods=["POST"])])) as base:
        holder.url = f"{base}/hook"
        yield holder
