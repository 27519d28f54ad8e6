"""storefront-auth's news moves the invitation status the operator sees."""

import datetime as dt
import uuid

from customers.messaging.topology import CONSUMER_GROUP
from printbridge_shared.events.contracts import (
    EventData,
    StorefrontInvitationFailed,
    StorefrontUserActivated,
    StorefrontUserInvited,
    StorefrontUserRemoved,
)
from printbridge_shared.events.envelope import Envelope

ADMIN = {"email": "anna@brand.example", "first_name": "Anna", "last_name": "Berg"}
AT = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)


def envelope(data: EventData, team_version: int | None) -> Envelope:
    return Envelope(
        type=data.event_type,
        occurred_at=AT,
        source="storefront-auth",
        aggregate_id=data.customer_id if team_version is not None else None,
        aggregate_version=team_version,
        data=data.model_dump(mode="json"),
    )


async def handle(bus, data: EventData, *, team_version: int | None = None) -> None:
    consumer = next(c for c in bus.consumers if c.name == CONSUMER_GROUP)
    await consumer.handle(envelope(data, team_version))


async def enabled_customer(client, operator) -> uuid.UUID:
    customer_id = (await client.post("/v1/customers", json={"name": "Brand"}, headers=operator)).json()["id"]
    url = f"/v1/customers/{customer_id}/storefront-access"
    await client.put(url, json={"enabled": True, "admin": ADMIN}, headers=operator)
    return uuid.UUID(customer_id)


async def status(client, operator, customer_id: uuid.UUID) -> dict:
    return (await client.get(f"/v1/customers/{customer_id}/storefront-access", headers=operator)).json()


async def test_pending_then_invited_then_active(client, operator, bus):
    customer_id = await enabled_customer(client, operator)
    user_id = uuid.uuid4()
    await handle(
        bus,
        StorefrontUserInvited(customer_id=customer_id, user_id=user_id, email=ADMIN["email"], invited_at=AT),
    )
    invited = await status(client, operator, customer_id)
    activated_at = AT + dt.timedelta(hours=1)
    await handle(
        bus,
        StorefrontUserActivated(
            customer_id=customer_id, user_id=user_id, email=ADMIN["email"], activated_at=activated_at
        ),
    )
    active = await status(client, operator, customer_id)
    assert (invited["invitation_status"], invited["invited_at"]) == ("invited", "2026-11-27T10:00:00Z")
    assert (active["invitation_status"], active["activated_at"]) == ("active", "2026-11-27T11:00:00Z")


async def test_a_failed_delivery_shows_the_reason_and_a_resend_clears_it(client, operator, bus):
    customer_id = await enabled_customer(client, operator)
    await handle(
        bus,
        StorefrontInvitationFailed(
            customer_id=customer_id, email=ADMIN["email"], reason="mail server unreachable", failed_at=AT
        ),
    )
    failed = await status(client, operator, customer_id)
    resent = await client.post(
        f"/v1/customers/{customer_id}/storefront-access/resend-invitation", headers=operator
    )
    assert (failed["invitation_status"], failed["failure_reason"]) == ("failed", "mail server unreachable")
    assert (resent.json()["invitation_status"], resent.json()["failure_reason"]) == ("pending", None)


async def test_news_about_a_former_admin_changes_nothing(client, operator, bus):
    customer_id = await enabled_customer(client, operator)
    await handle(
        bus,
        StorefrontUserInvited(
            customer_id=customer_id, user_id=uuid.uuid4(), email="former@brand.example", invited_at=AT
        ),
    )
    assert (await status(client, operator, customer_id))["invitation_status"] == "pending"


async def test_an_active_admin_is_not_replaced_and_resend_is_refused(client, operator, bus):
    customer_id = await enabled_customer(client, operator)
    await handle(
        bus,
        StorefrontUserActivated(
            customer_id=customer_id, user_id=uuid.uuid4(), email=ADMIN["email"], activated_at=AT
        ),
    )
    other = {"email": "bo@brand.example", "first_name": "Bo", "last_name": "Lund"}
    url = f"/v1/customers/{customer_id}/storefront-access"
    replaced = await client.put(url, json={"enabled": True, "admin": other}, headers=operator)
    resent = await client.post(url + "/resend-invitation", headers=operator)
    assert replaced.status_code == 409
    assert resent.status_code == 409


async def test_the_admin_removed_by_the_team_can_be_replaced_by_the_producer(client, operator, bus):
    customer_id = await enabled_customer(client, operator)
    user_id = uuid.uuid4()
    activated = StorefrontUserActivated(
        customer_id=customer_id, user_id=user_id, email=ADMIN["email"], activated_at=AT
    )
    await handle(bus, activated)
    other = StorefrontUserRemoved(
        customer_id=customer_id, user_id=uuid.uuid4(), email="someone@brand.example", removed_at=AT
    )
    await handle(bus, other)
    assert (await status(client, operator, customer_id))["invitation_status"] == "active"
    removed = StorefrontUserRemoved(
        customer_id=customer_id, user_id=user_id, email=ADMIN["email"], removed_at=AT
    )
    await handle(bus, removed)
    after = await status(client, operator, customer_id)
    assert (after["invitation_status"], after["admin"], after["enabled"]) == ("not_invited", None, True)
    bo = {"email": "bo@brand.example", "first_name": "Bo", "last_name": "Lund"}
    url = f"/v1/customers/{customer_id}/storefront-access"
    named = await client.put(url, json={"enabled": True, "admin": bo}, headers=operator)
    assert named.status_code == 200, named.text
    assert named.json()["invitation_status"] == "pending"


async def test_newer_team_news_moves_the_status_on(client, operator, bus):
    customer_id = await enabled_customer(client, operator)
    user_id = uuid.uuid4()
    await handle(
        bus,
        StorefrontUserInvited(customer_id=customer_id, user_id=user_id, email=ADMIN["email"], invited_at=AT),
        team_version=1,
    )

    await handle(
        bus,
        StorefrontUserActivated(
            customer_id=customer_id, user_id=user_id, email=ADMIN["email"], activated_at=AT
        ),
        team_version=2,
    )

    assert (await status(client, operator, customer_id))["invitation_status"] == "active"
