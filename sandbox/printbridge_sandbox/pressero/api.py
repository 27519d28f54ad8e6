"""Pressero's admin API (v6, JSON) as far as order intake uses it:

- `POST /api/token` `{UserName, Password, SubscriberId, ConsumerID}` → `{Code: 200, Data: "<token>"}`;
  refused → 401 `{Code: 401, Message}`. Tokens expire after the app's `token_lifetime`.
- Every other call needs `Authorization: token <token>` (401 without a valid one).
- `GET /api/v2/Authentication/{token}/Validate` → `{Code: 200, Data: true}` or 401.
- `POST /api/v2/Orders/Search?pageNumber=0&pageSize=N`: body `{StartDate, EndDate, SortDescriptor,
  Filters: [{Column, Value, Operator}]}` (or just the filter array); answers one row per order item
  `{Items, PageNumber, PageSize, TotalItems}`, by order then item number; pages count from 0.
  `StartDate`/`EndDate` bound `OrderDate`; operators `equals`, `contains`, `greaterThan`, `lessThan`.
- `GET /api/v2/orders/{orderNumber}/Details` → the order; `GET /api/v2/orders/{n}/items` → its items.
- `GET /api/site/{siteDomain}/products/?pageNumber=&pageSize=&includeDeleted=` → `{Items, PageNumber,
  PageSize, TotalItems}`, the site's products (deleted ones only with `includeDeleted=true`), pages from
  0; `GET /api/site/{siteDomain}/products/{productId}` → one product (a deleted one with `IsDeleted`).
  A site of another subscriber is 404, as an unknown one.
- `POST /api/V2/Orders/Shipments` → `{Code: 200, Data: {ShipmentId}}` (shipments.py);
  `GET /api/v2/orders/{n}/item/{itemNumber}/Shipments` → the item's shipments.

Paths are matched case-insensitively, as IIS and ASP.NET route them (integrators mix `V2` and `v2`), and
names in request bodies too, as ASP.NET's JSON binding does."""

import asyncio
import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from printbridge_sandbox.pressero.shipments import ShipmentRefused, record_shipment
from printbridge_sandbox.pressero.state import Order, Pressero, Site, Subscriber

MAX_PAGE_SIZE = 1500
SENT_PATH = "printbridge.sent_path"


def _lower_keys(value: Any) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, dict) else {}


def _refused(status: int, message: str) -> JSONResponse:
    return JSONResponse({"Code": status, "Message": message, "Data": None}, status_code=status)


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _matches(row: dict[str, Any], expression: Any) -> bool:
    spec = _lower_keys(expression)
    column, value = str(spec.get("column") or ""), str(spec.get("value") or "")
    operator = str(spec.get("operator") or "equals").lower()
    actual = next((v for k, v in row.items() if k.lower() == column.lower()), None)
    text = "" if actual is None else str(actual)
    if operator == "equals":
        return text.lower() == value.lower()
    if operator == "contains":
        return value.lower() in text.lower()
    if operator in ("greaterthan", "lessthan"):
        left, right = _parse_time(text), _parse_time(value)
        if left is None or right is None:
            return False
        return left > right if operator == "greaterthan" else left < right
    return False


class CaseInsensitivePaths:
    """ASGI middleware: IIS and ASP.NET route paths in any letter case, so a request to `/API/v2/ORDERS/…`
    reaches the route registered as `/api/v2/orders/…`. The path's fixed segments are rewritten to the
    spelling of the route they match (ignoring case); its parameters are kept as sent, and the path as
    sent stays in the scope (`SENT_PATH`) for the call log."""

    def __init__(self, app: ASGIApp, templates: list[str]) -> None:
        self.app = app
        self.templates = [
            [None if "{" in part else part for part in template.split("/")] for template in templates
        ]

    def canonical(self, path: str) -> str:
        given = path.split("/")
        for template in self.templates:
            if len(template) == len(given) and all(
                part is None or part.lower() == sent.lower()
                for part, sent in zip(template, given, strict=True)
            ):
                return "/".join(
                    sent if part is None else part for part, sent in zip(template, given, strict=True)
                )
        return path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].lower().startswith("/api/"):
            scope = {**scope, "path": self.canonical(scope["path"]), SENT_PATH: scope["path"]}
        await self.app(scope, receive, send)


