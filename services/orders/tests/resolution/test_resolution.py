"""Resolution: an order is turned into production items through the projections orders keeps of
mapping's events, and routed; whatever cannot be produced holds it with a reason, and fixing the cause
releases it without anyone touching the order."""

from .conftest import FLYER, FRONT, moves, status_events


async def test_an_order_of_a_mapped_variant_is_resolved_and_routed_to_the_default_line(
    app, deliver, catalog_product, mapping, flyer_order, read_order
):
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(mapping(), aggregate_version=1)

    await deliver(flyer_order())

    order = await read_order()
    assert order["status"] == "routed"
    assert order["production_line_id"] is not None
    [line] = order["line_items"]
    assert (line["status"], line["item"]["product_uid"], line["item"]["quantity"]) == ("routed", FLYER, 250)
    assert line["item"]["attributes"] == {"paper": "matte"}
    assert line["item"]["files"] == {"front": FRONT}
    assert line["item"]["product_type"] == "flyer"
    assert moves(order) == [("routed", "system")]
    events = await status_events(app)
    assert [(e.data["status"], e.aggregate_version) for e in events] == [("received", 1), ("routed", 2)]
    assert {e.aggregate_id for e in events} == {__import__("uuid").UUID(order["id"])}


async def test_an_unmapped_item_holds_the_order_and_mapping_it_releases_the_order(
    app, deliver, catalog_product, mapping, flyer_order, read_order
):
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(flyer_order())

    held = await read_order()
    assert held["status"] == "on_hold"
    [reason] = held["hold_reasons"]
    assert (reason["code"], reason["position"]) == ("unmapped_item", 0)
    assert "Summer flyer" in reason["message"] and "PUT /v1/shop-variants" in reason["fix"]

    await deliver(mapping(), aggregate_version=1)

    released = await read_order()
    assert (released["status"], released["hold_reasons"]) == ("routed", [])
    assert [status for status, _ in moves(released)] == ["on_hold", "routed"]
    assert "mapping of shop variant" in released["history"][-1]["detail"]
    assert [e.data["status"] for e in await status_events(app)] == ["received", "on_hold", "routed"]


async def test_a_failing_print_file_of_the_mapping_holds_the_order_until_the_file_passes(
    deliver, catalog_product, mapping, flyer_order, read_order
):
    failing = {
        "front": {
            "url": FRONT,
            "status": "failed",
            "problem": "file_too_small",
            "message": "the page is 148 x 210 mm; the print size is 154 x 216 mm",
            "fix": "export the page at 154 x 216 mm",
        }
    }
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(
        mapping(files=failing, status="needs_attention", issues=("file_failed",)), aggregate_version=1
    )
    await deliver(flyer_order())

    [reason] = (await read_order())["hold_reasons"]
    assert reason["code"] == "file_too_small"
    assert "154 x 216" in reason["message"] and reason["fix"].startswith("export the page at 154 x 216 mm")

    await deliver(mapping(), aggregate_version=2)  # the file fixed at its address passed its re-check

    assert (await read_order())["status"] == "routed"


async def test_a_pending_file_check_lets_the_order_wait_without_a_hold(
    deliver, catalog_product, mapping, flyer_order, read_order
):
    pending = {"front": {"url": FRONT, "status": "pending"}}
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(
        mapping(files=pending, status="needs_attention", issues=("file_pending",)), aggregate_version=1
    )
    await deliver(flyer_order())

    order = await read_order()
    assert (order["status"], order["hold_reasons"]) == ("received", [])

    await deliver(mapping(), aggregate_version=2)

    assert (await read_order())["status"] == "routed"


async def test_each_cause_has_its_own_reason(deliver, catalog_product, mapping, flyer_order, read_order):
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(mapping(status="inactive"), aggregate_version=1)
    await deliver(flyer_order())
    assert [r["code"] for r in (await read_order())["hold_reasons"]] == ["inactive_product"]

    await deliver(mapping(status="needs_attention", issues=("spec_invalid",)), aggregate_version=2)
    assert [r["code"] for r in (await read_order())["hold_reasons"]] == ["spec_mismatch"]

    await deliver(mapping(files={}, status="needs_attention", issues=("file_missing",)), aggregate_version=3)
    [missing] = (await read_order())["hold_reasons"]
    assert missing["code"] == "spec_mismatch" and "no print file for the 'front'" in missing["message"]

    await deliver(mapping(), aggregate_version=4)
    await deliver(catalog_product(status="retired"), aggregate_version=2)
    # Routed orders keep what they were resolved to; a new order of the retired product waits.
    await deliver(flyer_order(external_id="5002"))
    assert [r["code"] for r in (await read_order("5002"))["hold_reasons"]] == ["product_retired"]
    assert (await read_order())["status"] == "routed"


