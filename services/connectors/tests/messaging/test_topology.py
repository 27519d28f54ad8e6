"""The service's consumer group joins the bus when the service starts, so events for it have a queue."""

from connectors.messaging.topology import CONSUMER_GROUP


async def test_the_consumer_group_joins_the_bus_when_the_service_starts(client, bus):
    assert CONSUMER_GROUP in [consumer.name for consumer in bus.consumers]
