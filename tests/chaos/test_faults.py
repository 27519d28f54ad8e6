"""The fault suite's small run (`make chaos` is the large one): a few hundred orders placed through the
Shopify sandbox into the distributed suite on its own PostgreSQL cluster and RabbitMQ node, while one
service is killed, RabbitMQ and PostgreSQL are restarted, the mail server and the postback receiver are
down and Shopify answers 503s; afterwards nothing is lost and nothing happened twice."""

from collections.abc import Callable
from pathlib import Path

import pytest

from printbridge import chaos

pytestmark = pytest.mark.e2e

# Orders flow at RATE while the faults strike (about three minutes on a quiet machine); the rest of the
# ORDERS are placed after the last one.
ORDERS = 300
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
        "postbacks-refused",
        "platform-503",
    ]
    assert result.faults[-1].platform == "woocommerce"
    assert set(result.placed) == set(chaos.PLATFORMS) and min(result.placed.values()) > 0, result.placed
    assert all(f.down > 0 and f.placed_by_end > 0 for f in result.faults), result.faults
    failed = [f"{p.claim}: {p.counts}" for p in result.proofs if not p.holds]
    assert failed == [], failed
    assert len(result.proofs) == 7
