"""A CSV file of orders through the embedded gateway: a manual store connected in connectors, its file
uploaded to orders (the import route's own body limit), imported in the background and listed."""

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx

from printbridge.config import GatewaySettings
from printbridge_shared.routes import ORDER_IMPORT_MAX_BYTES
from printbridge_shared.testing import eventually

FILE = (
    b"order_reference;currency;ship_first_name;ship_last_name;ship_address1;ship_city;ship_zip;"
    b"ship_country_code;product_uid;quantity\r\n"
    b"PO-1;EUR;Ada;Lovelace;Main Street 1;Berlin;10115;DE;flyer_a5;100\r\n"
    b"PO-1;;;;;;;;poster_a2;2\r\n"
    b"PO-2;EUR;Grace;Hopper;Elm Street 2;Hamburg;20095;DE;flyer_a5;50\r\n"
)


async def answer(call: Callable[[], Awaitable[httpx.Response]], *, unless: str) -> httpx.Response:
    """The call's answer once it is no longer the problem `unless` (something not heard of by event yet)."""
    responses: list[httpx.Response] = []

    async def settled() -> bool:
        responses.append(await call())
        return not responses[-1].text.count(unless)

    await eventually(settled)
    return responses[-1]


async def test_a_file_uploaded_through_the_gateway_is_imported_into_a_manual_store(tmp_path, operator_suite):
    settings = GatewaySettings(data_dir=tmp_path, access_log=False, rate_limit_per_second=0)
    async with operator_suite(settings) as (client, operator):
        customer = (await client.post("/v1/customers", json={"name": "Brand"}, headers=operator)).json()["id"]
        connect = {"platform": "manual", "name": "Spreadsheets", "customer_id": customer}
        store = await answer(
            lambda: client.post("/v1/stores", json=connect, headers=operator), unless="customer-unknown"
        )
        store_id = store.json()["store"]["id"]
        upload = {"file": ("orders.csv", FILE, "text/csv")}
        path = f"/v1/stores/{store_id}/orders/imports"

        accepted = await answer(
            lambda: client.post(path, files=upload, headers=operator), unless="store-not-found"
        )
        assert accepted.status_code == 202, accepted.text

        async def done() -> bool:
            status = (await client.get(accepted.headers["location"], headers=operator)).json()["status"]
            return status == "done"

        await eventually(done, within=30)
        listed = (await client.get("/v1/orders", params={"store_id": store_id}, headers=operator)).json()
        assert sorted(item["external_id"] for item in listed["items"]) == ["PO-1", "PO-2"]

        async def endless() -> AsyncIterator[bytes]:
            while True:
                yield b"x" * 65536

        too_large = await client.post(
            path,
            content=endless(),
            headers={**operator, "Content-Length": str(ORDER_IMPORT_MAX_BYTES + 1)},
        )
        assert too_large.status_code == 413
        assert str(ORDER_IMPORT_MAX_BYTES) in too_large.json()["detail"]
