"""Helpers of the import tests: a manual store of the test's customer, an order file written from
dicts, uploading it and waiting for its import to finish."""

import csv
import io
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from printbridge_shared.events.contracts import Platform
from printbridge_shared.testing import eventually

COLUMNS = (
    "order_reference",
    "currency",
    "email",
    "note",
    "ship_first_name",
    "ship_last_name",
    "ship_address1",
    "ship_city",
    "ship_zip",
    "ship_country_code",
    "ship_phone",
    "product_uid",
    "quantity",
    "unit_price",
    "file_front",
    "option_paper",
)


def _line(reference: str = "PO-1", **cells: str) -> dict[str, str]:
    """One row: a valid line item of order `reference`, with `cells` changed."""
    values = {
        "order_reference": reference,
        "currency": "EUR",
        "email": "ada@example.com",
        "note": "",
        "ship_first_name": "Ada",
        "ship_last_name": "Lovelace",
        "ship_address1": "Hauptstraße 5",
        "ship_city": "Berlin",
        "ship_zip": "10115",
        "ship_country_code": "DE",
        "ship_phone": "+49 30 1234567",
        "product_uid": "poster_a2",
        "quantity": "2",
        "unit_price": "24.95",
        "file_front": "https://files.example.com/front.pdf",
        "option_paper": "matte",
    }
    return {**values, **cells}


def _order_file(
    rows: list[dict[str, str]], *, delimiter: str = ",", columns: tuple[str, ...] = COLUMNS, bom: bool = False
) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


@pytest.fixture
def line() -> Callable[..., dict[str, str]]:
    """`line("PO-1", quantity="3")`: a valid row of order PO-1 with the cells given changed."""
    return _line


@pytest.fixture
def order_file() -> Callable[..., bytes]:
    """`order_file(rows, delimiter=";", columns=…, bom=True)`: the bytes of a UTF-8 order file."""
    return _order_file


@pytest.fixture
async def manual_store(deliver, store_connected, store_id) -> uuid.UUID:
    """The test's store, a connected manual one."""
    await deliver(store_connected(platform=Platform.manual, name="Spreadsheet orders"))
    return store_id


Upload = Callable[..., Awaitable[httpx.Response]]


@pytest.fixture
def upload(client: httpx.AsyncClient, user_headers) -> Upload:
    """POSTs `content` as the multipart field `file` to the store's imports (admin of the test's
    customer unless `headers` say otherwise)."""

    async def post(
        store_id: uuid.UUID,
        content: bytes,
        *,
        headers: dict[str, str] | None = None,
        name: str = "orders.csv",
    ) -> httpx.Response:
        return await client.post(
            f"/v1/stores/{store_id}/orders/imports",
            files={"file": (name, content, "text/csv")},
            headers=headers if headers is not None else user_headers("admin"),
        )

    return post


Finished = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def finished(client: httpx.AsyncClient, user_headers) -> Finished:
    """The import behind an accepted upload, once the service's job runner has finished it."""

    async def wait(accepted: httpx.Response) -> dict[str, Any]:
        assert accepted.status_code == 202, accepted.text
        location = accepted.headers["location"]
        seen: dict[str, Any] = {}

        async def done() -> bool:
            response = await client.get(location, headers=user_headers("viewer"))
            seen.update(response.json())
            return seen["status"] in ("done", "failed")

        await eventually(done, within=30)
        return seen

    return wait
