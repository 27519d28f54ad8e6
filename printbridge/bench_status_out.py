"""Status back out (issue 12), in the distributed mode: how many signed postbacks the orders service
delivers a second, and how long a `shipped` status with tracking takes to be recorded in the shop.

Set up as the orders bench is (bench_orders.py: Shopify sandbox, a shop connected for a customer, its one
variant mapped, one order routed first), plus a postback endpoint for every customer at a receiver in
this process that answers 200 and verifies each delivery's signature with the reference
`standardwebhooks` library.

Postbacks: rate by rate, signed `orders/create` webhooks are sent on a fixed schedule; each order makes
two postbacks (`order.received` and `order.routed`), so the postbacks offered a second are twice the
orders'. A postback's latency is its arrival at the receiver less its status change (the payload's
`timestamp`), one clock. The search stops at the first rate whose p99 exceeds a second.

Shop fulfilment: orders placed in the sandbox shop (so the shop has them to fulfil) come in by its
webhooks and are routed, claimed and printed (not measured); then `shipped` with tracking is reported at
a steady rate; an order's latency is the shop's confirmation (connectors' `succeeded_at` of
its `shop_fulfillment.succeeded`, kept in the order's `shop_fulfillments`) less the report's send time."""

import asyncio
import datetime as dt
import json
import math
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from printbridge import bench_orders, bench_webhooks
from printbridge.bench_orders import percentile
from printbridge.postback_receiver import PostbackReceiver
from printbridge_shared.testing import SHIPPING_ADDRESS

ORDER_RATES = tuple(
    int(r) for r in os.environ.get("PRINTBRIDGE_BENCH_POSTBACK_ORDER_RATES", "10,25,50,100").split(",")
)
STEP_SECONDS = float(os.environ.get("PRINTBRIDGE_BENCH_POSTBACK_SECONDS", "15"))
DRAIN_SECONDS = 60.0
SHIP_RATES = tuple(int(r) for r in os.environ.get("PRINTBRIDGE_BENCH_SHIP_RATES", "5,10,20").split(","))
SHIP_SECONDS = float(os.environ.get("PRINTBRIDGE_BENCH_SHIP_SECONDS", "15"))
PREPARE_CONCURRENCY = 16
GOAL_P99_SECONDS = 1.0


@dataclass(frozen=True)
class PostbackStep:
    order_rate: int
    offered: int  # postbacks the step's orders made (two an order that was routed)
    delivered: int
    delivered_per_second: float  # from the first arrival to the last
    p50: float
    p99: float
    bad_signatures: int
    cpu: dict[str, float]
    window: float

    @property
    def passed(self) -> bool:
        return self.delivered == self.offered and self.p99 <= GOAL_P99_SECONDS


@dataclass(frozen=True)
class ShipStep:
    rate: int
    shipped: int
    fulfilled: int
    p50: float
    p99: float


@dataclass(frozen=True)
class StatusOutResult:
    postbacks: list[PostbackStep]
    shipping: list[ShipStep]
    measured_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def _stamp(value: str) -> float:
    return dt.datetime.fromisoformat(value).timestamp()


def measure_postbacks(
    suite: bench_orders.ShopSuite, rate: int, items: list[bench_webhooks.Delivery], receiver: PostbackReceiver
) -> PostbackStep:
    base, store_id, orders_url = suite.base, suite.store_id, suite.orders_url
    start = len(receiver.snapshot())
    bad_before = receiver.bad_signatures
    cpu_before, began = bench_orders.cpu_jiffies(), time.time()
    sent = asyncio.run(bench_orders.send_steadily(base, items, rate))
    wanted = {s.order_id for s in sent if 200 <= s.status < 300}
    asyncio.run(bench_orders._drained(orders_url, store_id, list(wanted), len(wanted), DRAIN_SECONDS))
    routed = asyncio.run(_routed_ids(orders_url, store_id, list(wanted)))
    offered = 2 * len(routed)
    deadline = time.monotonic() + DRAIN_SECONDS
    mine = [p for p in receiver.snapshot(start) if p.order_id in routed]
    while len(mine) < offered and time.monotonic() < deadline:
        time.sleep(0.5)
        mine = [p for p in receiver.snapshot(start) if p.order_id in routed]
    cpu_after, ended = bench_orders.cpu_jiffies(), time.time()
    latencies = [p.arrived - _stamp(str(p.payload["timestamp"])) for p in mine]
    arrivals = [p.arrived for p in mine]
    span = max(arrivals) - min(arrivals) if len(arrivals) > 1 else math.nan
    step = PostbackStep(
        order_rate=rate,
        offered=offered,
        delivered=len(mine),
        delivered_per_second=(len(mine) - 1) / span if span and span > 0 else math.nan,
        p50=percentile(latencies + [math.inf] * (offered - len(mine)), 0.50),
        p99=percentile(latencies + [math.inf] * (offered - len(mine)), 0.99),
        bad_signatures=receiver.bad_signatures - bad_before,
        cpu=bench_orders.cpu_seconds(cpu_before, cpu_after),
        window=ended - began,
    )
    print(
        f"postbacks at {rate} orders/s: {step.delivered}/{step.offered} delivered, "
        f"{step.delivered_per_second:.0f}/s, p50 {step.p50:.3f} s, p99 {step.p99:.3f} s, "
        f"{step.bad_signatures} bad signatures"
    )
    return step


