"""What resolution's tests share: mapping's events as mapping publishes them (a catalog product, a shop
variant's mapping, a template), a Shopify order of one mapped line, and the order read back; for orders
that bring print files, a real HTTPS file server on a local socket (with a throw-away CA) and the app that
fetches from it."""

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from orders.config import Settings
from orders.main import create_app
from orders.models import messaging
from printbridge_sandbox.serving import running_on
from printbridge_sandbox.woocommerce.tls import TlsFiles, generate_tls_files
from printbridge_shared.app import Runtime
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.contracts import (
    CatalogProductChanged,
    EventData,
    MappingChanged,
    MappingRemoved,
    TemplateChanged,
)
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import SHIPPING_ADDRESS, AuthKeys, eventually, recorded_events
from printbridge_shared.testing_files import file_server, pdf

NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
FLYER = "flyer_a5"
FRONT = "https://files.brand.example/front.pdf"
VARIANT_ID = "34505432"  # the shop's variant id the order's line names


def passed(url: str = FRONT) -> dict[str, Any]:
    return {"url": url, "status": "passed", "checked_at": NOW}


@pytest.fixture
def catalog_product() -> Callable[..., CatalogProductChanged]:
    def build(**fields: Any) -> CatalogProductChanged:
        values: dict[str, Any] = {
            "product_uid": FLYER,
            "name": "Flyer A5",
            "type": "flyer",
            "attributes": {"paper": ["matte", "gloss"]},
            "print_areas": [
                {
                    "name": "front",
                    "formats": ["pdf"],
                    "trim_width_mm": 148,
                    "trim_height_mm": 210,
                    "bleed_mm": 3,
                    "min_dpi": 300,
                }
            ],
            "status": "active",
            "updated_at": NOW,
        }
        return CatalogProductChanged.model_validate({**values, **fields})

    return build


@pytest.fixture
def shop_variant_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def mapping(store_id, customer_id, shop_variant_id) -> Callable[..., EventData]:
    """`mapping()` maps the order's variant to the flyer, files passed; `mapping(removed=True)` unmaps it."""

    def build(removed: bool = False, **fields: Any) -> EventData:
        ref: dict[str, Any] = {
            "shop_variant_id": shop_variant_id,
            "store_id": store_id,
            "customer_id": customer_id,
            "platform": "shopify",
            "external_product_id": "7513594",
            "external_variant_id": VARIANT_ID,
            "sku": "FLYER-A5",
        }
        if removed:
            return MappingRemoved.model_validate({**ref, "removed_at": NOW, **fields})
        values = {
            "product_uid": FLYER,
            "attributes": {"paper": "matte"},
            "files": {"front": passed()},
            "status": "mapped",
            "issues": (),
            "updated_at": NOW,
        }
        return MappingChanged.model_validate({**ref, **values, **fields})

    return build


@pytest.fixture
def template(customer_id) -> Callable[..., TemplateChanged]:
    def build(**fields: Any) -> TemplateChanged:
        values: dict[str, Any] = {
            "template_id": uuid.uuid4(),
            "customer_id": customer_id,
            "name": "Summer flyer",
            "product_uid": FLYER,
            "attributes": {"paper": "gloss"},
            "files": {"front": passed()},
            "status": "ok",
            "updated_at": NOW,
        }
        return TemplateChanged.model_validate({**values, **fields})

    return build


@pytest.fixture
def flyer_order(shop_order) -> Callable[..., EventData]:
    """A Shopify order of one line: 250 flyers of the mapped variant."""

    def build(kind: str = "received", **fields: Any) -> EventData:
        line = {
            "external_id": "11",
            "external_product_id": "7513594",
            "external_variant_id": VARIANT_ID,
            "sku": "FLYER-A5",
            "title": "Summer flyer",
            "quantity": 250,
            "unit_price": Decimal("0.20"),
        }
        address = dict(SHIPPING_ADDRESS)
        values: dict[str, Any] = {"line_items": [line], "shipping_address": address, "external_id": "5001"}
        return shop_order(kind, **{**values, **fields})

    return build


@pytest.fixture
def read_order(client, operator) -> Callable[..., Any]:
    async def read(external_id: str = "5001") -> dict[str, Any]:
        listed = await client.get("/v1/orders", params={"external_id": external_id}, headers=operator)
        [summary] = listed.json()["items"]
        return (await client.get(f"/v1/orders/{summary['id']}", headers=operator)).json()

    return read


