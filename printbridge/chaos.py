"""`make chaos` (`python -m printbridge.chaos [--orders N]`): orders keep coming while things break, and
afterwards nothing is lost and nothing happened twice.

The suite runs in the distributed mode (`printbridge run-dist`: five service processes and nginx) on a
PostgreSQL cluster and a RabbitMQ node of its own (printbridge/chaos_infra.py), against the Shopify,
WooCommerce, Etsy and Pressero sandboxes in this process, with an SMTP server and a postback receiver it
can take down. Set up through the public API as a customer does (the Shopify store as the order benches
set it up, bench_orders.py; the others in chaos_platforms.py): one customer with one store on every
platform and a manual store, each store's product mapped, a postback endpoint for every order. Then the
orders are placed round-robin over the platforms, each its platform's own way (chaos_platforms.py says
how each arrives), at a steady total rate without a pause while the faults strike (the rest of them
after the last fault), while the harness acts as the producer's MIS: it claims every routed order and
reports it printed and shipped with tracking, so shipments go back to the shops and postbacks to the
receiver.

The faults, one at a time, each while orders are being placed: SIGKILL of each service and of the
gateway (run-dist's supervisor restarts it), a RabbitMQ restart, a PostgreSQL restart (immediate stop:
a crash as far as the clients can tell), the SMTP server down while invitations are sent, the postback
receiver answering 503, the receiver not listening (connections refused, then it listens on the same
port again), and platforms' APIs answering 503 or 429 (Shopify, WooCommerce, Etsy, Pressero). For each:
how long it lasted, and the time to recover, from the fault's end until the backlog it left is cleared
(see `Fault`).

Afterwards the proofs (`proofs`), each per platform and holding only if it holds for every one: every
order placed exists exactly once and reached `shipped`; every status move came out as a postback exactly
once in effect (deduplicated by `webhook-id`, none missing, in order); each shipped order (but a manual
one) has exactly one shipment in its shop; every invitation was mailed once; no dead letter; every
service's outbox drained. The report goes to docs/reliability.md."""

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import signal
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from printbridge import bench_orders, chaos_platforms
from printbridge.chaos_infra import (
    OwnPostgres,
    OwnRabbitMQ,
    Smtp,
    own_postgres,
    own_rabbitmq,
    smtp,
    wait_until,
)
from printbridge.chaos_platforms import PLATFORMS, ManualShop, Shop
from printbridge.postback_receiver import Postback, PostbackReceiver
from printbridge_shared.routes import SERVICES
from printbridge_shared.testing import free_port

ROOT = Path(__file__).resolve().parent.parent
ORDERS = int(os.environ.get("PRINTBRIDGE_CHAOS_ORDERS", "10000"))
RATE = float(os.environ.get("PRINTBRIDGE_CHAOS_RATE", "3"))
# How long the SMTP server, the postback receiver and the platform stay broken.
DOWN_SECONDS = float(os.environ.get("PRINTBRIDGE_CHAOS_DOWN_SECONDS", "20"))
RECOVERY_TIMEOUT = 600.0
SERVICE_NAMES = tuple(s.name for s in SERVICES)
INVITATIONS_PER_FAULT = 3
PLATFORM_FAILURES = 40  # the platform's API calls that fail during a platform fault
MIS_CONCURRENCY = 8
LEAD_SECONDS = 2.0  # of steady orders before each fault
TOP_UP_RATE = 5.0  # orders a second placed after the last fault, when the faults took fewer than asked
MOVED = ("routed", "accepted", "in_production", "printed", "shipped", "in_transit", "delivered")


@dataclass
class Fault:
    """One fault. `down`: from its start until it was lifted (a killed process: until the supervisor's
    new one answered `/readyz`). `recovery`: from its end until the backlog it left was cleared: every
    order placed until then routed (and, by kind, every invitation mailed, every postback owed delivered,
    every fulfilment of an order shipped until then recorded in the shop)."""

    name: str
    kind: str
    how: str = ""  # of a kind struck in several ways: which one (`503`, `refused`, `429`)
    platform: str = ""  # a platform fault's platform
    started_at: float = 0.0
    down: float = 0.0
    recovery: float = 0.0
    placed_by_end: int = 0
    placed_during: int = 0
    routed_last: str = ""  # the platforms whose backlog took a second or more to be routed, and how long


@dataclass
class Proof:
    claim: str
    counts: str
    holds: bool


@dataclass
class ChaosResult:
    orders: int
    rate: float
    faults: list[Fault]
    proofs: list[Proof]
    seconds: float
    down_seconds: float = DOWN_SECONDS
    placed: dict[str, int] = field(default_factory=dict)  # orders placed per platform
    measured_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def passed(self) -> bool:
        return all(p.holds for p in self.proofs)


def platform_fault(platform: str, status: int) -> Fault:
    label = chaos_platforms.LABELS[platform]
    return Fault(f"{label} API answers {status}", "platform", str(status), platform)


def all_faults() -> list[Fault]:
    kills = [Fault(f"{name} killed (SIGKILL)", "kill") for name in (*SERVICE_NAMES, "gateway")]
    return [
        *kills,
        Fault("RabbitMQ restarted", "rabbitmq"),
        Fault("PostgreSQL restarted (immediate stop)", "postgres"),
        Fault("SMTP server down", "smtp"),
        Fault("postback endpoint answers 503", "postbacks", "503"),
        Fault("postback endpoint refuses connections", "postbacks", "refused"),
        platform_fault("woocommerce", 503),
        platform_fault("shopify", 503),
        platform_fault("shopify", 429),
        platform_fault("woocommerce", 429),
        platform_fault("etsy", 503),
        platform_fault("etsy", 429),
        platform_fault("pressero", 503),
    ]


