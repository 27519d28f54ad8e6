"""The dead-letter gauge adds what waits on the broker to the rows of the service's own table."""

from prometheus_client import generate_latest

from printbridge_shared.metrics import ServiceMetrics


async def test_dead_letters_per_group_count_the_table_and_the_brokers_dead_letter_queue(
    make_service, pinged, make_envelope
):
    service = await make_service("service")
    await service.consumer("customers", pinged).dead_letter(make_envelope(), "ValueError: x", 1)
    metrics = ServiceMetrics("customers")

    await metrics.observe_messaging(
        service.db,
        outbox=service.tables.outbox,
        dead_letters=service.tables.dead_letters,
        consumers=["customers", "quiet"],
        parked_on_broker={"customers": 2},
    )

    exported = generate_latest(metrics.registry).decode()
    assert 'printbridge_event_dead_letters{consumer="customers",service="customers"} 3.0' in exported
    assert 'printbridge_event_dead_letters{consumer="quiet",service="customers"} 0.0' in exported
