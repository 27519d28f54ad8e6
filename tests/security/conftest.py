"""A world to attack: the embedded suite in this process behind its gateway (SQLite), with two customers,
A and B, each with a WooCommerce shop (the sandbox, on a real socket) whose products are synced and a
variant mapped, a manual store, a design file, a template, an order, an order import, a test order and a
postback endpoint; customer A's team has every role, its store manager looks after its WooCommerce shop
only. Built once per module; tests must not change what they do not own."""

import base64
import contextlib
import io
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from printbridge.config import GatewaySettings
from printbridge.embedded import build_embedded
from printbridge_shared import log_scan
from printbridge_shared.auth.principal import Principal, PrincipalKind
from printbridge_shared.db import utcnow
from printbridge_shared.testing import SHIPPING_ADDRESS, bearer, eventually
from storefront_auth.auth.service import customer_user_principal
from storefront_auth.models import CustomerAccess, CustomerUser

PRODUCT_UID = "security_flyer_a5"
CATALOG_PRODUCT = {
    "product_uid": PRODUCT_UID,
    "name": "Flyer A5",
    "type": "flyer",
    "attributes": {"paper": ["matte", "gloss"]},
    "print_areas": [
        {"name": "front", "formats": ["pdf"], "trim_width_mm": 148, "trim_height_mm": 210, "bleed_mm": 3}
    ],
}
MANUAL_ORDER: dict[str, Any] = {
    "reference": "PO-1",
    "currency": "EUR",
    "shipping_address": dict(SHIPPING_ADDRESS),
    "line_items": [{"product_uid": PRODUCT_UID, "quantity": 100}],
}
ORDERS_CSV = (
    b"order_reference;currency;ship_first_name;ship_last_name;ship_address1;ship_city;ship_zip;"
    b"ship_country_code;product_uid;quantity\r\n"
    b"PO-2;EUR;Grace;Hopper;Elm Street 2;Hamburg;20095;DE;security_flyer_a5;50\r\n"
)
WOO_PRODUCT = {
    "name": "Flyer",
    "type": "variable",
    "attributes": [{"name": "Paper", "options": ["Matte"]}],
    "variations": [
        {"sku": "FLY-M", "regular_price": "19.00", "attributes": [{"name": "Paper", "option": "Matte"}]}
    ],
}
ETSY_WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"security-etsy-webhook-secret").decode()
log_scan.KNOWN.add(ETSY_WEBHOOK_SECRET)
# The callers of the world, by name: an operator's token, an operator's API key, customer A's team by
# role, and customer B's admin.
ROLES = ("admin", "store_manager", "order_manager", "viewer")


def flyer_pdf() -> bytes:
    """An A5 page with 3 mm bleed on every side (154 x 216 mm)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(154 / 25.4 * 72, 216 / 25.4 * 72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass
class Customer:
    id: str
    woo_store: str = ""
    manual_store: str = ""
    # Resource kind → the path of this customer's one.
    paths: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    client: httpx.AsyncClient
    gateway: Any
    headers: dict[str, dict[str, str]]
    a: Customer
    b: Customer
    users: dict[str, CustomerUser]
    make_user: Callable[..., Awaitable[CustomerUser]]
    token_of: Callable[[Principal], Awaitable[str]]

    async def call(
        self, caller: str, method: str, path: str, *, headers: dict[str, str] | None = None, **options: Any
    ) -> httpx.Response:
        return await self.client.request(
            method, path, headers={**self.headers[caller], **(headers or {})}, **options
        )


async def settled(
    call: Callable[[], Awaitable[httpx.Response]], *, unless: str, within: float = 20
) -> httpx.Response:
    """The call's answer once it is no longer the problem `unless` (something not heard of by event yet)."""
    answers: list[httpx.Response] = []

    async def done() -> bool:
        answers.append(await call())
        return unless not in answers[-1].text

    await eventually(done, within=within)
    return answers[-1]


def suite_settings(data_dir: Path, **overrides: Any) -> GatewaySettings:
    return GatewaySettings(
        **{"data_dir": data_dir, "access_log": False, "rate_limit_per_second": 0, **overrides}
    )


