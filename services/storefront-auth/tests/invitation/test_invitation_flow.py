"""Storefront access turned on: storefront-auth creates the admin user, queues an invitation and mails it
over real SMTP (aiosmtpd on loopback); the outcome is announced for the customers service."""

import asyncio
import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import select

from printbridge_shared.events.consumer import Listener
from printbridge_shared.events.contracts import (
    EventData,
    StorefrontAccessDisabled,
    StorefrontAccessEnabled,
    StorefrontAdmin,
    StorefrontInvitationRequested,
)
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import eventually
from storefront_auth.messaging.topology import CONSUMER_GROUP
from storefront_auth.models import CustomerUser, Invitation

LINK = re.compile(r"https://printbridge\.example/invitations/[A-Za-z0-9_-]+")
ANNA = StorefrontAdmin(email="Anna@Brand.Example", first_name="Anna", last_name="Berg")


@pytest.fixture
def app_settings(mail_settings) -> dict[str, object]:
    return mail_settings


@pytest.fixture
def announced(bus) -> list[Envelope]:
    seen: list[Envelope] = []

    async def record(_data, envelope):
        seen.append(envelope)

    bus.add_listener(
        Listener(
            "test",
            dict.fromkeys(
                ["storefront.user_invited", "storefront.invitation_failed", "storefront.user_activated"],
                record,
            ),
        )
    )
    return seen


async def deliver(bus, data: EventData) -> None:
    consumer = next(c for c in bus.consumers if c.name == CONSUMER_GROUP)
    envelope = Envelope(
        type=data.event_type,
        occurred_at=dt.datetime.now(dt.UTC),
        source="customers",
        data=data.model_dump(mode="json"),
    )
    assert await consumer.handle(envelope)


async def publish(bus, data: EventData) -> None:
    """Through the bus: the consumer group and every process's listeners get it, as in production."""
    envelope = Envelope(
        type=data.event_type,
        occurred_at=dt.datetime.now(dt.UTC),
        source="customers",
        data=data.model_dump(mode="json"),
    )
    await bus.publish(envelope)


async def invitations(app) -> list[Invitation]:
    async with app.state.db.sessionmaker() as session:
        return list((await session.scalars(select(Invitation).order_by(Invitation.created_at))).all())


async def test_turning_access_on_mails_the_admin_an_invitation_and_announces_it(
    client, app, bus, smtp, announced
):
    inbox, _port = smtp
    customer_id = uuid.uuid4()
    await deliver(
        bus, StorefrontAccessEnabled(customer_id=customer_id, customer_name="Acme <&> Co", admin=ANNA)
    )
    await eventually(lambda: inbox.messages and announced)

    [message] = inbox.messages
    assert message["To"] == "anna@brand.example"
    assert "Druckerei Nord" in message["Subject"] and "Acme <&> Co" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert LINK.search(text) and "Acme &lt;&amp;&gt; Co" in html
    [event] = announced
    assert (event.type, event.data["email"], event.data["customer_id"]) == (
        "storefront.user_invited",
        "anna@brand.example",
        str(customer_id),
    )
    async with app.state.db.sessionmaker() as session:
        user = await session.scalar(select(CustomerUser))
    assert (user.role, user.active, user.customer_id) == ("admin", False, customer_id)
    [invitation] = await invitations(app)
    token = LINK.search(text).group(0).rsplit("/", 1)[1]
    assert invitation.token_hash != token and len(token) >= 22  # stored only as a hash; ≥ 128 bits
    assert invitation.expires_at - invitation.sent_at >= dt.timedelta(days=6, hours=23)


async def test_turning_it_on_again_sends_nothing_new_but_a_resend_does(client, app, bus, smtp):
    inbox, _port = smtp
    customer_id = uuid.uuid4()
    enabled = StorefrontAccessEnabled(customer_id=customer_id, customer_name="Acme", admin=ANNA)
    await deliver(bus, enabled)
    await eventually(lambda: len(inbox.messages) == 1)
    await deliver(bus, enabled)
    await deliver(
        bus, StorefrontInvitationRequested(customer_id=customer_id, customer_name="Acme", admin=ANNA)
    )
    # Exactly two invitations (unpacked): turning it on again made none, so no third mail can follow.
    first, second = await invitations(app)
    await eventually(lambda: len(inbox.messages) == 2)
    links = [
        LINK.search(m.get_body(preferencelist=("plain",)).get_content()).group(0) for m in inbox.messages
    ]
    assert len(inbox.messages) == 2 and links[0] != links[1]
    assert first.revoked_at is not None and second.revoked_at is None


async def test_a_new_admin_while_the_invitation_is_open_gets_the_invitation_instead(client, app, bus, smtp):
    inbox, _port = smtp
    customer_id = uuid.uuid4()
    await deliver(bus, StorefrontAccessEnabled(customer_id=customer_id, customer_name="Acme", admin=ANNA))
    await eventually(lambda: len(inbox.messages) == 1)
    bo = StorefrontAdmin(email="bo@brand.example", first_name="Bo", last_name="Lund")
    await deliver(bus, StorefrontAccessEnabled(customer_id=customer_id, customer_name="Acme", admin=bo))
    await eventually(lambda: len(inbox.messages) == 2)
    assert inbox.messages[1]["To"] == "bo@brand.example"
    annas = (await invitations(app))[0]
    assert annas.revoked_at is not None


