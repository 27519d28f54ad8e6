"""Helpers for tests that drive the Shopify sandbox over HTTP: a client that installs an app the way a Shopify
app does (authorize → callback → access_token) and calls the GraphQL Admin API, and a webhook receiver."""

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from fastapi import FastAPI, Request, Response

from printbridge_sandbox.serving import running

SHOP = "acme.myshopify.com"
REDIRECT = "https://app.example/shopify/callback"
SCOPES = "read_orders,read_products,read_merchant_managed_fulfillment_orders"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook endpoint: records every request to `url`; answers with the statuses queued in `answers`
    (then 200). `fresh()` moves it to a new URL and forgets, so one server serves many tests."""

    base_url: str = ""
    key: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)  # seconds before answering, per request
    condition: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        return f"{self.base_url}/hooks/{self.key}"

    def fresh(self) -> "Receiver":
        with self.condition:
            self.key = uuid.uuid4().hex
            self.requests.clear()
            self.answers.clear()
            self.delays.clear()
        return self

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        with self.condition:
            if not self.condition.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"expected {count} webhook requests, got {len(self.requests)}")
            return list(self.requests)


@contextmanager
def receiving() -> Iterator[Receiver]:
    """A webhook receiver on a free port; its URL is `receiver.url`."""
    hooks = Receiver()
    app = FastAPI()

    @app.post("/hooks/{key}")
    async def hook(key: str, request: Request) -> Response:
        body = await request.body()
        with hooks.condition:
            if key != hooks.key:
                return Response(status_code=200)  # a late delivery meant for an earlier test
            status = hooks.answers.pop(0) if hooks.answers else 200
            delay = hooks.delays.pop(0) if hooks.delays else 0.0
            hooks.requests.append(Received({k.lower(): v for k, v in request.headers.items()}, body))
            hooks.condition.notify_all()
        if delay:
            await asyncio.sleep(delay)  # a slow endpoint, as seen by the sender
        return Response(status_code=status)

    with running(app) as base_url:
        hooks.base_url = base_url
        yield hooks.fresh()


@dataclass
class Sandbox:
    http: httpx.Client
    client_id: str = ""
    client_secret: str = ""

    @property
    def admin(self) -> str:
        return f"/shops/{SHOP}/admin"

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, "/_sandbox/shopify" + path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def authorize(self, scope: str = SCOPES, state: str = "nonce-123", **extra: str) -> dict[str, str]:
        params = {
            "client_id": self.client_id,
            "scope": scope,
            "redirect_uri": REDIRECT,
            "state": state,
            **extra,
        }
        response = self.http.get(f"{self.admin}/oauth/authorize", params=params)
        assert response.status_code == 302, response.text
        location = urlsplit(response.headers["location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
        return dict(parse_qsl(location.query))

    def install(self, scope: str = SCOPES, expiring: bool = False) -> dict[str, Any]:
        callback = self.authorize(scope)
        body: dict[str, Any] = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "code": callback["code"],
        }
        if expiring:
            body["expiring"] = 1
        response = self.http.post(f"{self.admin}/oauth/access_token", json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def graphql(
        self, token: str, query: str, variables: dict[str, Any] | None = None, version: str = "2025-10"
    ) -> httpx.Response:
        return self.http.post(
            f"{self.admin}/api/{version}/graphql.json",
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": token},
        )

    def data(self, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = self.graphql(token, query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    def place_order(self, **overrides: Any) -> dict[str, Any]:
        return dict(self.control("POST", f"/shops/{SHOP}/orders", json=order_body(**overrides)))

    def subscribe(self, token: str, topic: str, uri: str) -> str:
        data = self.data(
            token,
            """mutation($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
                 webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
                   webhookSubscription { id } userErrors { field message } } }""",
            {"topic": topic, "sub": {"callbackUrl": uri, "format": "JSON"}},
        )
        assert data["webhookSubscriptionCreate"]["userErrors"] == []
        return str(data["webhookSubscriptionCreate"]["webhookSubscription"]["id"])

    def deliveries(self, count: int, timeout: float = 5.0, final: bool = True) -> list[dict[str, Any]]:
        """Polls the control API (a real socket) until `count` deliveries have settled."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.control("GET", f"/shops/{SHOP}/deliveries")
            settled = [
                d for d in found if not final or d["status"] in ("delivered", "failed", "dropped", "held")
            ]
            if len(settled) >= count or time.monotonic() > deadline:
                return list(found)
            time.sleep(0.01)


def order_body(**overrides: Any) -> dict[str, Any]:
    """An order for the control API like the docs' example: a poster with an artwork URL, to Berlin."""
    return {
        "email": "anna@example.com",
        "line_items": [
            {
                "sku": "POSTER-A2-MATT",
                "title": "Poster",
                "variant_title": "A2 / Matt",
                "quantity": 2,
                "price": "24.95",
                "properties": [{"name": "_artwork_url", "value": "https://cdn.example.com/a.pdf"}],
            }
        ],
        "shipping_address": {
            "first_name": "Anna",
            "last_name": "Muster",
            "address1": "Hauptstraße 5",
            "city": "Berlin",
            "zip": "10115",
            "country": "Germany",
            "country_code": "DE",
        },
        "shipping_lines": [{"title": "DHL Paket", "price": "5.00"}],
        **overrides,
    }