async def _routed_ids(orders_url: str, store_id: str, external_ids: list[str]) -> set[str]:
    connection = await asyncpg.connect(orders_url)
    try:
        rows = await connection.fetch(
            "SELECT id FROM orders WHERE store_id = $1 AND external_id = ANY($2::text[]) "
            "AND status = 'routed'",
            uuid.UUID(store_id),
            external_ids,
        )
    finally:
        await connection.close()
    return {str(row["id"]) for row in rows}


def place_in_shop(shopify: str, shop: str, variant: bench_orders.Variant, count: int) -> list[str]:
    """Orders placed in the sandbox shop itself (so the shop has them to fulfil), delivered to
    Printbridge by the shop's `orders/create` webhooks; their Shopify ids."""
    address = dict(SHIPPING_ADDRESS)
    body = {
        "line_items": [{"variant_id": int(variant.external_id), "quantity": 100}],
        "shipping_address": address,
    }
    placed = []
    with httpx.Client(timeout=30) as client:
        for _ in range(count):
            response = client.post(f"{shopify}/_sandbox/shopify/shops/{shop}/orders", json=body)
            response.raise_for_status()
            placed.append(str(response.json()["id"]))
    return placed


async def _order_ids(orders_url: str, store_id: str, external_ids: list[str]) -> list[uuid.UUID]:
    """The routed orders among the shop's, oldest first."""
    connection = await asyncpg.connect(orders_url)
    try:
        rows = await connection.fetch(
            "SELECT id FROM orders WHERE store_id = $1 AND external_id = ANY($2::text[]) "
            "AND status = 'routed' ORDER BY created_at",
            uuid.UUID(store_id),
            external_ids,
        )
    finally:
        await connection.close()
    return [row["id"] for row in rows]


async def _prepare(base: str, token: str, order_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """Claims and prints the orders (not measured); those that got there."""
    headers = {"Authorization": f"Bearer {token}"}
    ready: list[uuid.UUID] = []
    queue = list(order_ids)

    async def worker(client: httpx.AsyncClient) -> None:
        while queue:
            order_id = queue.pop()
            claimed = await client.post(f"/v1/production/orders/{order_id}/claim", headers=headers)
            printed = await client.post(
                f"/v1/orders/{order_id}/status", json={"status": "printed"}, headers=headers
            )
            if claimed.status_code == 200 and printed.status_code == 200:
                ready.append(order_id)

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(PREPARE_CONCURRENCY)))
    return ready


async def _ship_steadily(
    base: str, token: str, order_ids: list[uuid.UUID], rate: float
) -> dict[uuid.UUID, float]:
    """Reports each order shipped with tracking at `rate` a second; each one's send time (2xx only)."""
    headers = {"Authorization": f"Bearer {token}"}
    sent: dict[uuid.UUID, float] = {}

    async def ship(client: httpx.AsyncClient, order_id: uuid.UUID) -> None:
        at = time.time()
        body = {"status": "shipped", "tracking": {"number": f"BENCH-{order_id.hex[:12]}", "company": "DHL"}}
        response = await client.post(f"/v1/orders/{order_id}/status", json=body, headers=headers)
        if response.status_code == 200:
            sent[order_id] = at

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        began = time.perf_counter()
        tasks = []
        for index, order_id in enumerate(order_ids):
            delay = began + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(ship(client, order_id)))
        await asyncio.gather(*tasks)
    return sent


async def _fulfilled(orders_url: str, sent: dict[uuid.UUID, float], within: float) -> dict[uuid.UUID, float]:
    """Each shipped order's shop confirmation time, waiting until all came or `within` passed."""
    connection = await asyncpg.connect(orders_url)
    found: dict[uuid.UUID, float] = {}
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            rows = await connection.fetch(
                "SELECT id, shop_fulfillments FROM orders WHERE id = ANY($1::uuid[])", list(sent)
            )
            for row in rows:
                for parcel in json.loads(row["shop_fulfillments"] or "[]"):
                    if parcel.get("status") == "succeeded":
                        found[row["id"]] = _stamp(parcel["at"])
            if len(found) >= len(sent):
                break
            await asyncio.sleep(0.5)
    finally:
        await connection.close()
    return found


def measure_shipping(
    base: str, token: str, rate: int, order_ids: list[uuid.UUID], orders_url: str
) -> ShipStep:
    sent = asyncio.run(_ship_steadily(base, token, order_ids, rate))
    confirmed = asyncio.run(_fulfilled(orders_url, sent, DRAIN_SECONDS))
    latencies = [confirmed[o] - at if o in confirmed else math.inf for o, at in sent.items()]
    step = ShipStep(
        rate=rate,
        shipped=len(sent),
        fulfilled=len(confirmed),
        p50=percentile(latencies, 0.50),
        p99=percentile(latencies, 0.99),
    )
    print(
        f"shipped at {rate}/s: {step.fulfilled}/{step.shipped} fulfilled in the shop, "
        f"p50 {step.p50:.3f} s, p99 {step.p99:.3f} s"
    )
    return step