async def test_a_team_member_named_admin_by_the_producer_becomes_admin_without_a_new_invitation(
    client, app, bus, smtp, announced, create_user
):
    customer_id = uuid.uuid4()
    vic = await create_user(customer_id, "vic@brand.example", role="store_manager", store_ids=[uuid.uuid4()])
    admin = StorefrontAdmin(email="Vic@Brand.Example", first_name="Vic", last_name="Lee")
    await deliver(bus, StorefrontAccessEnabled(customer_id=customer_id, customer_name="Acme", admin=admin))
    async with app.state.db.sessionmaker() as session:
        promoted = await session.get(CustomerUser, vic.id)
    assert (promoted.role, promoted.store_ids) == ("admin", [])
    await eventually(lambda: [e.type for e in announced] == ["storefront.user_activated"])
    assert smtp[0].messages == [] and await invitations(app) == []


async def test_an_email_already_used_by_another_customer_fails_with_a_reason(client, bus, smtp, announced):
    inbox, _port = smtp
    await deliver(bus, StorefrontAccessEnabled(customer_id=uuid.uuid4(), customer_name="First", admin=ANNA))
    await eventually(lambda: len(announced) == 1)
    other_customer = uuid.uuid4()
    await deliver(
        bus, StorefrontAccessEnabled(customer_id=other_customer, customer_name="Second", admin=ANNA)
    )
    await eventually(lambda: len(announced) == 2)
    failed = announced[1]
    assert failed.type == "storefront.invitation_failed"
    assert failed.data["customer_id"] == str(other_customer)
    assert "another customer" in failed.data["reason"]
    assert len(inbox.messages) == 1


async def test_an_operators_email_cannot_be_a_customer_admin(client, bus, smtp, announced, create_operator):
    await create_operator(email="anna@brand.example")
    await deliver(bus, StorefrontAccessEnabled(customer_id=uuid.uuid4(), customer_name="Acme", admin=ANNA))
    await eventually(lambda: len(announced) == 1)
    assert announced[0].type == "storefront.invitation_failed"
    assert "operator" in announced[0].data["reason"]
    assert smtp[0].messages == []


@pytest.mark.smtp_down
async def test_an_unreachable_mail_server_is_retried_then_reported_failed(client, app, bus, announced):
    await deliver(bus, StorefrontAccessEnabled(customer_id=uuid.uuid4(), customer_name="Acme", admin=ANNA))
    await eventually(lambda: announced)
    [failed] = announced
    assert failed.type == "storefront.invitation_failed"
    assert "unreachable" in failed.data["reason"]
    [invitation] = await invitations(app)
    assert invitation.attempts == 2 and invitation.failed_at is not None


async def invited_token(bus, smtp, customer_id: uuid.UUID | None = None) -> str:
    inbox, _port = smtp
    before = len(inbox.messages)
    enabled = StorefrontAccessEnabled(
        customer_id=customer_id or uuid.uuid4(), customer_name="Acme", admin=ANNA
    )
    await deliver(bus, enabled)
    await eventually(lambda: len(inbox.messages) > before)
    return (
        LINK.search(inbox.messages[-1].get_body(preferencelist=("plain",)).get_content())
        .group(0)
        .rsplit("/", 1)[1]
    )


async def test_two_accepts_of_one_link_at_once_let_exactly_one_through(client, bus, smtp):
    token = await invited_token(bus, smtp)
    body = {"password": "a long and quiet river"}
    answers = await asyncio.gather(
        *(client.post(f"/v1/invitations/{token}/accept", json=body) for _ in range(3))
    )
    assert sorted(a.status_code for a in answers) == [200, 410, 410]


async def test_the_admin_opens_the_link_chooses_a_password_and_is_logged_in(client, bus, smtp, announced):
    token = await invited_token(bus, smtp)
    shown = await client.get(f"/v1/invitations/{token}")
    accepted = await client.post(
        f"/v1/invitations/{token}/accept", json={"password": "a long and quiet river"}
    )
    assert shown.status_code == 200
    assert {k: shown.json()[k] for k in ("email", "role", "customer_name")} == {
        "email": "anna@brand.example",
        "role": "admin",
        "customer_name": "Acme",
    }
    assert accepted.status_code == 200, accepted.text
    me = await client.get(
        "/v1/auth/me", headers={"Authorization": f"Bearer {accepted.json()['access_token']}"}
    )
    assert (me.json()["kind"], me.json()["role"]) == ("customer_user", "admin")
    login = await client.post(
        "/v1/auth/login", json={"email": "ANNA@brand.example", "password": "a long and quiet river"}
    )
    assert login.status_code == 200
    await eventually(lambda: any(e.type == "storefront.user_activated" for e in announced))
    again = await client.post(f"/v1/invitations/{token}/accept", json={"password": "another long passphrase"})
    assert again.status_code == 410
    assert (await client.get(f"/v1/invitations/{token}")).status_code == 410


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "password-too-short"),
        ("anna@brand.example", "password-not-allowed"),
        ("password1234", "password-not-allowed"),
    ],
)
async def test_a_weak_password_is_refused_naming_the_field_and_the_invitation_stays_open(
    client, bus, smtp, password, code
):
    token = await invited_token(bus, smtp)
    response = await client.post(f"/v1/invitations/{token}/accept", json={"password": password})
    assert response.status_code == 422
    assert response.json()["type"].endswith(code)
    assert [error["loc"] for error in response.json()["errors"]] == [["body", "password"]]
    assert (await client.get(f"/v1/invitations/{token}")).status_code == 200


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/invitations/" + "x" * 43, 404),
        ("/v1/invitations/short", 422),
    ],
)
async def test_unknown_or_malformed_links_answer_clearly(client, path, status):
    assert (await client.get(path)).status_code == status