def api_router(pressero: Pressero) -> APIRouter:
    router = APIRouter(prefix="/api", include_in_schema=False)

    async def caller(request: Request) -> Subscriber | JSONResponse:
        """The subscriber whose token the call carries; misbehaviour applied; the call logged."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        subscriber = pressero.by_token(token.strip()) if scheme.lower() == "token" else None
        if subscriber is None:
            return _refused(401, "Authorization has been denied for this request.")
        path = request.scope.get(SENT_PATH, request.url.path)
        call = {"method": request.method, "path": path, "query": str(request.url.query)}
        subscriber.calls.append(call)
        switches = subscriber.switches
        if switches.slow_s:
            await asyncio.sleep(switches.slow_s)
        if switches.fail_5xx > 0:
            switches.fail_5xx -= 1
            return _refused(503, "Service Unavailable")
        return subscriber

    def order_of(subscriber: Subscriber, number: int) -> Order | None:
        order = pressero.orders.get(number)
        return order if order is not None and order.site.subscriber is subscriber else None

    @router.post("/token")
    async def token(request: Request) -> JSONResponse:
        try:
            body = _lower_keys(await request.json())
        except ValueError:
            return _refused(400, "The request is invalid.")
        subscriber = pressero.subscriber(str(body.get("subscriberid") or ""))
        consumer = str(body.get("consumerid") or "").strip().lower()
        user, password = str(body.get("username") or ""), body.get("password")
        if subscriber is not None:
            subscriber.calls.append({"method": "POST", "path": "/api/token", "query": ""})
        if (
            subscriber is None
            or consumer not in subscriber.consumer_ids
            or subscriber.users.get(user.lower()) != password
        ):
            return _refused(401, "Invalid credentials.")
        token = subscriber.new_token(pressero.token_lifetime)
        return JSONResponse({"Code": 200, "Data": token, "Message": None})

    @router.get("/v2/Authentication/{token}/Validate")
    async def validate(token: str) -> JSONResponse:
        if pressero.by_token(token) is None:
            return _refused(401, "Token is not valid.")
        return JSONResponse({"Code": 200, "Data": True, "Message": None})

    @router.post("/v2/Orders/Search")
    async def search(request: Request, pageNumber: int = 0, pageSize: int = 100) -> JSONResponse:
        subscriber = await caller(request)
        if isinstance(subscriber, JSONResponse):
            return subscriber
        try:
            raw = await request.json()
        except ValueError:
            raw = {}
        query = _lower_keys(raw) if isinstance(raw, dict) else {"filters": raw}
        start, end = _parse_time(query.get("startdate")), _parse_time(query.get("enddate"))
        filters = query.get("filters") or []
        rows = []
        for number in sorted(pressero.orders):
            order = pressero.orders[number]
            if order.site.subscriber is not subscriber:
                continue
            if (start and order.placed_at < start) or (end and order.placed_at > end):
                continue
            for item in order.items:
                row = order.item_row(item)
                if all(_matches(row, f) for f in filters if isinstance(f, dict)):
                    rows.append(row)
        size = max(1, min(pageSize, MAX_PAGE_SIZE))
        page = rows[pageNumber * size : (pageNumber + 1) * size] if pageNumber >= 0 else []
        answer = {"Items": page, "PageNumber": pageNumber, "PageSize": size, "TotalItems": len(rows)}
        return JSONResponse(answer)

    @router.get("/v2/orders/{number}/Details")
    async def details(number: int, request: Request) -> JSONResponse:
        subscriber = await caller(request)
        if isinstance(subscriber, JSONResponse):
            return subscriber
        order = order_of(subscriber, number)
        if order is None:
            return _refused(404, f"Order {number} not found.")
        return JSONResponse(order.details())

    @router.get("/v2/orders/{number}/items")
    async def items(number: int, request: Request) -> JSONResponse:
        subscriber = await caller(request)
        if isinstance(subscriber, JSONResponse):
            return subscriber
        order = order_of(subscriber, number)
        if order is None:
            return _refused(404, f"Order {number} not found.")
        return JSONResponse([order.item_row(item) for item in order.items])

    @router.post("/V2/Orders/Shipments")
    async def create_shipment(request: Request) -> JSONResponse:
        subscriber = await caller(request)
        if isinstance(subscriber, JSONResponse):
            return subscriber
        try:
            raw = await request.json()
        except ValueError:
            return _refused(400, "The request is invalid.")
        try:
            shipment_id = record_shipment(pressero, subscriber, raw)
        except ShipmentRefused as refused:
            return _refused(refused.status, refused.message)
        return JSONResponse({"Code": 200, "Data": {"ShipmentId": shipment_id}, "Message": None})

    @router.get("/v2/orders/{number}/item/{item_number}/Shipments")
    async def item_shipments(number: int, item_number: int, request: Request) -> JSONResponse:
        subscriber = await caller(request)
        if isinstance(subscriber, JSONResponse):
            return subscriber
        order = order_of(subscriber, number)
        if order is None:
            return _refused(404, f"Order {number} not found.")
        if not any(item.number == item_number for item in order.items):
            return _refused(404, f"Order {number} has no item {item_number}.")
        return JSONResponse([s.wire() for s in order.shipments if s.item_number == item_number])

    def site_of(subscriber: Subscriber, domain: str) -> Site | None:
        site = pressero.site(domain)
        return site if site is not None and site.subscriber is subscriber else None

    @router.get("/site/{domain}/products")
    @router.get("/site/{domain}/products/")
    async def products(
        domain: str, request: Request, pageNumber: int = 0, pageSize: int = 100, includeDeleted: str = "false"
    ) -> JSONResponse:
        subscriber = await caller(request)
        if isinstance(subscriber, JSONResponse):
            return subscriber
        site = site_of(subscriber, domain)
        if site is None:
            return _refused(404, f"Site {domain} not found.")
        deleted = includeDeleted.strip().lower() == "true"
        listed = [p.info() for p in site.products.values() if deleted or not p.is_deleted]
        size = max(1, min(pageSize, MAX_PAGE_SIZE))
        page = listed[pageNumber * size : (pageNumber + 1) * size] if pageNumber >= 0 else []
        return JSONResponse(
            {"Items": page, "PageNumber": pageNumber, "PageSize": size, "TotalItems": len(listed)}
        )

    @router.get("/site/{domain}/products/{product_id}")
    async def product(domain: str, product_id: str, request: Request) -> JSONResponse:
        subscriber = await caller(request)
        if isinstance(subscriber, JSONResponse):
            return subscriber
        site = site_of(subscriber, domain)
        found = site.products.get(product_id.strip().lower()) if site is not None else None
        if found is None:
            return _refused(404, f"Product {product_id} not found.")
        return JSONResponse(found.details())

    return router
