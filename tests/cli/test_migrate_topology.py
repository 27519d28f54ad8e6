"""`printbridge migrate` in the distributed mode declares every consumer group's queues, so events
published before a consumer's first start wait for it. (The table is replaced by uniquely named groups,
so parallel runs on one broker never share queues.)"""

import asyncio
import uuid
from collections.abc import Callable

import aio_pika
import pytest
from typer.testing import CliRunner

from printbridge.cli import app
from printbridge_shared.db import safe_url
from printbridge_shared.events import topology
from printbridge_shared.events.rabbitmq import retry_queue
from printbridge_shared.events.retry import RetryPolicy
from printbridge_shared.testing import AMQP_TEST_URL

DEFAULT_MAX_ATTEMPTS = RetryPolicy().max_attempts
runner = CliRunner()


@pytest.fixture
def env(command_env: Callable[..., dict[str, str]]) -> dict[str, str]:
    return command_env(PRINTBRIDGE_MODE="embedded")


@pytest.fixture
def group(monkeypatch: pytest.MonkeyPatch):
    name = f"test-{uuid.uuid4().hex[:12]}"
    groups = (topology.ConsumerGroup(name, service="customers", event_types=frozenset({"test.migrated"})),)
    monkeypatch.setattr(topology, "CONSUMER_GROUPS", groups)
    yield name
    retries = [retry_queue(name, attempt) for attempt in range(1, DEFAULT_MAX_ATTEMPTS)]
    asyncio.run(_delete(name, *retries, f"{name}.dead"))


async def _delete(*queues: str) -> None:
    connection = await aio_pika.connect(AMQP_TEST_URL)
    channel = await connection.channel()
    for queue in queues:
        await channel.queue_delete(queue)
    await connection.close()


async def _existing(*queues: str) -> list[str]:
    connection = await aio_pika.connect(AMQP_TEST_URL)
    found = []
    for queue in queues:
        channel = await connection.channel()
        try:
            await channel.declare_queue(queue, passive=True)
            found.append(queue)
        except aio_pika.exceptions.ChannelClosed:
            pass
    await connection.close()
    return found


@pytest.mark.rabbitmq
def test_migrate_with_an_amqp_url_declares_every_groups_queues(env, group):
    result = runner.invoke(app, ["migrate"], env=env | {"PRINTBRIDGE_AMQP_URL": AMQP_TEST_URL})

    assert result.exit_code == 0, result.output
    assert f"event topology declared on {safe_url(AMQP_TEST_URL)}: {group}" in result.output
    queues = (group, retry_queue(group, 1), retry_queue(group, DEFAULT_MAX_ATTEMPTS - 1), f"{group}.dead")
    assert asyncio.run(_existing(*queues)) == list(queues)


@pytest.mark.rabbitmq
def test_migrate_without_an_amqp_url_touches_no_broker(env, group):
    result = runner.invoke(app, ["migrate"], env=env)

    assert result.exit_code == 0, result.output
    assert "event topology" not in result.output
    assert asyncio.run(_existing(group)) == []


def test_migrate_reports_an_unreachable_broker_with_the_setting_to_check(env, group):
    url = "amqp://guest:secret-pw@127.0.0.1:1/"
    result = runner.invoke(app, ["migrate"], env=env | {"PRINTBRIDGE_AMQP_URL": url})

    assert result.exit_code == 1
    assert "PRINTBRIDGE_AMQP_URL" in result.output
    assert "secret-pw" not in result.output
