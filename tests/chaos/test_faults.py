"""The fault suite's small run (`make chaos` is the large one): a few hundred orders placed round-robin
in a Shopify shop, a WooCommerce site, an Etsy shop, a Pressero site and a manual store, into the
distributed suite on its own PostgreSQL cluster and RabbitMQ node, while one service is killed, RabbitMQ
and PostgreSQL are restarted, the mail server is down, the postback receiver refuses connections and
WooCommerce's API answers 503s; afterwards nothing is lost and nothing happened twice, on any
platform."""

from collections.abc import Callable
from pathlib import Path

import pytest

from printbridge import chaos

pytestmark = [pytest.mark.e2e, pytest.mark.scheduled_first]

# Orders flow at RATE while the faults strike (about three minutes on a quiet machine); the rest of the
# ORDERS are placed after the last one.
ORDERS = 250
RATE = 1.5
DOWN_SECONDS = 3.0


def test_no_order_is_lost_or_duplicated_while_one_fault_of_each_kind_strikes(
    readable_dir: Callable[[], Path],
) -> None:
    workdir = readable_dir()
    faults = chaos.one_of_each_kind()

    result = chaos.run(ORDERS, RATE, DOWN_SECONDS, workdir, workdir / "suite.log", faults)

    assert [f.kind for f in result.faults] == [
        "kill",
        "rabbitmq",
        "postgres",
        "smtp",
        "postbacks",
        "platform",
    ]
    assert (result.faults[-2].how, result.faults[-1].platform) == ("refused", "woocommerce")
    assert set(result.placed) == set(chaos.PLATFORMS) and min(result.placed.values()) > 0, result.placed
    assert all(f.down > 0 and f.placed_by_end > 0 for f in result.faults), result.faults
    failed = [f"{p.claim}: {p.counts}" for p in result.proofs if not p.holds]
    assert failed == [], failed
    assert len(result.proofs) == 7