@contextlib.asynccontextmanager
async def world_of(data_dir: Path, sandboxes: Any = None, **settings: Any) -> AsyncIterator[World]:
    """Without `sandboxes`: the two customers and their teams only, no stores or other resources."""
    gateway = build_embedded(suite_settings(data_dir, **settings))
    async with gateway.lifespan(None):
        auth_app = gateway.apps["storefront-auth"]
        issuer = auth_app.state.token_issuer
        operator = Principal(kind=PrincipalKind.operator, subject_id=uuid.uuid4(), email="staff@example.com")
        headers: dict[str, dict[str, str]] = {
            "nobody": {},
            "operator": bearer(await issuer.access_token(operator)),
        }
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway), base_url="http://gw"
        ) as client:
            key = await client.post("/v1/api-keys", json={"name": "security"}, headers=headers["operator"])
            key.raise_for_status()
            log_scan.KNOWN.add(key.json()["key"])
            headers["api_key"] = bearer(key.json()["key"])
            operator_headers = headers["operator"]

            async def make_user(customer_id: str, role: str, stores: list[str] | None = None) -> CustomerUser:
                now = utcnow()
                user = CustomerUser(
                    id=uuid.uuid4(),
                    customer_id=uuid.UUID(customer_id),
                    email=f"{uuid.uuid4().hex[:8]}@{role}.example",
                    first_name="Test",
                    last_name=role,
                    role=role,
                    store_ids=stores or [],
                    password_hash=None,
                    created_at=now,
                    activated_at=now,
                )
                async with auth_app.state.db.session() as session:
                    if await session.get(CustomerAccess, user.customer_id) is None:
                        session.add(
                            CustomerAccess(customer_id=user.customer_id, enabled=True, changed_at=now)
                        )
                    session.add(user)
                return user

            async def token_of(principal: Principal) -> str:
                return str(await issuer.access_token(principal))

            created = await client.post(
                "/v1/catalog/products", json=CATALOG_PRODUCT, headers=operator_headers
            )
            assert created.status_code == 201, created.text
            customers = []
            for name in ("A", "B"):
                made = await client.post(
                    "/v1/customers", json={"name": f"Brand {name}"}, headers=operator_headers
                )
                customers.append(Customer(made.json()["id"]))
            a, b = customers
            users: dict[str, CustomerUser] = {}
            for customer in (a, b) if sandboxes is not None else ():
                await _furnish(client, operator_headers, customer, sandboxes)
            for role in ROLES:
                stores = [a.woo_store] if role == "store_manager" and a.woo_store else []
                users[role] = await make_user(a.id, role, stores)
                headers[role] = bearer(await token_of(customer_user_principal(users[role])))
            users["b_admin"] = await make_user(b.id, "admin")
            headers["b_admin"] = bearer(await token_of(customer_user_principal(users["b_admin"])))
            for customer in (a, b):
                customer.paths["user"] = f"/v1/users/{(await make_user(customer.id, 'viewer')).id}"
            yield World(client, gateway, headers, a, b, users, make_user, token_of)


