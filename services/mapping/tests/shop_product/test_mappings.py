"""Variants connected to production: the spec validated against the catalog, the design files checked
in the background, and the status following the files, the catalog and the shop; every change one
`mapping.changed` with the variant's next version."""

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from mapping.models import DesignFile, ShopProduct, ShopVariant, VariantMapping
from mapping.specs import files as design_files
from printbridge_shared.printfiles import FileCheck
from printbridge_shared.testing import a_lock_is_awaited, eventually

from .conftest import Shop, events

PRODUCTS = "/v1/catalog/products"


def mapping(files_url: str, **changes: Any) -> dict[str, Any]:
    return {
        "product_uid": "flyer_a5",
        "attributes": {"paper": "matte"},
        "files": {"front": f"{files_url}/front.pdf"},
        **changes,
    }


async def put(
    client: httpx.AsyncClient, shop: Shop, variant_id: str, body: dict, role: str = "admin"
) -> httpx.Response:
    return await client.put(f"/v1/shop-variants/{variant_id}/mapping", json=body, headers=shop.headers[role])


async def variant(client: httpx.AsyncClient, shop: Shop, variant_id: str) -> dict[str, Any]:
    answer = await client.get(f"/v1/shop-variants/{variant_id}", headers=shop.headers["admin"])
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def becomes(client: httpx.AsyncClient, shop: Shop, variant_id: str, status: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def reached() -> bool:
        found.update(await variant(client, shop, variant_id))
        return found["mapping_status"] == status

    await eventually(reached, within=20)
    return found


async def test_a_variant_mapped_with_a_good_file_becomes_mapped(
    client, shop: Shop, catalog, files_url
) -> None:
    await shop.connect()
    await shop.synced()
    variant_id = await shop.variant_id(client, "FL-A5")

    answer = await put(client, shop, variant_id, mapping(files_url), role="store_manager")
    assert answer.status_code == 200, answer.text
    assert answer.json()["mapping"]["attributes"] == {
        "paper": "matte",
        "size": "A5",
    }  # a single value is taken

    mapped = await becomes(client, shop, variant_id, "mapped")
    assert mapped["mapping"]["files"]["front"]["status"] == "passed"
    assert mapped["issues"] == []
    (product,) = await shop.products(client)
    assert product["mapping_status"] == "mapped"
    changed = await events(shop.app, "mapping.changed")
    assert [e.aggregate_version for e in changed] == list(range(1, len(changed) + 1))
    last = changed[-1]
    assert last.aggregate_id == uuid.UUID(variant_id)
    assert (
        last.data["status"],
        last.data["product_uid"],
        last.data["sku"],
        last.data["external_variant_id"],
    ) == ("mapped", "flyer_a5", "FL-A5", "1001")
    assert last.data["files"]["front"]["status"] == "passed"


async def test_a_spec_that_does_not_fit_the_catalog_is_refused_naming_the_field(
    client, shop: Shop, catalog, files_url
) -> None:
    await shop.connect()
    await shop.synced()
    variant_id = await shop.variant_id(client, "FL-A5")

    wrong_value = await put(client, shop, variant_id, mapping(files_url, attributes={"paper": "silk"}))
    assert wrong_value.status_code == 422
    (error,) = wrong_value.json()["errors"]
    assert (
        error["loc"] == ["body", "attributes", "paper"]
        and "matte" in error["msg"]
        and "gloss" in error["msg"]
    )
    unknown_area = await put(
        client, shop, variant_id, mapping(files_url, files={"inside": f"{files_url}/front.pdf"})
    )
    assert unknown_area.status_code == 422 and unknown_area.json()["errors"][0]["loc"] == [
        "body",
        "files",
        "inside",
    ]
    unknown = await put(client, shop, variant_id, mapping(files_url, product_uid="nope_nope"))
    assert unknown.status_code == 422 and "product_uid" in unknown.text
    retired = await put(
        client, shop, variant_id, mapping(files_url, product_uid="poster_a1", attributes={}, files={})
    )
    assert retired.status_code == 422 and retired.json()["type"].endswith("product-retired")
    extra = await put(client, shop, variant_id, {**mapping(files_url), "colour": "red"})
    assert extra.status_code == 422 and "colour" in extra.text
    assert (await variant(client, shop, variant_id))["mapping"] is None
    assert await events(shop.app, "mapping.changed") == []


async def test_a_bad_print_file_is_named_and_the_variant_needs_attention(
    client, shop: Shop, catalog, files_url
) -> None:
    await shop.connect()
    await shop.synced()
    variant_id = await shop.variant_id(client, "FL-A5")
    login_page = files_url.replace("/files", "/download") + "/front.pdf"

    assert (
        await put(client, shop, variant_id, mapping(files_url, files={"front": login_page}))
    ).status_code == 200

    async def checked() -> bool:
        found = await variant(client, shop, variant_id)
        return found["mapping"]["files"]["front"]["status"] == "failed"

    await eventually(checked, within=20)
    found = await variant(client, shop, variant_id)
    assert found["mapping_status"] == "needs_attention"
    front = found["mapping"]["files"]["front"]
    assert front["problem"] == "file_format" and "html" in front["message"].lower()
    assert found["issues"][0]["code"] == "file_failed" and found["issues"][0]["fix"]
    missing = await put(
        client, shop, variant_id, mapping(files_url, files={"front": f"{files_url}/gone.pdf"})
    )
    assert missing.status_code == 200

    async def unreachable() -> bool:
        front = (await variant(client, shop, variant_id))["mapping"]["files"]["front"]
        return front["problem"] == "file_unreachable"

    await eventually(unreachable, within=20)


async def test_the_status_follows_the_shop_and_the_catalog(
    client, shop: Shop, catalog, files_url, operator
) -> None:
    await shop.connect()
    await shop.synced(revision=1)
    variant_id = await shop.variant_id(client, "FL-A5")
    assert (await put(client, shop, variant_id, mapping(files_url))).status_code == 200
    await becomes(client, shop, variant_id, "mapped")

    await shop.synced(revision=2, active=False)
    assert (await variant(client, shop, variant_id))["mapping_status"] == "inactive"
    assert (await events(shop.app, "mapping.changed"))[-1].data["status"] == "inactive"
    await shop.synced(revision=3, active=True)
    assert (await variant(client, shop, variant_id))["mapping_status"] == "mapped"

    assert (await client.post(f"{PRODUCTS}/flyer_a5/retire", headers=operator)).status_code == 200
    retired = await variant(client, shop, variant_id)
    assert retired["mapping_status"] == "needs_attention"
    assert retired["issues"][0]["code"] == "product_retired"
    last = (await events(shop.app, "mapping.changed"))[-1]
    assert (last.data["status"], last.data["issues"]) == ("needs_attention", ["product_retired"])
    assert (await client.post(f"{PRODUCTS}/flyer_a5/reactivate", headers=operator)).status_code == 200
    assert (await variant(client, shop, variant_id))["mapping_status"] == "mapped"


async def test_unmapping_and_a_variant_leaving_the_shop_remove_the_mapping(
    client, shop: Shop, catalog, files_url
) -> None:
    await shop.connect()
    await shop.synced(revision=1, variants=[("1001", "FL-A5", {}), ("1002", "FL-A4", {})])
    first, second = await shop.variant_id(client, "FL-A5"), await shop.variant_id(client, "FL-A4")
    for variant_id in (first, second):
        assert (await put(client, shop, variant_id, mapping(files_url))).status_code == 200

    gone = await client.delete(f"/v1/shop-variants/{first}/mapping", headers=shop.headers["admin"])
    assert gone.status_code == 204
    again = await client.delete(f"/v1/shop-variants/{first}/mapping", headers=shop.headers["admin"])
    assert again.status_code == 409
    assert (await variant(client, shop, first))["mapping_status"] == "unmapped"
    await shop.synced(revision=2, variants=[("1001", "FL-A5", {})])

    removed = await events(shop.app, "mapping.removed")
    assert sorted(e.data["shop_variant_id"] for e in removed) == sorted([first, second])
    assert (await put(client, shop, first, mapping(files_url))).status_code == 200
    versions = [
        e.aggregate_version
        for e in await events(shop.app, "mapping.changed") + removed
        if e.aggregate_id == uuid.UUID(first)
    ]
    assert sorted(versions) == list(range(1, len(versions) + 1))  # mapped again: the versions go on


async def test_several_variants_are_mapped_at_once_or_none_is(client, shop: Shop, catalog, files_url) -> None:
    await shop.connect()
    await shop.synced(variants=[("1001", "FL-A5", {}), ("1002", "FL-A4", {})])
    ids = [await shop.variant_id(client, "FL-A5"), await shop.variant_id(client, "FL-A4")]
    bulk = "/v1/shop-variants/mappings"

    unknown = await client.post(
        bulk,
        json={**mapping(files_url), "shop_variant_ids": [ids[0], str(uuid.uuid4())]},
        headers=shop.headers["admin"],
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == [
        "body",
        "shop_variant_ids",
        "1",
    ]
    twice = await client.post(
        bulk, json={**mapping(files_url), "shop_variant_ids": [ids[0], ids[0]]}, headers=shop.headers["admin"]
    )
    assert twice.status_code == 422
    empty = await client.post(
        bulk, json={**mapping(files_url), "shop_variant_ids": []}, headers=shop.headers["admin"]
    )
    assert empty.status_code == 422
    assert await events(shop.app, "mapping.changed") == []

    done = await client.post(
        bulk, json={**mapping(files_url), "shop_variant_ids": ids}, headers=shop.headers["admin"]
    )
    assert done.status_code == 200, done.text
    assert [v["mapping"]["product_uid"] for v in done.json()] == ["flyer_a5", "flyer_a5"]
    other = await client.post(
        bulk, json={**mapping(files_url), "shop_variant_ids": ids}, headers=shop.headers["other"]
    )
    assert other.status_code == 422  # another customer's variants are as good as unknown


async def test_who_may_map_a_variant(client, shop: Shop, catalog, files_url, operator) -> None:
    await shop.connect()
    await shop.synced()
    variant_id = await shop.variant_id(client, "FL-A5")
    path = f"/v1/shop-variants/{variant_id}/mapping"
    assert (await client.put(path, json=mapping(files_url))).status_code == 401
    for role, status in (
        ("viewer", 403),
        ("order_manager", 403),
        ("other", 404),
        ("other_store_manager", 404),
    ):
        assert (await put(client, shop, variant_id, mapping(files_url), role=role)).status_code == status, (
            role
        )
    assert (await client.put(path, json=mapping(files_url), headers=operator)).status_code == 200
    assert (
        await client.put(
            f"/v1/shop-variants/{uuid.uuid4()}/mapping", json=mapping(files_url), headers=operator
        )
    ).status_code == 404
    assert (
        await client.get(f"/v1/shop-variants/{variant_id}", headers=shop.headers["viewer"])
    ).status_code == 200
    assert (
        await client.get(f"/v1/shop-variants/{variant_id}", headers=shop.headers["other"])
    ).status_code == 404
    for role, status in (("viewer", 403), ("other", 404)):
        assert (await client.delete(path, headers=shop.headers[role])).status_code == status
    recheck = await client.post(f"{path}/files/recheck", headers=shop.headers["store_manager"])
    assert recheck.status_code == 202, recheck.text
    assert (await client.post(f"{path}/files/recheck", headers=shop.headers["viewer"])).status_code == 403


@pytest.mark.postgres_only
async def test_checks_of_two_variants_files_ending_at_once_leave_the_product_mapped(
    client, shop: Shop, catalog, files_url
) -> None:
    await shop.connect()
    await shop.synced(variants=[("1001", "FL-A5", {}), ("1002", "FL-A4", {})])
    ids = [uuid.UUID(await shop.variant_id(client, sku)) for sku in ("FL-A5", "FL-A4")]
    done = await client.post(
        "/v1/shop-variants/mappings",
        json={**mapping(files_url), "shop_variant_ids": [str(i) for i in ids]},
        headers=shop.headers["admin"],
    )
    assert done.status_code == 200, done.text
    for variant_id in ids:
        await becomes(client, shop, str(variant_id), "mapped")
    db = shop.app.state.db
    async with db.session() as session:  # as right after the mapping was saved: every file being checked
        await session.execute(update(DesignFile).values(status="pending", checked_at=None))
        await session.execute(update(VariantMapping).values(status="file_pending"))
        await session.execute(update(ShopVariant).values(mapping_status="needs_attention"))
        await session.execute(update(ShopProduct).values(mapping_status="needs_attention"))
        files = {row.owner_id: row for row in (await session.scalars(select(DesignFile))).all()}
    marks = [(files[v].id, design_files.fingerprint(files[v])) for v in ids]
    passed = FileCheck(url=f"{files_url}/front.pdf", ok=True)
    first_recorded, second_started = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with db.session() as session:
            await design_files.record_result(session, shop.app.state.outbox, *marks[0], passed)
            first_recorded.set()
            await second_started.wait()
            await eventually(lambda: a_lock_is_awaited(db))  # the second variant's check waits for it

    async def second() -> None:
        await first_recorded.wait()
        second_started.set()
        async with db.session() as session:
            await design_files.record_result(session, shop.app.state.outbox, *marks[1], passed)

    await asyncio.gather(first(), second())
    assert [(await variant(client, shop, str(v)))["mapping_status"] for v in ids] == ["mapped", "mapped"]
    (product,) = await shop.products(client)
    assert product["mapping_status"] == "mapped"