# The small run's fault of each kind that `all_faults` strikes in several ways: the orders service killed,
# the postback endpoint refusing connections (503s take the same retry path), WooCommerce's 503 (its
# webhooks are not retried: the poll brings what they lost).
SMALL_RUN = (
    "orders killed (SIGKILL)",
    "postback endpoint refuses connections",
    "WooCommerce API answers 503",
)


def one_of_each_kind() -> list[Fault]:
    """The small run's faults (`make test`): each kind once, `SMALL_RUN` where there are several."""
    faults = all_faults()
    several = {f.kind for f in faults if sum(g.kind == f.kind for g in faults) > 1}
    return [f for f in faults if f.kind not in several or f.name in SMALL_RUN]


def _query(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    async def go() -> list[asyncpg.Record]:
        connection = await asyncpg.connect(url, timeout=10)
        try:
            return list(await connection.fetch(sql, *args))
        finally:
            await connection.close()

    return asyncio.run(go())


def children_of(pid: int) -> dict[str, int]:
    """run-dist's processes by name (`printbridge serve <name>`, nginx as `gateway`)."""
    found: dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid != pid:
                continue
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            words = [a.decode() for a in argv if a]
            if "serve" in words:
                found[words[words.index("serve") + 1]] = int(entry.name)
            elif any(Path(w).name == "nginx" or w.startswith("nginx:") for w in words):
                found["gateway"] = int(entry.name)
    return found


@dataclass(frozen=True)
class Placed:
    platform: str
    external_id: str


class Placer:
    """Places orders of each store's mapped product at a steady total rate, round-robin over the
    platforms, each in its platform's own way (`chaos_platforms`)."""

    def __init__(self, shops: list[Shop], rate: float) -> None:
        self.shops = shops
        self.rate = rate
        self.placed: list[Placed] = []
        self.lock = threading.Lock()

    def count(self) -> int:
        with self.lock:
            return len(self.placed)

    def ids(self) -> list[Placed]:
        with self.lock:
            return list(self.placed)

    def place(self, count: int, halt: threading.Event | None = None) -> None:
        """Places up to `count` orders at the rate, or fewer when `halt` is set meanwhile."""
        began = time.monotonic()
        with httpx.Client(timeout=30) as client:
            for index in range(count):
                if halt is not None and halt.is_set():
                    return
                delay = began + index / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                with self.lock:
                    shop = self.shops[len(self.placed) % len(self.shops)]
                external_id = shop.place(client)
                with self.lock:
                    self.placed.append(Placed(shop.platform, external_id))

    def start(self, count: int, halt: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.place, args=(count, halt), name="placer", daemon=True)
        thread.start()
        return thread


class Mis:
    """The producer's MIS: claims each routed order of the stores, then reports it printed and shipped
    with tracking, through the gateway. Reads what to do from the orders database; any failure (a service
    or the database down) is simply tried again on the next pass."""

    def __init__(self, base: str, token: str, orders_url: str, store_ids: list[str]) -> None:
        self.base = base
        self.token = token
        self.orders_url = orders_url
        self.store_ids = [uuid.UUID(store_id) for store_id in store_ids]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._loop()), name="mis", daemon=True)

    async def _loop(self) -> None:
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as client:
            while not self.stop.is_set():
                try:
                    await self._pass(client)
                except (OSError, asyncpg.PostgresError, httpx.HTTPError, TimeoutError):
                    pass
                await asyncio.sleep(0.5)

    async def _pass(self, client: httpx.AsyncClient) -> None:
        connection = await asyncpg.connect(self.orders_url, timeout=5)
        try:
            rows = await connection.fetch(
                "SELECT id, external_id, status FROM orders WHERE store_id = ANY($1::uuid[]) "
                "AND status IN ('routed', 'accepted', 'printed') ORDER BY created_at LIMIT 400",
                self.store_ids,
            )
        finally:
            await connection.close()
        queue = list(rows)

        async def worker() -> None:
            while queue and not self.stop.is_set():
                row = queue.pop()
                await self._advance(client, row["id"], row["external_id"], row["status"])

        await asyncio.gather(*(worker() for _ in range(MIS_CONCURRENCY)))

    async def _advance(
        self, client: httpx.AsyncClient, order_id: uuid.UUID, external_id: str, status: str
    ) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with contextlib.suppress(httpx.HTTPError):
            if status == "routed":
                response = await client.post(f"/v1/production/orders/{order_id}/claim", headers=headers)
            elif status == "accepted":
                body: dict[str, object] = {"status": "printed"}
                response = await client.post(f"/v1/orders/{order_id}/status", json=body, headers=headers)
            else:
                tracking = {"number": chaos_platforms.tracking_number(external_id), "company": "DHL"}
                body = {"status": "shipped", "tracking": tracking}
                response = await client.post(f"/v1/orders/{order_id}/status", json=body, headers=headers)
            if response.status_code == 401:
                from printbridge.bench import login_again

                self.token = await asyncio.to_thread(login_again, self.base)