async def test_an_expired_invitation_is_gone(client, app, bus, smtp):
    token = await invited_token(bus, smtp)
    async with app.state.db.session() as session:
        invitation = (await session.scalars(select(Invitation))).one()
        invitation.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    response = await client.post(
        f"/v1/invitations/{token}/accept", json={"password": "a long and quiet river"}
    )
    assert response.status_code == 410
    assert response.json()["type"].endswith("invitation-gone")


async def test_switching_access_off_refuses_login_refresh_and_live_tokens_and_on_restores_logins(
    client, bus, smtp
):
    customer_id = uuid.uuid4()
    token = await invited_token(bus, smtp, customer_id)
    accepted = await client.post(
        f"/v1/invitations/{token}/accept", json={"password": "a long and quiet river"}
    )
    assert accepted.status_code == 200
    bearer = {"Authorization": f"Bearer {accepted.json()['access_token']}"}
    assert (await client.get("/v1/auth/me", headers=bearer)).status_code == 200

    credentials = {"email": ANNA.email, "password": "a long and quiet river"}
    other_session = (await client.post("/v1/auth/login", json=credentials)).json()["refresh_token"]
    await publish(bus, StorefrontAccessDisabled(customer_id=customer_id))
    login = await client.post("/v1/auth/login", json=credentials)
    refreshed = await client.post(
        "/v1/auth/refresh", json={"refresh_token": accepted.json()["refresh_token"]}
    )
    live_token = await client.get("/v1/auth/me", headers=bearer)
    assert login.status_code == 403
    assert "disabled" in login.json()["detail"]
    assert refreshed.status_code == 401
    assert live_token.status_code == 403

    await publish(bus, StorefrontAccessEnabled(customer_id=customer_id, customer_name="Acme", admin=ANNA))
    assert (await client.get("/v1/auth/me", headers=bearer)).status_code == 401, "tokens from before stay off"
    again = await client.post("/v1/auth/login", json=credentials)
    assert again.status_code == 200, "switching access on again restores the same user, no new invitation"
    relogged = {"Authorization": f"Bearer {again.json()['access_token']}"}
    assert (await client.get("/v1/auth/me", headers=relogged)).status_code == 200
    earlier_session = await client.post("/v1/auth/refresh", json={"refresh_token": other_session})
    assert earlier_session.status_code == 401, "the sessions that were open when access went off ended"


async def test_the_link_works_in_a_browser_with_a_plain_form(client, bus, smtp, announced):
    token = await invited_token(bus, smtp)
    page = await client.get(f"/invitations/{token}")
    form = {"content-type": "application/x-www-form-urlencoded"}
    weak = await client.post(f"/invitations/{token}", content=b"password=short", headers=form)
    done = await client.post(
        f"/invitations/{token}", content=b"password=a+long+and+quiet+river", headers=form
    )
    used = await client.get(f"/invitations/{token}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'method="post"' in page.text and "Acme" in page.text and "anna@brand.example" in page.text
    assert weak.status_code == 422 and "12 characters" in weak.text
    assert done.status_code == 200 and "account is active" in done.text
    assert used.status_code == 410
    login = await client.post(
        "/v1/auth/login", json={"email": ANNA.email, "password": "a long and quiet river"}
    )
    assert login.status_code == 200


async def test_an_unknown_link_in_a_browser_says_so(client):
    response = await client.get("/invitations/" + "x" * 43)
    assert response.status_code == 404
    assert "No invitation" in response.text


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"password": 12345678901234},
        {"password": "a long and quiet river", "role": "admin"},
        {"password": ""},
    ],
)
async def test_a_malformed_accept_body_is_422_and_the_invitation_stays_open(client, bus, smtp, body):
    token = await invited_token(bus, smtp)
    response = await client.post(f"/v1/invitations/{token}/accept", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"/v1/invitations/{token}")).status_code == 200


async def test_the_browser_form_without_a_password_shows_the_form_again(client, bus, smtp):
    token = await invited_token(bus, smtp)
    response = await client.post(
        f"/invitations/{token}", content=b"", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 422
    assert 'method="post"' in response.text