def run(workdir: Path) -> StatusOutResult:
    from printbridge.bench import login_again

    receiver = PostbackReceiver()
    postbacks: list[PostbackStep] = []
    shipping: list[ShipStep] = []
    with receiver.serving() as receiver_url:

        def add_endpoint(suite: bench_orders.ShopSuite) -> None:
            receiver.secret = bench_orders.add_postback_endpoint(suite, receiver_url, "bench receiver")

        with bench_orders.shop_suite(workdir, "status_out", before_orders=add_endpoint) as suite:
            for seed, rate in enumerate(ORDER_RATES):
                items = bench_orders.orders_of(
                    suite.variant, int(rate * STEP_SECONDS), suite.secret, seed=100 + seed
                )
                postbacks.append(measure_postbacks(suite, rate, items, receiver))
                if not postbacks[-1].passed:
                    break
            count = sum(int(rate * SHIP_SECONDS) for rate in SHIP_RATES)
            in_shop = place_in_shop(suite.shopify, bench_orders.SHOP, suite.variant, count)
            asyncio.run(
                bench_orders._drained(
                    suite.orders_url, suite.store_id, in_shop, len(in_shop), DRAIN_SECONDS * 3
                )
            )
            routed = asyncio.run(_order_ids(suite.orders_url, suite.store_id, in_shop))
            token = login_again(suite.base)
            for rate in SHIP_RATES:
                wanted = int(rate * SHIP_SECONDS)
                batch, routed = routed[:wanted], routed[wanted:]
                ready = asyncio.run(_prepare(suite.base, token, batch))
                shipping.append(measure_shipping(suite.base, token, rate, ready, suite.orders_url))
    return StatusOutResult(postbacks, shipping)


def _seconds(value: float) -> str:
    return "never" if math.isinf(value) else "n/a" if math.isnan(value) else f"{value:.3f}"


def section(result: StatusOutResult, machine: str) -> list[str]:
    kept = [step for step in result.postbacks if step.passed]
    best = max(kept, key=lambda step: step.delivered_per_second) if kept else None
    verdict = (
        f"{best.delivered_per_second:.0f} postbacks/s delivered and verified with p99 "
        f"{_seconds(best.p99)} s (at {best.order_rate} orders/s)"
        if best
        else "no rate tried delivered every postback with p99 ≤ 1 s"
    )
    lines = [
        "## Status back out: postbacks and shop fulfilment",
        "",
        f"Measured {result.measured_at:%Y-%m-%d %H:%M} UTC on {machine}: "
        "`python -m printbridge.bench status-out` (distributed: `printbridge run-dist`, PostgreSQL, "
        "RabbitMQ, nginx; `printbridge/bench_status_out.py`).",
        "",
        "Set up as the orders bench (a Shopify sandbox shop, its variant mapped), plus one postback "
        "endpoint at a receiver in the bench process that verifies every signature with the reference "
        "`standardwebhooks` library and answers 200. Each order sent (a signed `orders/create` webhook, "
        f"{STEP_SECONDS:.0f} s per rate, open loop) makes two postbacks, `order.received` and "
        "`order.routed`. Latency: arrival at the receiver less the status change's `timestamp` in the "
        "payload (one clock).",
        "",
        f"**Postbacks: {verdict}.**",
        "",
        "| orders/s | postbacks offered | delivered | delivered/s | p50 s | p99 s | bad signatures | "
        "orders cores |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for step in result.postbacks:
        lines.append(
            f"| {step.order_rate} | {step.offered:,} | {step.delivered:,} | "
            f"{step.delivered_per_second:.0f} | {_seconds(step.p50)} | {_seconds(step.p99)} | "
            f"{step.bad_signatures} | {step.cpu.get('orders', 0.0) / step.window:.2f} |"
        )
    lines += [
        "",
        "Shop fulfilment: orders placed in the sandbox shop, taken in by its webhooks, routed, claimed and "
        "printed first (not measured), then `POST "
        "/v1/orders/{id}/status` `shipped` with tracking at a steady rate for "
        f"{SHIP_SECONDS:.0f} s; latency from the report's send to the shop's confirmation (connectors' "
        "`succeeded_at` of `shop_fulfillment.succeeded`, after Shopify's `fulfillmentCreate` through the "
        "order's fulfillment orders in the sandbox).",
        "",
        "| shipped/s | shipped | fulfilled in the shop | p50 s | p99 s |",
        "|---:|---:|---:|---:|---:|",
    ]
    for ship in result.shipping:
        lines.append(
            f"| {ship.rate} | {ship.shipped:,} | {ship.fulfilled:,} | {_seconds(ship.p50)} | "
            f"{_seconds(ship.p99)} |"
        )
    lines.append("")
    return lines
