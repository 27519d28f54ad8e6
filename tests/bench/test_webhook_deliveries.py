"""The deliveries `make bench` sends to the webhook endpoint are what Shopify would send: signed so the
connectors service accepts them, distinct, and readable as orders."""

import json
from pathlib import Path

from connectors.platforms.shopify import normalise
from connectors.platforms.shopify.signatures import body_signed
from printbridge import bench_webhooks

SHOP = "bench-prints.myshopify.com"
SECRET = "shpss_bench_secret"


def test_every_delivery_is_signed_with_the_client_secret_over_its_raw_body() -> None:
    items = list(bench_webhooks.deliveries(50, SHOP, SECRET))
    assert all(body_signed(i.body, i.headers["X-Shopify-Hmac-Sha256"], [SECRET]) for i in items)
    assert not any(body_signed(i.body, i.headers["X-Shopify-Hmac-Sha256"], ["another"]) for i in items)
    tampered = items[0].body.replace(b'"currency":"EUR"', b'"currency":"USD"')
    assert not body_signed(tampered, items[0].headers["X-Shopify-Hmac-Sha256"], [SECRET])


def test_deliveries_are_distinct_orders_with_their_own_webhook_and_event_ids() -> None:
    items = list(bench_webhooks.deliveries(500, SHOP, SECRET))
    for header in ("X-Shopify-Webhook-Id", "X-Shopify-Event-Id", "X-Shopify-Order-Id"):
        assert len({i.headers[header] for i in items}) == len(items)
    ids = [json.loads(i.body)["id"] for i in items]
    assert len(set(ids)) == len(ids) and all(2**40 <= i < 2**63 for i in ids)
    assert all(i.headers["X-Shopify-Topic"] == "orders/create" for i in items)
    assert all(i.headers["X-Shopify-Shop-Domain"] == SHOP for i in items)


def test_a_delivery_reads_as_an_order_version_in_the_connector() -> None:
    item = next(bench_webhooks.deliveries(1, SHOP, SECRET))
    version = normalise.from_rest(normalise.parse_json(item.body))
    assert version.external_id == str(json.loads(item.body)["id"])
    assert not version.cancelled


def test_the_wrk_script_holds_every_delivery_on_a_line_of_its_own(tmp_path: Path) -> None:
    items = list(bench_webhooks.deliveries(20, SHOP, SECRET))
    script = bench_webhooks.write_wrk_script(items, SHOP, tmp_path)
    data = next(tmp_path.glob("deliveries-*.tsv")).read_bytes().splitlines()
    assert len(data) == 20
    first = data[0].split(b"\t")
    assert first[-1] == items[0].body
    assert first[0].decode() == items[0].headers["X-Shopify-Hmac-Sha256"]
    assert str(next(tmp_path.glob("deliveries-*.tsv"))) in script.read_text()