async def status_events(app: Any) -> list[Envelope]:
    return [
        e for e in await recorded_events(app.state.db, messaging.outbox) if e.type == "order.status_changed"
    ]


def moves(order: dict[str, Any]) -> list[tuple[str, str]]:
    """The order's status moves as (status, actor)."""
    return [(entry["status"], entry["actor"]) for entry in order["history"] if entry["status"] is not None]


@pytest.fixture
def routed_order(deliver, catalog_product, mapping, flyer_order, read_order) -> Callable[..., Any]:
    """Places a mapped flyer order (two lines when `lines=2`) and returns it routed."""

    async def place(external_id: str = "5001", lines: int = 1) -> dict[str, Any]:
        await deliver(catalog_product(), aggregate_version=1)
        await deliver(mapping(), aggregate_version=1)
        order = flyer_order(external_id=external_id)
        if lines == 2:
            line = order.line_items[0]
            order = flyer_order(
                external_id=external_id, line_items=[line, line.model_copy(update={"external_id": "12"})]
            )
        await deliver(order)
        placed = await read_order(external_id)
        assert placed["status"] == "routed", placed
        return placed

    return place


# The flyer's print area: A5 with 3 mm bleed.
FILES: dict[str, bytes] = {"front.pdf": pdf(154, 216), "inside.pdf": pdf(154, 216)}
GOOD_PDF = FILES["front.pdf"]


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return generate_tls_files(tmp_path_factory.mktemp("files-tls"))


@pytest.fixture(scope="module")
def files_url(tls_files: TlsFiles) -> Iterator[str]:
    """The file server's `/files` over HTTPS (orders' files are fetched from https:// addresses only)."""
    tls = {"port": 0, "ssl_certfile": str(tls_files.server_cert), "ssl_keyfile": str(tls_files.server_key)}
    with running_on(file_server(FILES), tls) as (url,):
        yield f"{url}/files"


@pytest.fixture
def allow_private_urls() -> bool:
    """The file server is on loopback: the app may fetch it (a test parametrizes this to False)."""
    return True


@pytest.fixture
def recheck_interval_s() -> float:
    """How often failed files are checked again: hourly, as by default (a test parametrizes this)."""
    return 3600.0


@pytest.fixture
def files_app(
    database_url: str,
    auth: AuthKeys,
    bus: InProcessBus,
    tls_files: TlsFiles,
    allow_private_urls: bool,
    recheck_interval_s: float,
    monkeypatch: pytest.MonkeyPatch,
) -> FastAPI:
    """The app fetching print files from the test's file server: a module whose orders bring files (manual
    orders, artwork in a line's properties) makes it its `app`."""
    # httpx trusts what SSL_CERT_FILE names, read when the app's file client is made: the server's CA.
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files.ca_cert))
    settings = Settings(
        database_url=database_url,
        log_json=False,
        allow_private_urls=allow_private_urls,
        design_file_recheck_interval_s=recheck_interval_s,
    )
    return create_app(settings, Runtime(bus=bus, auth_http=auth.http_client()))


@pytest.fixture
def fixable(files_url: str) -> Iterator[tuple[str, str]]:
    """A file name of this test's own on the file server and its address; removed after the test."""
    name = f"{uuid.uuid4().hex}.pdf"
    yield name, f"{files_url}/{name}"
    FILES.pop(name, None)


@pytest.fixture
def reaches(client: httpx.AsyncClient, operator: dict[str, str]):
    """The order once it exists and has the status (the job runners import it and check its files)."""

    async def wait(status: str, reference: str = "PO-1") -> dict[str, Any]:
        seen: dict[str, Any] = {}

        async def there() -> bool:
            listed = await client.get("/v1/orders", params={"external_id": reference}, headers=operator)
            for summary in listed.json()["items"]:
                seen.update((await client.get(f"/v1/orders/{summary['id']}", headers=operator)).json())
            return seen.get("status") == status

        try:
            await eventually(there, within=20)
        except AssertionError:
            raise AssertionError(f"the order did not reach {status}: {seen}") from None
        return seen

    return wait


def codes(order: dict[str, Any]) -> list[str]:
    return [reason["code"] for reason in order["hold_reasons"]]
