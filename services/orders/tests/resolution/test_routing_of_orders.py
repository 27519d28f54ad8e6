"""Routing rules send resolved orders to their line, and a dry run of a real order explains the choice."""

import uuid

PROBLEM = "application/problem+json"


async def a_line_and_rule(client, operator, **conditions) -> dict:
    line = await client.post(
        "/v1/production-lines", json={"code": "large-format", "name": "Large format"}, headers=operator
    )
    assert line.status_code == 201, line.text
    rule = await client.post(
        "/v1/routing-rules",
        json={
            "name": "Shopify to large format",
            "production_line_id": line.json()["id"],
            "conditions": conditions,
        },
        headers=operator,
    )
    assert rule.status_code == 201, rule.text
    return line.json()


async def test_a_rule_sends_matching_orders_to_its_line_and_a_dry_run_of_an_order_explains_it(
    client, operator, routed_order
):
    line = await a_line_and_rule(client, operator, platforms=["shopify"], countries=["DE"])

    order = await routed_order()

    assert order["production_line_id"] == line["id"]
    assert "Shopify to large format" in [e for e in order["history"] if e["status"] == "routed"][-1]["detail"]
    dry = await client.post("/v1/routing-rules/test", json={"order_id": order["id"]}, headers=operator)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["production_line"]["code"], dry.json()["rule"]["name"]) == (
        "large-format",
        "Shopify to large format",
    )


async def test_an_order_no_rule_matches_goes_to_the_default_line(client, operator, routed_order):
    await a_line_and_rule(client, operator, countries=["FR"])

    order = await routed_order()

    dry = (
        await client.post("/v1/routing-rules/test", json={"order_id": order["id"]}, headers=operator)
    ).json()
    assert dry["rule"] is None and dry["production_line"]["code"] == "default"
    assert order["production_line_id"] == dry["production_line"]["id"]
    [verdict] = dry["verdicts"]
    assert not verdict["matched"] and "FR" in " ".join(verdict["reasons"])


async def test_a_dry_run_of_an_unresolved_or_unknown_order_is_refused(
    client, operator, deliver, catalog_product, flyer_order, read_order
):
    await deliver(catalog_product(), aggregate_version=1)
    await deliver(flyer_order())
    held = await read_order()

    unresolved = await client.post("/v1/routing-rules/test", json={"order_id": held["id"]}, headers=operator)
    assert (unresolved.status_code, unresolved.json()["type"].split("/")[-1]) == (409, "order-not-resolved")
    unknown = await client.post(
        "/v1/routing-rules/test", json={"order_id": str(uuid.uuid4())}, headers=operator
    )
    assert unknown.status_code == 404
    for body in ({}, {"order_id": held["id"], "order": {"customer_id": str(uuid.uuid4())}}):
        both = await client.post("/v1/routing-rules/test", json=body, headers=operator)
        assert (both.status_code, both.headers["content-type"]) == (422, PROBLEM), both.text


async def test_an_order_a_rule_does_not_take_by_platform_goes_on_with_the_reason(
    client, operator, routed_order
):
    await a_line_and_rule(client, operator, platforms=["woocommerce"])

    order = await routed_order()

    dry = (
        await client.post("/v1/routing-rules/test", json={"order_id": order["id"]}, headers=operator)
    ).json()
    assert dry["production_line"]["code"] == "default"
    assert dry["verdicts"][0]["reasons"] == ["the order comes from shopify, the rule takes woocommerce"]