@dataclass
class Harness:
    """Everything one chaos run holds."""

    workdir: Path
    postgres: OwnPostgres
    rabbitmq: OwnRabbitMQ
    mail: Smtp
    receiver: PostbackReceiver
    env: dict[str, str]
    supervisor: Any  # subprocess.Popen of run-dist
    suite: bench_orders.ShopSuite
    shops: dict[str, Shop]
    placer: Placer
    mis: Mis
    invited: list[str] = field(default_factory=list)

    # -- what the backlog checks read --

    def _placed_orders(self, where: str, placed: list[Placed], *args: Any) -> Counter[str]:
        """Per platform, how many of the orders `placed` are in orders' database and match `where` (an
        SQL condition on `o`, orders' row; its parameters from $3)."""
        rows = _query(
            self.suite.orders_url,
            "SELECT o.platform, count(*) AS n FROM orders o "
            "JOIN unnest($1::uuid[], $2::text[]) AS p(store_id, external_id) "
            f"ON o.store_id = p.store_id AND o.external_id = p.external_id WHERE {where} GROUP BY o.platform",
            [uuid.UUID(self.shops[order.platform].store_id) for order in placed],
            [order.external_id for order in placed],
            *args,
        )
        return Counter({str(row["platform"]): int(row["n"]) for row in rows})

    def backlog_routed(self, placed: list[Placed], routed_at: dict[str, float]) -> bool:
        """Whether every order `placed` is routed (or further); `routed_at` gets the time each platform's
        were all routed, the first time they are seen so."""
        routed = self._placed_orders("o.status = ANY($3::text[])", placed, list(MOVED))
        owed = Counter(order.platform for order in placed)
        for platform, n in owed.items():
            if routed[platform] >= n:
                routed_at.setdefault(platform, time.monotonic())
        return sum(routed.values()) >= len(placed)

    def postbacks_owed(self, until: dt.datetime) -> int:
        rows = _query(
            self.suite.orders_url,
            "SELECT count(*) AS n FROM postback_deliveries WHERE status = 'pending' AND created_at <= $1",
            until,
        )
        return int(rows[0]["n"])

    def fulfilments_owed(self, until: dt.datetime) -> int:
        """Orders placed in a platform and shipped until `until` whose fulfilment the platform has not
        confirmed (a manual store has no shop; the set-up's first Shopify order came by a webhook alone:
        the shop has no such order to fulfil, and it is not among those placed)."""
        owed = self._placed_orders(
            "o.platform <> 'manual' AND o.status = 'shipped' AND o.status_changed_at <= $3 "
            'AND NOT (o.shop_fulfillments::jsonb @> \'[{"status": "succeeded"}]\')',
            self.placer.ids(),
            until,
        )
        return sum(owed.values())

    def invitations_mailed(self) -> bool:
        mailed = set(self.mail.recipients())
        return all(address in mailed for address in self.invited)

    def invite(self, count: int) -> None:
        """Customers whose storefront access is turned on: each admin is mailed an invitation."""
        from printbridge.bench import login_again

        headers = {"Authorization": f"Bearer {login_again(self.suite.base)}"}  # the first may have expired
        for _ in range(count):
            run_id = uuid.uuid4().hex[:10]
            customer = httpx.post(
                f"{self.suite.base}/v1/customers",
                json={"name": f"Chaos {run_id}"},
                headers=headers,
                timeout=30,
            )
            customer.raise_for_status()
            email = f"admin-{run_id}@brand.example"
            admin = {"email": email, "first_name": "Anna", "last_name": "Berg"}
            turned_on = httpx.put(
                f"{self.suite.base}/v1/customers/{customer.json()['id']}/storefront-access",
                json={"enabled": True, "admin": admin},
                headers=headers,
                timeout=30,
            )
            turned_on.raise_for_status()
            self.invited.append(email)

    def service_ready(self, name: str) -> bool:
        if name == "gateway":
            url = f"{self.suite.base}/healthz"
        else:
            port = self.env[next(s for s in SERVICES if s.name == name).env_prefix + "PORT"]
            url = f"http://127.0.0.1:{port}/readyz"
        return httpx.get(url, timeout=2).status_code == 200

    # -- the faults --

    def inflict(self, fault: Fault, down_seconds: float) -> None:
        """Breaks something, lifts it, and measures `fault.down`; the caller measures recovery."""
        fault.started_at = time.monotonic()
        if fault.kind == "kill":
            name = fault.name.split()[0]
            pid = children_of(self.supervisor.pid)[name]
            os.killpg(pid, signal.SIGKILL)
            # The supervisor notices, waits its backoff and starts a new process.
            wait_until(
                lambda: children_of(self.supervisor.pid).get(name, pid) != pid, 120, f"{name} restarted"
            )
            wait_until(lambda: self.service_ready(name), 300, f"{name} ready again")
        elif fault.kind == "rabbitmq":
            self.rabbitmq.stop()
            self.rabbitmq.start()
        elif fault.kind == "postgres":
            self.postgres.stop("immediate")
            self.postgres.start()
        elif fault.kind == "smtp":
            self.mail.stop()
            self.invite(INVITATIONS_PER_FAULT)
            self._hold(fault, down_seconds)
            self.mail.start()
        elif fault.kind == "postbacks" and fault.how == "refused":
            self.receiver.refuse()
            self._hold(fault, down_seconds)
            self.receiver.reopen()
        elif fault.kind == "postbacks":
            self.receiver.down = True
            self._hold(fault, down_seconds)
            self.receiver.down = False
        elif fault.kind == "platform":
            shop = self.shops[fault.platform]
            shop.misbehave(int(fault.how), PLATFORM_FAILURES)
            self._hold(fault, down_seconds)
            shop.behave()
        fault.down = time.monotonic() - fault.started_at

    def _hold(self, fault: Fault, seconds: float) -> None:
        time.sleep(max(0.0, fault.started_at + seconds - time.monotonic()))

    def recover(self, fault: Fault) -> None:
        ended_at, ended = time.monotonic(), dt.datetime.now(dt.UTC)
        backlog = self.placer.ids()
        fault.placed_by_end = len(backlog)
        routed_at: dict[str, float] = {}
        checks: list[tuple[str, Callable[[], bool]]] = [
            ("orders placed until the fault's end routed", lambda: self.backlog_routed(backlog, routed_at))
        ]
        if fault.kind == "smtp":
            checks.append(("every invitation mailed", self.invitations_mailed))
        if fault.kind == "postbacks":
            checks.append(("every postback owed delivered", lambda: self.postbacks_owed(ended) == 0))
        if fault.kind == "platform":
            checks.append(
                ("every shipped order fulfilled in its shop", lambda: self.fulfilments_owed(ended) == 0)
            )
        for what, check in checks:
            wait_until(check, RECOVERY_TIMEOUT, f"{fault.name}: {what}", every=0.5)
        fault.recovery = time.monotonic() - ended_at
        fault.routed_last = ", ".join(
            f"{platform} {at - ended_at:.1f}"
            for platform, at in sorted(routed_at.items(), key=lambda kv: kv[1])
            if at - ended_at >= 1.0
        )


