"""`/metrics` tells an operator whether events flow: outbox lag and unsent rows (read at scrape time),
dead letters per consumer group, events handled per type, and events no queue would take."""

import datetime as dt
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from customers.messaging.topology import CONSUMER_GROUP
from customers.models import messaging
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.events.contracts import StorefrontUserRemoved
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.events.retry import RetryPolicy
from printbridge_shared.events.topology import CONSUMER_GROUPS
from printbridge_shared.testing import eventually


@pytest.fixture
def bus() -> InProcessBus:
    """The real table of consumer groups, without storefront-auth's consumer: customers' events wait."""
    return InProcessBus(retry=RetryPolicy(max_attempts=2, base_s=0.01), groups=CONSUMER_GROUPS)


async def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted({"service": "customers", **labels}.items()))))


async def test_nothing_waits_and_nothing_is_parked_on_a_fresh_service(client):
    samples = await scrape(client)

    assert value(samples, "printbridge_outbox_unsent") == 0
    assert value(samples, "printbridge_outbox_lag_seconds") == 0
    assert value(samples, "printbridge_event_dead_letters", consumer=CONSUMER_GROUP) == 0


async def test_an_event_nobody_can_take_yet_shows_as_unsent_with_its_age_and_as_unroutable(
    client, operator, app
):
    await client.post("/v1/customers", json={"name": "Acme"}, headers=operator)
    hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    async with app.state.db.sessionmaker() as session, session.begin():
        await session.execute(update(messaging.outbox).values(created_at=hour_ago))

    async def counted_unroutable() -> bool:
        samples = await scrape(client)
        return bool(value(samples, "printbridge_events_unroutable_total", event_type="customer.created"))

    await eventually(counted_unroutable)
    samples = await scrape(client)
    assert value(samples, "printbridge_outbox_unsent") == 1
    assert 3600 <= value(samples, "printbridge_outbox_lag_seconds") < 3700


async def test_handled_events_are_counted_per_type_and_dead_letters_per_group(client, bus):
    consumer = next(c for c in bus.consumers if c.name == CONSUMER_GROUP)
    removed = StorefrontUserRemoved(
        customer_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        email="a@b.example",
        removed_at=dt.datetime.now(dt.UTC),
    )

    def envelope() -> Envelope:
        return Envelope(
            type=removed.event_type,
            occurred_at=dt.datetime.now(dt.UTC),
            source="storefront-auth",
            data=removed.model_dump(mode="json"),
        )

    handled = envelope()
    await consumer.handle(handled)
    await consumer.handle(handled)  # a repeat is not counted again
    await consumer.dead_letter(envelope(), "ValueError: broken", 2)

    samples = await scrape(client)
    assert (
        value(
            samples,
            "printbridge_events_handled_total",
            consumer=CONSUMER_GROUP,
            event_type="storefront.user_removed",
        )
        == 1
    )
    assert value(samples, "printbridge_event_dead_letters", consumer=CONSUMER_GROUP) == 1