async def test_an_older_mapping_event_changes_nothing(
    deliver, catalog_product, mapping, flyer_order, read_order
):
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(mapping(removed=True), aggregate_version=5)
    await deliver(mapping(), aggregate_version=4)  # late: the mapping was removed since

    await deliver(flyer_order())

    assert [r["code"] for r in (await read_order())["hold_reasons"]] == ["unmapped_item"]


async def test_unmapping_a_variant_holds_orders_not_yet_routed_only(
    deliver, catalog_product, mapping, flyer_order, read_order
):
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(mapping(), aggregate_version=1)
    await deliver(flyer_order())

    await deliver(mapping(removed=True), aggregate_version=2)

    assert (await read_order())["status"] == "routed"


async def test_an_order_without_a_usable_address_is_held_with_address_invalid(
    deliver, catalog_product, mapping, flyer_order, read_order
):
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(mapping(), aggregate_version=1)

    await deliver(flyer_order(shipping_address={"first_name": "Ada", "city": "Berlin", "country_code": "DE"}))

    order = await read_order()
    [reason] = order["hold_reasons"]
    assert (reason["code"], reason["position"]) == ("address_invalid", None)
    assert "address1" in reason["message"] and "zip" in reason["message"]
    assert f"PATCH /v1/orders/{order['id']}" in reason["fix"]


async def test_a_catalog_product_that_arrives_after_the_mapping_releases_the_waiting_order(
    deliver, catalog_product, mapping, flyer_order, read_order
):
    await deliver(mapping(), aggregate_version=1)
    await deliver(flyer_order())
    assert ((await read_order())["status"], (await read_order())["hold_reasons"]) == ("received", [])

    await deliver(catalog_product(), aggregate_version=1)

    assert (await read_order())["status"] == "routed"


async def test_a_newer_version_of_a_routed_order_is_resolved_again(
    deliver, catalog_product, mapping, flyer_order, read_order
):
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(mapping(), aggregate_version=1)
    await deliver(flyer_order())

    await deliver(flyer_order("updated", updated_minutes=5, shipping_address=None))

    order = await read_order()
    assert [r["code"] for r in order["hold_reasons"]] == ["address_invalid"]
    assert [status for status, _ in moves(order)] == ["routed", "received", "on_hold"]


async def test_a_shop_cancellation_cancels_an_order_before_production(
    app, deliver, catalog_product, mapping, flyer_order, read_order
):
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(mapping(), aggregate_version=1)
    await deliver(flyer_order())

    await deliver(flyer_order("cancelled", updated_minutes=5, cancel_reason="customer"))

    order = await read_order()
    assert (order["status"], order["cancel_reason"], order["cancel_requested_at"]) == (
        "cancelled",
        "customer",
        None,
    )
    assert [e.data["status"] for e in await status_events(app)] == ["received", "routed", "cancelled"]


async def test_a_shop_line_without_the_variants_id_resolves_by_its_sku_in_its_store(
    deliver, catalog_product, mapping, flyer_order, read_order
):
    # Pressero's items carry a part number, not the product id the mapping is kept under.
    by_sku = {
        "external_id": "11",
        "external_product_id": None,
        "external_variant_id": None,
        "sku": "FLYER-A5",
        "title": "Summer flyer",
        "quantity": 250,
        "unit_price": "0.20",
    }
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(flyer_order(line_items=[by_sku]))
    assert [r["code"] for r in (await read_order())["hold_reasons"]] == ["unmapped_item"]

    await deliver(mapping(), aggregate_version=1)

    order = await read_order()
    assert order["status"] == "routed"
    assert order["line_items"][0]["item"]["source"]["kind"] == "mapping"


async def test_a_resolution_that_fails_keeps_the_order_and_the_sweep_resolves_it_later(
    app, deliver, catalog_product, mapping, flyer_order, read_order, monkeypatch
):
    import datetime as dt

    from orders.resolution import items
    from orders.resolution import service as resolution

    await deliver(catalog_product(), aggregate_version=1)
    await deliver(mapping(), aggregate_version=1)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in resolution")

    with monkeypatch.context() as patched:
        patched.setattr(items, "resolve_line", broken)
        patched.setattr(resolution, "resolve_line", broken)
        assert await deliver(flyer_order())  # taken in, not failed: the shop order is not dead-lettered

    kept = await read_order()
    assert (kept["status"], kept["hold_reasons"]) == ("received", [])

    async with app.state.db.session() as session:
        tried = await resolution.sweep(session, app.state.outbox, older_than=dt.timedelta(seconds=-1))

    assert tried == 1
    assert (await read_order())["status"] == "routed"