def _drained(harness: Harness, within: float) -> None:
    """Waits for the end state: every order shipped and (but a manual one) fulfilled in its shop, no
    postback owed, every outbox empty."""
    placed = harness.placer.ids()

    def shipped() -> bool:
        done = harness._placed_orders(
            "o.status = 'shipped' AND (o.platform = 'manual' "
            'OR o.shop_fulfillments::jsonb @> \'[{"status": "succeeded"}]\')',
            placed,
        )
        return sum(done.values()) >= len(placed)

    now = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    wait_until(shipped, within, "every order shipped and fulfilled", every=1.0)
    wait_until(lambda: harness.postbacks_owed(now) == 0, within, "every postback delivered", every=1.0)
    wait_until(lambda: sum(outboxes(harness).values()) == 0, within, "every outbox drained", every=1.0)
    wait_until(harness.invitations_mailed, within, "every invitation mailed", every=1.0)


def outboxes(harness: Harness) -> dict[str, int]:
    """Unpublished outbox rows per service."""
    counts = {}
    for service in SERVICES:
        url = harness.postgres.url(f"printbridge_{service.package}")
        counts[service.name] = int(
            _query(url, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")[0]["n"]
        )
    return counts


def _per_platform(parts: dict[str, str]) -> str:
    return "; ".join(f"{platform} {text}" for platform, text in parts.items())


def proofs(harness: Harness) -> list[Proof]:
    """The proofs; each holds only if it holds for every platform, and its counts say per platform."""
    suite = harness.suite
    placed = harness.placer.ids()
    platforms = [p for p in PLATFORMS if p in harness.shops]
    placed_by = {p: [o.external_id for o in placed if o.platform == p] for p in platforms}
    rows = _query(
        suite.orders_url,
        "SELECT o.id, o.platform, o.external_id, o.status FROM orders o "
        "JOIN unnest($1::uuid[], $2::text[]) AS p(store_id, external_id) "
        "ON o.store_id = p.store_id AND o.external_id = p.external_id",
        [uuid.UUID(harness.shops[order.platform].store_id) for order in placed],
        [order.external_id for order in placed],
    )
    found = {p: Counter(row["external_id"] for row in rows if row["platform"] == p) for p in platforms}
    counts, holds = {}, True
    for p in platforms:
        missing = sum(1 for e in placed_by[p] if found[p][e] == 0)
        twice = sum(1 for n in found[p].values() if n > 1)
        counts[p] = f"{len(placed_by[p]):,} placed, {len(found[p]):,} found, {missing} missing, {twice} twice"
        holds = holds and not missing and not twice and len(placed_by[p]) == len(set(placed_by[p]))
    result = [Proof("every order placed exists exactly once in orders", _per_platform(counts), holds)]
    shipped = Counter(row["platform"] for row in rows if row["status"] == "shipped")
    result.append(
        Proof(
            "every order reached production and was shipped",
            _per_platform({p: f"{shipped[p]:,} of {len(placed_by[p]):,} shipped" for p in platforms}),
            all(shipped[p] == len(placed_by[p]) for p in platforms),
        )
    )

    # Postbacks: each order's arrival (`order.received`) and each status move in its history (orders'
    # `order_events`) delivered, deduplicated by webhook-id, exactly once and in order.
    platform_of = {str(row["id"]): str(row["platform"]) for row in rows}
    moves: dict[str, list[str]] = {order_id: ["order.received"] for order_id in platform_of}
    for event in _query(
        suite.orders_url,
        "SELECT order_id, status FROM order_events WHERE order_id = ANY($1::uuid[]) AND status IS NOT NULL "
        "ORDER BY order_id, sequence",
        [row["id"] for row in rows],
    ):
        moves.setdefault(str(event["order_id"]), []).append(f"order.{event['status']}")
    received = harness.receiver.snapshot()
    first_seen: dict[str, Postback] = {}
    for postback in received:
        first_seen.setdefault(postback.webhook_id, postback)
    by_order: dict[str, list[Postback]] = {}
    for postback in first_seen.values():
        by_order.setdefault(postback.order_id, []).append(postback)
    expected, delivered, wrong = Counter[str](), Counter[str](), Counter[str]()
    for order_id, statuses in moves.items():
        platform = platform_of[order_id]
        got = [p.type for p in sorted(by_order.get(order_id, []), key=lambda p: p.version)]
        expected[platform] += len(statuses)
        delivered[platform] += len(by_order.get(order_id, []))
        wrong[platform] += got != statuses
    repeats = len(received) - len(first_seen)
    result.append(
        Proof(
            "every status (the arrival, then each move) came out as a postback exactly once in effect "
            "(by webhook-id), in order",
            _per_platform(
                {
                    p: f"{expected[p]:,} statuses, {delivered[p]:,} distinct postbacks of them received, "
                    f"{wrong[p]} orders whose postbacks differ"
                    for p in platforms
                }
            )
            + f"; in all {repeats:,} repeats of a webhook-id dropped, {harness.receiver.answered_503:,} "
            f"attempts answered 503 while down, {harness.receiver.bad_signatures} bad signatures",
            all(wrong[p] == 0 and delivered[p] == expected[p] for p in platforms)
            and harness.receiver.bad_signatures == 0,
        )
    )

    # Shipments in each platform's sandbox: exactly one per shipped order (a manual store has no shop).
    counts, holds = {}, True
    with httpx.Client(timeout=60) as client:
        for p in platforms:
            if p == "manual":
                continue
            shop = harness.shops[p]
            per_order = Counter(shop.shipments(client, e) for e in placed_by[p])
            once = per_order[1]
            more = sum(n for k, n in per_order.items() if k > 1)
            counts[p] = f"{once:,} with one, {per_order[0]} with none, {more} with more than one"
            holds = holds and once == len(placed_by[p])
    result.append(
        Proof(
            "each shipped order (but a manual one) has exactly one fulfilment, shipment or tracking note "
            "in its shop",
            _per_platform(counts),
            holds,
        )
    )

    mailed = Counter(harness.mail.recipients())
    invited_once = sum(1 for address in harness.invited if mailed[address] == 1)
    result.append(
        Proof(
            "every invitation sent while the mail server was down was mailed exactly once",
            f"{len(harness.invited)} invitations, {invited_once} mailed once",
            invited_once == len(harness.invited),
        )
    )

    from printbridge.dead_letters import list_rabbitmq, rabbitmq_groups
    from printbridge.services import SERVICE_NAMES as DEAD_LETTER_SERVICES

    dead = asyncio.run(list_rabbitmq(harness.rabbitmq.url, rabbitmq_groups(DEAD_LETTER_SERVICES, None)))
    reasons = Counter(f"{d.group}: {d.event_type}" for d in dead)
    result.append(
        Proof(
            "no event sits in a dead-letter queue",
            f"{len(dead)} dead letters" + (f" ({dict(reasons)})" if dead else ""),
            not dead,
        )
    )
    unpublished = outboxes(harness)
    result.append(
        Proof(
            "every service's outbox drained",
            ", ".join(f"{name} {n}" for name, n in unpublished.items()) + " unpublished",
            sum(unpublished.values()) == 0,
        )
    )
    return result


def suite_env(workdir: Path, postgres: OwnPostgres, rabbitmq: OwnRabbitMQ, mail: Smtp) -> dict[str, str]:
    from printbridge.bench import base_env

    env = base_env(workdir) | {
        "PRINTBRIDGE_PORT": str(free_port()),
        "PRINTBRIDGE_POSTGRES_URL": postgres.admin_url,
        "PRINTBRIDGE_AMQP_URL": rabbitmq.url,
        "PRINTBRIDGE_STARTUP_TIMEOUT_SECONDS": "280",
        "PRINTBRIDGE_STARTUP_RETRY_SECONDS": "120",
        "PRINTBRIDGE_SMTP_HOST": "127.0.0.1",
        "PRINTBRIDGE_SMTP_PORT": str(mail.port),
        "PRINTBRIDGE_SMTP_STARTTLS": "false",
        "PRINTBRIDGE_SMTP_TIMEOUT_SECONDS": "2",
        # Enough attempts, close enough together, to outlast each outage without waiting minutes.
        "PRINTBRIDGE_INVITATION_SEND_ATTEMPTS": "10",
        "PRINTBRIDGE_INVITATION_RETRY_SECONDS": "1",
        "PRINTBRIDGE_FULFILMENT_ATTEMPTS": "12",
        "PRINTBRIDGE_FULFILMENT_RETRY_BASE_S": "1",
    }
    env |= {service.env_prefix + "PORT": str(free_port()) for service in SERVICES}
    return env


@contextlib.contextmanager
def harness(workdir: Path, log: Path) -> Iterator[Harness]:
    from printbridge.bench import BIN, started

    receiver = PostbackReceiver()
    with (
        own_postgres(workdir / "postgres") as postgres,
        own_rabbitmq(workdir / "rabbitmq") as rabbitmq,
        smtp() as mail,
        chaos_platforms.sandboxes(workdir) as sandboxes,
        receiver.serving() as receiver_url,
    ):
        env = suite_env(workdir, postgres, rabbitmq, mail)
        base = f"http://127.0.0.1:{env['PRINTBRIDGE_PORT']}"
        shopify = sandboxes.shopify
        # Shopify retries a failed webhook after base * 2^(n-1) seconds, 8 times: about 4 minutes here.
        httpx.patch(
            f"{shopify}/_sandbox/shopify/settings", json={"webhook_retry_base_seconds": 1}
        ).raise_for_status()
        shop_env, secret = bench_orders.prepare_shopify(shopify, base, "chaos")
        sandboxes.prepare(base)
        env |= shop_env | sandboxes.suite_env()

        def add_endpoint(suite: bench_orders.ShopSuite) -> None:
            receiver.secret = bench_orders.add_postback_endpoint(suite, receiver_url, "chaos receiver")

        with started([str(BIN / "printbridge"), "run-dist"], env, f"{base}/healthz", log) as supervisor:
            began = time.monotonic()
            urls = (postgres.url("printbridge_connectors"), postgres.url("printbridge_orders"))
            suite = bench_orders.set_up_shop(base, env, shopify, secret, urls, log, add_endpoint)
            store = httpx.get(f"{base}/v1/stores/{suite.store_id}", headers=suite.headers, timeout=30).json()
            connecting = chaos_platforms.Connecting(base, suite.headers, str(store["customer_id"]), sandboxes)
            shops: list[Shop] = [
                chaos_platforms.ShopifyShop(
                    "shopify",
                    suite.store_id,
                    f"{shopify}/_sandbox/shopify/shops/{bench_orders.SHOP}",
                    suite.variant,
                ),
                *chaos_platforms.connect_all(connecting),
            ]
            print(f"chaos suite set up in {time.monotonic() - began:.0f} s", flush=True)
            mis = Mis(
                base, suite.headers["Authorization"].split()[1], suite.orders_url, [s.store_id for s in shops]
            )
            mis.thread.start()
            placer = Placer(shops, RATE)
            try:
                yield Harness(
                    workdir,
                    postgres,
                    rabbitmq,
                    mail,
                    receiver,
                    env,
                    supervisor,
                    suite,
                    {shop.platform: shop for shop in shops},
                    placer,
                    mis,
                )
            finally:
                mis.stop.set()
                for shop in shops:
                    if isinstance(shop, ManualShop):
                        shop.stop.set()
                mis.thread.join(timeout=30)


def run(
    orders: int,
    rate: float,
    down_seconds: float,
    workdir: Path,
    log: Path,
    faults: list[Fault] | None = None,
) -> ChaosResult:
    """Places orders at `rate` a second without a pause while the faults (every one unless `faults` says
    which) strike one after the other, at most `orders`; the rest afterwards. Then waits for the end
    state and checks the proofs."""
    began = time.monotonic()
    faults = faults if faults is not None else all_faults()
    with harness(workdir, log) as h:
        h.placer.rate = rate
        halt = threading.Event()
        placing = h.placer.start(orders, halt)
        try:
            for fault in faults:
                time.sleep(LEAD_SECONDS)  # orders are flowing when it breaks
                placed_before = h.placer.count()
                h.inflict(fault, down_seconds)
                h.recover(fault)
                fault.placed_during = fault.placed_by_end - placed_before
                print(
                    f"{fault.name}: down {fault.down:.1f} s, recovered {fault.recovery:.1f} s after; "
                    f"{fault.placed_during} orders placed during it, {fault.placed_by_end} by its end; "
                    f"routed last: {fault.routed_last or '-'}",
                    flush=True,
                )
        finally:
            halt.set()
            placing.join()
        h.placer.rate = max(rate, TOP_UP_RATE)
        h.placer.place(orders - h.placer.count())
        _drained(h, RECOVERY_TIMEOUT + orders / 2)
        found = proofs(h)
        placed = Counter(order.platform for order in h.placer.ids())
    for proof in found:
        print(f"{'OK ' if proof.holds else 'FAILED'} {proof.claim}: {proof.counts}", flush=True)
    per_platform = {platform: placed[platform] for platform in PLATFORMS}
    return ChaosResult(orders, rate, faults, found, time.monotonic() - began, down_seconds, per_platform)


def report(result: ChaosResult, machine: str) -> str:
    verdict = "Every proof holds" if result.passed else "A proof FAILED"
    after_last = sum(1 for f in result.faults if f.placed_during == 0 and f.placed_by_end >= result.orders)
    lines = [
        "# Reliability: orders under fire",
        "",
        f"Measured {result.measured_at:%Y-%m-%d %H:%M} UTC on {machine}, by `make chaos` "
        f"(`python -m printbridge.chaos --orders {result.orders} --rate {result.rate:g} --down-seconds "
        f"{result.down_seconds:g}`; `printbridge/chaos.py`), in "
        f"{result.seconds / 60:.0f} minutes. **{verdict}.**",
        "",
        "The suite runs distributed (`printbridge run-dist`: customers, storefront-auth, connectors, "
        "mapping, orders, nginx) on a PostgreSQL cluster and a RabbitMQ node of the run's own "
        "(`initdb`/`pg_ctl` on a free port in a temporary directory; `rabbitmq-server` with its own node "
        "name, ports and database), "
        "never the machine's shared servers. Against the platform sandboxes (Shopify, WooCommerce, Etsy, "
        "Pressero) in the harness's process: one customer with a store on each platform and a manual "
        "store, each connected through the public API as a customer connects it, each store's product "
        "mapped, one postback endpoint for every order at a receiver that verifies each signature. Orders "
        f"are placed round-robin over the five stores at {result.rate:g} a second in all without a pause "
        f"while the faults strike (what is left of the {result.orders:,} after the last fault at "
        f"{max(result.rate, TOP_UP_RATE):g} a second; placed: "
        + ", ".join(f"{platform} {n:,}" for platform, n in result.placed.items())
        + "), each its platform's own way:",
        "",
        "- Shopify: placed in the sandbox shop, which sends `orders/create` webhooks and retries failed ones "
        "as Shopify does (here after 1, 2, 4 … s); shipments through its GraphQL fulfillment orders.",
        "- WooCommerce (HTTPS, a Read/Write REST key): placed in the site, which sends `order.created` "
        "webhooks and never retries one (and disables the webhook after 7 failures in a row); connectors' "
        f"reconcile poll, every {chaos_platforms.RECONCILE_INTERVAL_S} s here "
        "(`PRINTBRIDGE_RECONCILE_INTERVAL_S`), fetches what a lost delivery did not bring and re-activates "
        "the webhook. Shipments: the order `completed` with a note to the buyer carrying the tracking.",
        "- Etsy (OAuth with PKCE): a paid receipt; Etsy's `order.paid` notice is retried on Etsy's schedule "
        f"(here {chaos_platforms.ETSY_WEBHOOK_RETRY_SCALE:g} times it: 1 s, 1 min, 6 min …) and the poll of "
        "receipts by modification time catches what a notice did not bring. Shipments: "
        "`createReceiptShipment`.",
        "- Pressero (the producer's API user; the site's integration id is the customer's reference id): "
        "the thin `OrderPlaced` webhook entered in Pressero's admin (never retried), its order fetched "
        "through the API, and the poll (order search) as the safety net. Shipments: "
        "`POST /api/V2/Orders/Shipments`.",
        "- Manual: `POST /v1/stores/{id}/orders` by the customer's system with an `Idempotency-Key`, sent "
        "again with the same key until answered (a fault may refuse or lose the request). No shop to tell.",
        "",
        "The harness is the producer's MIS: it claims every routed order and reports it printed, then "
        "shipped with tracking, so a shipment goes back to the order's shop and a postback goes out for "
        "every status move.",
        "",
        "## Faults",
        "",
        "One at a time, each while orders are being placed, two seconds after the previous one recovered"
        + (
            f" (but the last {after_last} struck after the last of the {result.orders:,} orders was placed)."
            if after_last
            else "."
        )
        + " *Down*: from the fault's start until it was lifted (a killed process: until run-dist's "
        "supervisor had started a new one and it answered `/readyz`; a restart: until the server took "
        "connections again). *Time to recover*: from the fault's end until the backlog it left was "
        "cleared: every order placed until then (on every platform) routed, and by kind every invitation "
        "sent meanwhile mailed, every postback owed delivered, every order shipped until then recorded in "
        "its shop. *Postback endpoint refuses connections*: the receiver's listening socket is closed "
        "(each new connection refused), then it listens again on the same port. *A platform's API "
        f"answers 503 / 429*: its next {PLATFORM_FAILURES} API calls fail so (429 with `Retry-After: 1`; "
        "Etsy's 429 is its per-second limit used up), polls and shipments alike. *Routed last*: the "
        "platforms whose orders placed until the fault's end took a second or more after it to be all "
        "routed, with those seconds.",
        "",
        "| fault | down s | time to recover s | orders placed during it | orders placed by its end | "
        "routed last (s after the end) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for f in result.faults:
        lines.append(
            f"| {f.name} | {f.down:.1f} | {f.recovery:.1f} | {f.placed_during:,} | {f.placed_by_end:,} | "
            f"{f.routed_last or '-'} |"
        )
    lines += [
        "",
        "## Proofs",
        "",
        "Each proof's counts are per platform; a proof holds only if it holds for every platform.",
        "",
        "| proof | counts | holds |",
        "|---|---|---|",
    ]
    for proof in result.proofs:
        lines.append(f"| {proof.claim} | {proof.counts} | {'yes' if proof.holds else '**no**'} |")
    lines += [
        "",
        "## What it found",
        "",
        "- A PostgreSQL restart while a job's outcome was being recorded (an order's postbacks had just "
        "been sent) left the job `running` until its 5-minute lease ran out, and the order's later "
        "postbacks waited as long: nothing was lost, but the postback fault took 282 s to recover in the "
        "first small run. The job runner now records the outcome once the database is back, within the "
        "lease (`printbridge_shared/jobs.py`, `_record`; tests in `shared/tests/test_jobs.py`).",
        "- Found (10,000 orders, 2026-12-01) and fixed since: the job runner took due jobs oldest first,"
        " whatever their kind. After the faults the run placed the rest at 5 orders a second while "
        "browser tests shared the cores; the postbacks (five an order, 25 a second made) went out at 30 "
        "to 40 a second, but at the peak 20,000 deliveries were waiting, and the print-file checks of "
        "manual orders queued behind 6,000 postback jobs: some 500 manual orders stayed `received` for "
        "up to 10 minutes before their checks ran. Nothing was lost, and all of it drained within 8 "
        "minutes of the last order. Now each kind of job is a lane: a free slot goes to the due kind "
        "with the fewest jobs running, oldest first within a kind, on an index of kind, status and due "
        "time (decision 17), so a backlog of notifications no longer delays production.",
        "- Seen and retried, nothing lost: PostgreSQL reported deadlocks between connectors' periodic "
        "`stores.reconcile_all` (one reconcile job a store, enqueued in one transaction with `INSERT … ON "
        "CONFLICT (unique_key)`) and other job work, and between two orders-consumer batches inserting "
        "orders; the job's next attempt and the consumer's redelivery took them. The reconcile poll of "
        "the Shopify shop (2,000 orders) was throttled by Shopify's cost limit five times in a row and "
        "given up twice; its webhooks had brought every order. Next: enqueue in key order, and page the "
        "poll within the cost budget.",
        "- Found and fixed: a manual order's print file was checked once when the order came in. In the "
        "first 300-order run over every platform two manual orders came in while mapping (which serves the "
        "files uploaded to Printbridge) was killed: the gateway answered 502 for the file, the check took "
        "that as the file's answer (`file_unreachable`) and the orders went on hold until the recheck of "
        "failed files, hourly by default; the run stopped waiting for them. Nothing was lost, but an order "
        "waited up to an hour for a restart that took seconds. A check that meets no connection, a "
        "time-out, a 429 or a 5xx is now tried again after 10, 20 and 40 s before its answer is kept "
        "(`printbridge_shared/printfiles/jobs.py`, `CheckFile`; mapping's design files take the same path), "
        "and the suite runs with the default recheck interval.",
        "",
        "## Not covered yet",
        "",
        "- The platforms misbehave only as APIs answering 503 or 429. Their webhooks are lost only as a "
        "fault makes them fail (a service, the gateway or PostgreSQL down); the platforms' own dropped, "
        "repeated or out-of-order deliveries, which the sandboxes can play, are left to the end-to-end "
        "tests. Orders imported from a CSV file into the manual store are not placed.",
        "- The postback endpoint is down as a 503 and as refused connections; one that accepts a "
        "connection and never answers (each attempt then waits out `PRINTBRIDGE_POSTBACK_TIMEOUT_S`) is "
        "not struck.",
        "- Faults one at a time only, each once, while the first orders are placed (here the first "
        f"{max((f.placed_by_end for f in result.faults), default=0):,} of {result.orders:,}); the rest are "
        "placed afterwards without a fault. None during the set-up.",
        *(
            [
                f"- This run placed {result.orders:,} orders, not the 10,000 of `make chaos`: the machine "
                "was shared with other work while it ran (see the open findings)."
            ]
            if result.orders < 10_000
            else []
        ),
        "",
        "## How to run",
        "",
        "`make chaos` places 10,000 orders at 3 a second (about an hour; on 2 cores the orders service's "
        "work per order, five postbacks, three production calls and a fulfilment, sets the pace); `make "
        "chaos CHAOS_ORDERS=1000` or `python -m printbridge.chaos --orders 1000` fewer. Needs PostgreSQL's "
        "server binaries (`/usr/lib/postgresql/*/bin`), `rabbitmq-server` and nginx on the machine; as "
        "root, `initdb`/`pg_ctl` run as the `postgres` user. Settings: `PRINTBRIDGE_CHAOS_ORDERS`, "
        "`PRINTBRIDGE_CHAOS_RATE` (orders a second), `PRINTBRIDGE_CHAOS_DOWN_SECONDS` (how long the mail "
        "server, the receiver and the platform stay broken). The run exits non-zero when a proof fails. A "
        "smaller run (a few hundred orders, each fault once, short outages) is `tests/chaos/test_faults.py`"
        " in `make test`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m printbridge.chaos", description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=ORDERS, help="orders to place (default %(default)s)")
    parser.add_argument("--rate", type=float, default=RATE, help="orders a second (default %(default)s)")
    parser.add_argument("--down-seconds", type=float, default=DOWN_SECONDS)
    parser.add_argument("--no-report", action="store_true", help="print only; leave docs/reliability.md")
    args = parser.parse_args(argv)
    from printbridge.bench import machine

    with tempfile.TemporaryDirectory(prefix="printbridge-chaos-") as tmp:
        workdir = Path(tmp)
        os.chmod(workdir, 0o755)  # the postgres user reaches its cluster's directory inside
        log = workdir / "suite.log"
        try:
            result = run(args.orders, args.rate, args.down_seconds, workdir, log)
        except BaseException:
            tail = log.read_text(errors="replace").splitlines()[-40:] if log.exists() else []
            print("\n".join(line[:400] for line in tail))
            raise
    if not args.no_report:
        (ROOT / "docs" / "reliability.md").write_text(report(result, machine()), encoding="utf-8")
    print(json.dumps({"passed": result.passed, "orders": result.orders}))
    return 0 if result.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
