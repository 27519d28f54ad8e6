"""OWASP API1:2023 Broken Object Level Authorization: another customer's object does not exist for you.
For every kind of resource a customer owns, customer B's admin reading, changing or deleting customer A's
gets 404 (the operator's own resources, 403), A's stays as it was, and B's listings never show A's. A store
manager of one store gets nothing of the customer's other store."""

import httpx
import pytest

from .conftest import MANUAL_ORDER

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Resource kind → (what B's admin gets reading A's, writes to try on A's as (method, suffix, body)).
KINDS = {
    "customer": (403, [("PATCH", "", {"name": "Taken over"}), ("DELETE", "", None)]),
    "user": (
        404,
        [("PATCH", "", {"role": "admin"}), ("DELETE", "", None), ("POST", "/resend-invitation", None)],
    ),
    "store": (
        404,
        [
            ("PATCH", "", {"name": "Taken over"}),
            ("DELETE", "", None),
            ("POST", "/reconcile", None),
            ("POST", "/webhook-setup/rotate", None),
            ("PUT", "/credentials", {"password": "a new password of mine"}),
            ("POST", "/test-order", {}),
            ("POST", "/products/sync", {"full": True}),
        ],
    ),
    "shop product": (404, []),
    "shop variant": (404, [("POST", "/mapping/files/recheck", None)]),
    "mapping": (None, [("DELETE", "", None)]),
    "file": (404, [("DELETE", "", None)]),
    "template": (
        404,
        [("PATCH", "", {"name": "Taken over"}), ("DELETE", "", None), ("POST", "/files/recheck", None)],
    ),
    "order": (
        404,
        [
            ("PATCH", "", {"shipping_address": {**MANUAL_ORDER["shipping_address"], "city": "Elsewhere"}}),
            ("POST", "/hold", {"reason": "mine now"}),
            ("POST", "/cancel", {"reason": "mine now"}),
            ("POST", "/files/recheck", None),
        ],
    ),
    "order import": (404, []),
    "test order": (404, []),
    "postback endpoint": (403, [("PATCH", "", {"url": "https://evil.example/hook"}), ("DELETE", "", None)]),
}


@pytest.mark.parametrize("kind", KINDS)
async def test_another_customers_object_cannot_be_read(world, kind):
    reading, _writes = KINDS[kind]
    path = world.a.paths[kind]
    if reading is None:  # the mapping is read through its variant
        return

    theirs = await world.call("b_admin", "GET", path)
    mine = await world.call("admin" if reading == 404 else "operator", "GET", path)

    assert theirs.status_code == reading, f"{path}: {theirs.status_code} {theirs.text[:300]}"
    assert theirs.headers["content-type"] == "application/problem+json"
    assert world.a.id not in theirs.text
    assert mine.status_code == 200, f"{path}: {mine.status_code} {mine.text[:300]}"


@pytest.mark.parametrize("kind", [kind for kind, (_, writes) in KINDS.items() if writes])
async def test_another_customers_object_cannot_be_changed_or_deleted(world, kind):
    reading, writes = KINDS[kind]
    path = world.a.paths[kind]
    readable = world.a.paths["shop variant"] if kind == "mapping" else path
    reader = "operator" if reading == 403 else "admin"
    before = (await world.call(reader, "GET", readable)).json()

    for method, suffix, body in writes:
        answer = await world.call("b_admin", method, path + suffix, json=body)
        assert answer.status_code in (403, 404), (
            f"{method} {path}{suffix}: {answer.status_code} {answer.text[:300]}"
        )
        assert answer.status_code == (reading or 404), f"{method} {path}{suffix}: {answer.text[:300]}"

    after = await world.call(reader, "GET", readable)
    assert after.status_code == 200
    assert after.json() == before


LISTINGS = {
    "/v1/stores": "store",
    "/v1/users": "user",
    "/v1/files": "file",
    "/v1/templates": "template",
    "/v1/orders": "order",
    "/v1/test-orders": "test order",
    "/v1/shop-products": "shop product",
}


@pytest.mark.parametrize("listing", LISTINGS)
async def test_listings_show_only_the_callers_own_objects(world, listing):
    a_id = world.a.paths[LISTINGS[listing]].rsplit("/", 1)[1]
    b_id = world.b.paths[LISTINGS[listing]].rsplit("/", 1)[1]

    theirs = await world.call("b_admin", "GET", listing, params={"limit": 100})
    mine = await world.call("admin", "GET", listing, params={"limit": 100})

    assert theirs.status_code == 200, theirs.text
    assert b_id in theirs.text and a_id not in theirs.text
    assert a_id in mine.text and b_id not in mine.text


@pytest.mark.parametrize(
    "listing",
    [
        "/v1/stores",
        "/v1/files",
        "/v1/templates",
        "/v1/orders",
        "/v1/test-orders",
        "/v1/shop-products",
        "/v1/users",
    ],
)
async def test_filtering_a_listing_by_another_customer_shows_nothing_of_it(world, listing):
    answer = await world.call("b_admin", "GET", listing, params={"customer_id": world.a.id})

    assert answer.status_code in (200, 403, 404), answer.text
    assert world.a.paths["store"].rsplit("/", 1)[1] not in answer.text
    if answer.status_code == 200:
        assert world.a.id not in answer.text
    else:
        assert answer.json()["detail"].count(world.a.id) <= 1  # at most the id the caller gave


async def test_a_store_manager_gets_nothing_of_the_customers_other_store(world):
    manual = world.a.manual_store
    for method, path in [
        ("GET", f"/v1/stores/{manual}"),
        ("PATCH", f"/v1/stores/{manual}"),
        ("GET", f"/v1/stores/{manual}/products"),
        ("GET", f"/v1/stores/{manual}/products/export.csv"),
    ]:
        body = {"name": "Mine now"} if method == "PATCH" else None
        answer = await world.call("store_manager", method, path, json=body)
        assert answer.status_code in (403, 404), f"{method} {path}: {answer.status_code} {answer.text[:200]}"
    listed = await world.call("store_manager", "GET", "/v1/stores")
    assert [store["id"] for store in listed.json()["items"]] == [world.a.woo_store]
    own = await world.call("store_manager", "GET", f"/v1/stores/{world.a.woo_store}/products")
    assert own.status_code == 200


async def test_another_customers_file_downloads_only_with_the_signature_its_owner_was_given(world):
    """A file's signed `url` is a capability its owner hands out (to a print shop, a mapping); without it,
    another customer's token gets 404, and an altered signature or another file's signature is 404 too."""
    a_file = world.a.paths["file"]
    b_url = httpx.URL((await world.call("operator", "GET", world.b.paths["file"])).json()["url"])
    b_sig = b_url.params["sig"]

    unsigned = await world.call("b_admin", "GET", f"{a_file}/content")
    foreign = await world.client.get(f"{a_file}/content", params={"sig": b_sig})
    altered = await world.client.get(
        b_url.path, params={"sig": b_sig[:-2] + ("AA" if b_sig[-2:] != "AA" else "BB")}
    )
    signed = await world.client.get(b_url.path, params={"sig": b_sig})

    assert (unsigned.status_code, foreign.status_code, altered.status_code) == (404, 404, 404)
    assert signed.status_code == 200 and signed.content.startswith(b"%PDF")