async def _furnish(
    client: httpx.AsyncClient, operator: dict[str, str], customer: Customer, sandboxes: Any
) -> None:
    """Every kind of resource for the customer, made by the operator through the API."""
    control = f"{sandboxes.woocommerce_http}/_sandbox/woocommerce"
    slug = f"shop-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=control) as sandbox:
        site = await sandbox.post("/sites", json={"slug": slug, "scheme": "http"})
        site.raise_for_status()
        keys = await sandbox.post(f"/sites/{slug}/keys", json={"permissions": "read_write"})
        keys.raise_for_status()
        (await sandbox.post(f"/sites/{slug}/products", json=WOO_PRODUCT)).raise_for_status()
    log_scan.KNOWN.add(keys.json()["consumer_key"], keys.json()["consumer_secret"])
    connect = {
        "platform": "woocommerce",
        "url": site.json()["url"],
        "consumer_key": keys.json()["consumer_key"],
        "consumer_secret": keys.json()["consumer_secret"],
        "customer_id": customer.id,
    }
    woo = await settled(
        lambda: client.post("/v1/stores", json=connect, headers=operator), unless="customer-unknown"
    )
    assert woo.status_code == 201, woo.text
    customer.woo_store = woo.json()["store"]["id"]
    manual = {"platform": "manual", "name": "Direct", "customer_id": customer.id}
    made = await client.post("/v1/stores", json=manual, headers=operator)
    assert made.status_code == 201, made.text
    customer.manual_store = made.json()["store"]["id"]
    paths = customer.paths
    paths["customer"] = f"/v1/customers/{customer.id}"
    paths["store"] = f"/v1/stores/{customer.woo_store}"

    sync = f"/v1/stores/{customer.woo_store}/products/sync"
    synced = await settled(
        lambda: client.post(sync, json={"full": True}, headers=operator), unless="store-not-found"
    )
    assert synced.status_code == 202, synced.text
    products: list[dict[str, Any]] = []

    async def listed() -> bool:
        answer = await client.get(f"/v1/stores/{customer.woo_store}/products", headers=operator)
        products[:] = answer.json().get("items", []) if answer.status_code == 200 else []
        return bool(products and products[0]["variants"])

    await eventually(listed, within=20)
    variant = products[0]["variants"][0]["id"]
    paths["shop product"] = f"/v1/shop-products/{products[0]['id']}"
    paths["shop variant"] = f"/v1/shop-variants/{variant}"

    uploaded = await client.post(
        "/v1/files",
        data={"customer_id": customer.id},
        files={"file": ("flyer.pdf", flyer_pdf(), "application/pdf")},
        headers=operator,
    )
    assert uploaded.status_code == 201, uploaded.text
    paths["file"] = f"/v1/files/{uploaded.json()['id']}"
    spec = {
        "product_uid": PRODUCT_UID,
        "attributes": {"paper": "matte"},
        "files": {"front": uploaded.json()["url"]},
    }
    mapped = await client.put(f"/v1/shop-variants/{variant}/mapping", json=spec, headers=operator)
    assert mapped.status_code == 200, mapped.text
    paths["mapping"] = f"/v1/shop-variants/{variant}/mapping"

    template = {"customer_id": customer.id, "name": "Flyer", **spec}
    made = await client.post("/v1/templates", json=template, headers=operator)
    assert made.status_code == 201, made.text
    paths["template"] = f"/v1/templates/{made.json()['id']}"

    order_url = f"/v1/stores/{customer.manual_store}/orders"
    placed = await settled(
        lambda: client.post(
            order_url, json=MANUAL_ORDER, headers={**operator, "Idempotency-Key": secrets.token_hex(8)}
        ),
        unless="store-not-found",
    )
    assert placed.status_code == 201, placed.text
    paths["order"] = f"/v1/orders/{placed.json()['id']}"
    upload = {"file": ("orders.csv", ORDERS_CSV, "text/csv")}
    imported = await client.post(f"{order_url}/imports", files=upload, headers=operator)
    assert imported.status_code == 202, imported.text
    paths["order import"] = imported.headers["location"]

    test_order = await client.post(f"/v1/stores/{customer.woo_store}/test-order", json={}, headers=operator)
    assert test_order.status_code == 202, test_order.text
    paths["test order"] = f"/v1/test-orders/{test_order.json()['id']}"

    endpoint = {"url": "https://hooks.example.com/printbridge", "customer_id": customer.id}
    made = await client.post("/v1/postbacks/endpoints", json=endpoint, headers=operator)
    assert made.status_code == 201, made.text
    log_scan.KNOWN.add(made.json().get("secret"))
    paths["postback endpoint"] = f"/v1/postbacks/endpoints/{made.json()['id']}"


@pytest.fixture(scope="module")
def allow_private_urls() -> Any:
    """The sandboxes listen on loopback: the world's suite may call them (the SSRF tests build suites of
    their own without this). Etsy's webhooks are configured, so their signature check runs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRINTBRIDGE_ALLOW_PRIVATE_URLS", "true")
        patch.setenv("PRINTBRIDGE_ETSY_WEBHOOK_SECRET", ETSY_WEBHOOK_SECRET)
        yield


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(
    tmp_path_factory: pytest.TempPathFactory, sandboxes: Any, allow_private_urls: None
) -> AsyncIterator[World]:
    async with world_of(tmp_path_factory.mktemp("world"), sandboxes) as built:
        yield built


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def teams(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """The world without stores or resources: two customers, A's team by role, B's admin, an API key."""
    async with world_of(tmp_path_factory.mktemp("teams")) as built:
        yield built
