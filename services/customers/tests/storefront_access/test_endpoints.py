import uuid

import httpx
import pytest

from printbridge_shared.events.consumer import Listener
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import eventually

ADMIN = {"email": "  Anna@Brand.Example ", "first_name": "Anna", "last_name": "Berg"}
ACCESS_EVENTS = ["storefront.access_enabled", "storefront.access_disabled", "storefront.invitation_requested"]


@pytest.fixture
def events(bus) -> list[Envelope]:
    seen: list[Envelope] = []

    async def record(_data, envelope):
        seen.append(envelope)

    bus.add_listener(Listener("test", dict.fromkeys(ACCESS_EVENTS, record)))
    return seen


async def wait_for(events: list[Envelope], count: int) -> list[Envelope]:
    """The events, once at least `count` have arrived."""
    await eventually(lambda: len(events) >= count)
    return events


async def new_customer(client: httpx.AsyncClient, operator) -> str:
    response = await client.post("/v1/customers", json={"name": "Brand GmbH"}, headers=operator)
    return str(response.json()["id"])


def access_url(customer_id: str) -> str:
    return f"/v1/customers/{customer_id}/storefront-access"


async def test_a_new_customer_has_access_off_and_no_admin(client, operator):
    customer_id = await new_customer(client, operator)
    response = await client.get(access_url(customer_id), headers=operator)
    assert response.status_code == 200
    assert response.json() == {
        "enabled": False,
        "admin": None,
        "invitation_status": "not_invited",
        "invited_at": None,
        "activated_at": None,
        "failure_reason": None,
    }


async def test_turning_access_on_names_the_admin_queues_the_invitation_and_emits_the_event(
    client, operator, events
):
    customer_id = await new_customer(client, operator)
    response = await client.put(
        access_url(customer_id), json={"enabled": True, "admin": ADMIN}, headers=operator
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["enabled"] is True
    assert body["admin"] == {"email": "anna@brand.example", "first_name": "Anna", "last_name": "Berg"}
    assert body["invitation_status"] == "pending"
    customer = (await client.get(f"/v1/customers/{customer_id}", headers=operator)).json()
    assert customer["storefront_access"] == {"enabled": True, "invitation_status": "pending"}
    [event] = await wait_for(events, 1)
    assert event.type == "storefront.access_enabled"
    assert event.data["customer_name"] == "Brand GmbH"
    assert event.data["admin"]["email"] == "anna@brand.example"


async def test_turning_it_on_twice_changes_nothing_and_emits_once(client, operator, events):
    customer_id = await new_customer(client, operator)
    for _ in range(2):
        await client.put(access_url(customer_id), json={"enabled": True, "admin": ADMIN}, headers=operator)
    # A marker: events arrive in the order they were recorded, so a second `access_enabled`, if there
    # were one, arrives before the `access_disabled` that follows it.
    await client.put(access_url(customer_id), json={"enabled": False}, headers=operator)
    await wait_for(events, 2)
    assert [e.type for e in events] == ["storefront.access_enabled", "storefront.access_disabled"]


async def test_turning_access_off_and_on_again_keeps_the_admin(client, operator, events):
    customer_id = await new_customer(client, operator)
    await client.put(access_url(customer_id), json={"enabled": True, "admin": ADMIN}, headers=operator)
    off = await client.put(access_url(customer_id), json={"enabled": False}, headers=operator)
    on = await client.put(access_url(customer_id), json={"enabled": True}, headers=operator)
    assert off.json()["enabled"] is False
    assert on.json()["enabled"] is True
    assert on.json()["admin"]["email"] == "anna@brand.example"
    assert [e.type for e in await wait_for(events, 3)] == [
        "storefront.access_enabled",
        "storefront.access_disabled",
        "storefront.access_enabled",
    ]


async def test_changing_the_admin_while_the_invitation_is_open_invites_the_new_address(
    client, operator, events
):
    customer_id = await new_customer(client, operator)
    await client.put(access_url(customer_id), json={"enabled": True, "admin": ADMIN}, headers=operator)
    other = {"email": "bo@brand.example", "first_name": "Bo", "last_name": "Lund"}
    response = await client.put(
        access_url(customer_id), json={"enabled": True, "admin": other}, headers=operator
    )
    assert response.json()["admin"]["email"] == "bo@brand.example"
    assert response.json()["invitation_status"] == "pending"
    second = (await wait_for(events, 2))[1]
    assert second.data["admin"]["email"] == "bo@brand.example"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"enabled": True}, "admin"),
        ({"enabled": True, "admin": {**ADMIN, "email": "not an address"}}, "email"),
        ({"enabled": True, "admin": {**ADMIN, "first_name": "  "}}, "first_name"),
        ({"enabled": True, "admin": {**ADMIN, "last_name": "x" * 101}}, "last_name"),
        ({"enabled": True, "admin": {"email": "a@b.example"}}, "first_name"),
        ({"enabled": "sometimes"}, "enabled"),
        ({}, "enabled"),
        ({"enabled": False, "admin": ADMIN}, "admin"),
        ({"enabled": True, "admin": ADMIN, "role": "admin"}, "role"),
    ],
)
async def test_bad_storefront_access_requests_are_422_naming_the_field(client, operator, body, field):
    customer_id = await new_customer(client, operator)
    response = await client.put(access_url(customer_id), json=body, headers=operator)
    assert response.status_code == 422, response.text
    assert any(error["loc"][-1] == field for error in response.json()["errors"]), response.json()


async def test_unknown_customer_is_404_and_archived_customer_is_409(client, operator):
    unknown = await client.put(
        access_url(str(uuid.uuid4())), json={"enabled": True, "admin": ADMIN}, headers=operator
    )
    customer_id = await new_customer(client, operator)
    await client.delete(f"/v1/customers/{customer_id}", headers=operator)
    archived = await client.put(
        access_url(customer_id), json={"enabled": True, "admin": ADMIN}, headers=operator
    )
    assert unknown.status_code == 404
    assert archived.status_code == 409
    assert (await client.get(access_url(str(uuid.uuid4())), headers=operator)).status_code == 404


async def test_resend_queues_a_fresh_invitation(client, operator, events):
    customer_id = await new_customer(client, operator)
    await client.put(access_url(customer_id), json={"enabled": True, "admin": ADMIN}, headers=operator)
    response = await client.post(access_url(customer_id) + "/resend-invitation", headers=operator)
    assert response.status_code == 202
    assert response.json()["invitation_status"] == "pending"
    assert (await wait_for(events, 2))[1].type == "storefront.invitation_requested"


async def test_resend_needs_access_switched_on(client, operator):
    customer_id = await new_customer(client, operator)
    response = await client.post(access_url(customer_id) + "/resend-invitation", headers=operator)
    assert response.status_code == 409
    assert response.json()["type"].endswith("storefront-access-off")


async def test_resend_for_an_unknown_customer_is_404_and_for_an_archived_one_409(client, operator):
    unknown = await client.post(access_url(str(uuid.uuid4())) + "/resend-invitation", headers=operator)
    customer_id = await new_customer(client, operator)
    await client.put(access_url(customer_id), json={"enabled": True, "admin": ADMIN}, headers=operator)
    await client.delete(f"/v1/customers/{customer_id}", headers=operator)
    archived = await client.post(access_url(customer_id) + "/resend-invitation", headers=operator)
    assert unknown.status_code == 404
    assert archived.status_code == 409
