"""A Storefronts user who forgot the password asks for a reset link (always 202: the answer reveals no
account), gets it over real SMTP (aiosmtpd on loopback) and sets a new password with it, in the API or in
a browser; every earlier session of the user ends. Unknown, expired, used and replaced links answer
clearly, and the sender retries an unreachable mail server before it gives up."""

import asyncio
import datetime as dt
import json
import re
import uuid

import pytest
from sqlalchemy import select, update

from printbridge_shared.auth.tokens import hash_secret
from printbridge_shared.events.consumer import Listener
from printbridge_shared.testing import bearer, eventually
from storefront_auth.models import CustomerAccess, CustomerUser, PasswordReset

LINK = re.compile(r"https://printbridge\.example/password-reset/([A-Za-z0-9_-]+)")
BRAND = uuid.UUID("00000000-0000-4000-8000-00000000000b")
OTHER = uuid.UUID("00000000-0000-4000-8000-00000000000c")
EMAIL = "anna@brand.example"
PASSWORD = "a long and unusual passphrase"  # the password of every user create_user makes
NEW_PASSWORD = "another quite long passphrase"
NEUTRAL = {"detail": "If an account with this address exists, an e-mail with a reset link is on its way."}
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


@pytest.fixture
def announced(bus) -> list:
    seen: list = []

    async def record(_data, envelope):
        seen.append(envelope)

    bus.add_listener(Listener("test", {"storefront.password_reset": record}))
    return seen


async def resets(app) -> list[PasswordReset]:
    async with app.state.db.sessionmaker() as session:
        statement = select(PasswordReset).order_by(PasswordReset.created_at)
        return list((await session.scalars(statement)).all())


async def ask(client, email: str) -> None:
    response = await client.post("/v1/auth/password-reset", json={"email": email})
    assert response.status_code == 202, response.text
    assert response.json() == NEUTRAL


async def mailed_token(client, smtp, email: str = EMAIL) -> str:
    """Asks for a reset of `email` and waits for the e-mail; the token from its link."""
    inbox, _port = smtp
    before = len(inbox.messages)
    await ask(client, email)

    async def arrived() -> bool:
        return len(inbox.messages) > before

    await eventually(arrived)
    assert inbox.messages[-1]["To"] == email.strip().lower()
    return LINK.search(inbox.messages[-1].get_body(preferencelist=("plain",)).get_content()).group(1)


async def test_the_user_gets_a_link_sets_a_new_password_and_every_earlier_session_ends(
    client, app, smtp, create_user, log_in, announced
):
    inbox, _port = smtp
    user = await create_user(BRAND, EMAIL)
    old = await log_in(EMAIL, PASSWORD)

    token = await mailed_token(client, smtp, "  Anna@Brand.EXAMPLE ")
    [message] = inbox.messages
    assert message["Subject"] == "Reset your Storefronts password"
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f'href="https://printbridge.example/password-reset/{token}"' in html

    async def recorded_sent() -> bool:
        return all(r.sent_at is not None for r in await resets(app))

    await eventually(recorded_sent)
    [reset] = await resets(app)
    assert len(token) >= 43 and reset.token_hash == hash_secret(token)  # 256 bits, only the hash kept
    assert dt.timedelta(minutes=59) < reset.expires_at - reset.sent_at <= dt.timedelta(hours=1)

    shown = await client.get(f"/v1/auth/password-reset/{token}")
    assert shown.status_code == 200
    assert shown.json()["email"] == EMAIL
    assert dt.datetime.fromisoformat(shown.json()["expires_at"]) == reset.expires_at

    completed = await client.post(
        f"/v1/auth/password-reset/{token}/complete", json={"password": NEW_PASSWORD}
    )
    assert completed.status_code == 200, completed.text
    assert completed.headers["cache-control"] == "no-store"
    fresh = completed.json()
    me = await client.get("/v1/auth/me", headers=bearer(fresh["access_token"]))
    assert (me.status_code, me.json()["id"]) == (200, str(user.id))

    old_login = await client.post("/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    new_login = await client.post("/v1/auth/login", json={"email": EMAIL, "password": NEW_PASSWORD})
    refreshed = await client.post("/v1/auth/refresh", json={"refresh_token": old["refresh_token"]})
    assert old_login.status_code == 401 and new_login.status_code == 200
    assert refreshed.status_code == 401

    async def old_access_refused() -> bool:
        return (await client.get("/v1/auth/me", headers=bearer(old["access_token"]))).status_code == 401

    async def announced_once() -> bool:
        return len(announced) == 1

    await eventually(old_access_refused, within=5)
    await eventually(announced_once)
    [event] = announced
    assert (event.data["user_id"], event.data["customer_id"]) == (str(user.id), str(BRAND))
    assert (await client.get("/v1/auth/me", headers=bearer(fresh["access_token"]))).status_code == 200

    again = await client.post(
        f"/v1/auth/password-reset/{token}/complete", json={"password": "yet another passphrase"}
    )
    assert again.status_code == 410
    assert again.json()["type"].endswith("password-reset-gone")
    assert (await client.get(f"/v1/auth/password-reset/{token}")).status_code == 410


async def test_two_completions_of_one_link_at_once_let_exactly_one_through(client, smtp, create_user):
    await create_user(BRAND, EMAIL)
    token = await mailed_token(client, smtp)
    url = f"/v1/auth/password-reset/{token}/complete"
    answers = await asyncio.gather(*(client.post(url, json={"password": NEW_PASSWORD}) for _ in range(3)))
    assert sorted(a.status_code for a in answers) == [200, 410, 410]


async def test_a_completed_reset_lifts_the_login_lockout(client, smtp, create_user):
    await create_user(BRAND, EMAIL)
    wrong = {"email": EMAIL, "password": "not the password at all"}
    for _ in range(5):
        await client.post("/v1/auth/login", json=wrong)
    locked = await client.post("/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert locked.status_code == 429
    token = await mailed_token(client, smtp)
    completed = await client.post(
        f"/v1/auth/password-reset/{token}/complete", json={"password": NEW_PASSWORD}
    )
    assert completed.status_code == 200
    login = await client.post("/v1/auth/login", json={"email": EMAIL, "password": NEW_PASSWORD})
    assert login.status_code == 200


async def turn_access_off(app, customer_id: uuid.UUID) -> None:
    async with app.state.db.session() as session:
        statement = update(CustomerAccess).where(CustomerAccess.customer_id == customer_id)
        await session.execute(statement.values(enabled=False))


@pytest.mark.parametrize(
    "case", ["unknown", "not an address", "invited, not accepted", "operator", "access off"]
)
async def test_nobody_who_cannot_log_in_gets_a_mail_and_the_answer_is_the_same(
    client, app, smtp, create_user, create_operator, case
):
    inbox, _port = smtp
    if case == "unknown":
        email = "nobody@brand.example"
    elif case == "not an address":
        email = "anna at brand"
    elif case == "invited, not accepted":
        email = (await create_user(BRAND, EMAIL, active=False)).email
    elif case == "operator":
        email = (await create_operator()).email
    else:
        email = (await create_user(BRAND, EMAIL)).email
        await turn_access_off(app, BRAND)
    await ask(client, email)
    # The sender takes queued e-mails in order: once a later one arrived, an earlier one would have.
    witness = await create_user(OTHER, "witness@other.example")
    await mailed_token(client, smtp, witness.email)
    assert [m["To"] for m in inbox.messages] == [witness.email]
    assert [r.user_id for r in await resets(app)] == [witness.id]


async def test_asking_again_within_a_minute_sends_nothing_and_later_replaces_the_link(
    client, app, smtp, create_user
):
    inbox, _port = smtp
    await create_user(BRAND, EMAIL)
    first = await mailed_token(client, smtp)
    await ask(client, EMAIL)
    witness = await create_user(OTHER, "witness@other.example")
    await mailed_token(client, smtp, witness.email)
    assert [m["To"] for m in inbox.messages] == [EMAIL, witness.email]

    async with app.state.db.session() as session:  # a minute later
        for reset in await session.scalars(select(PasswordReset).where(PasswordReset.user_id != witness.id)):
            reset.created_at -= dt.timedelta(seconds=61)
    second = await mailed_token(client, smtp)
    assert second != first
    replaced = await client.get(f"/v1/auth/password-reset/{first}")
    assert replaced.status_code == 410
    assert (await client.get(f"/v1/auth/password-reset/{second}")).status_code == 200


async def test_an_expired_link_is_gone(client, app, smtp, create_user):
    await create_user(BRAND, EMAIL)
    token = await mailed_token(client, smtp)
    async with app.state.db.session() as session:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        await session.execute(update(PasswordReset).values(expires_at=past))
    shown = await client.get(f"/v1/auth/password-reset/{token}")
    completed = await client.post(
        f"/v1/auth/password-reset/{token}/complete", json={"password": NEW_PASSWORD}
    )
    assert shown.status_code == 410 and completed.status_code == 410
    assert completed.json()["type"].endswith("password-reset-gone")
    login = await client.post("/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert login.status_code == 200


async def test_unknown_tampered_or_malformed_links_answer_clearly(client, smtp, create_user):
    await create_user(BRAND, EMAIL)
    token = await mailed_token(client, smtp)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for unknown in ("x" * 43, tampered):
        shown = await client.get(f"/v1/auth/password-reset/{unknown}")
        completed = await client.post(
            f"/v1/auth/password-reset/{unknown}/complete", json={"password": NEW_PASSWORD}
        )
        assert shown.status_code == 404 and completed.status_code == 404
        assert shown.json()["type"].endswith("password-reset-not-found")
        assert shown.headers["content-type"] == "application/problem+json"
    assert (await client.get("/v1/auth/password-reset/short")).status_code == 422
    short = await client.post("/v1/auth/password-reset/short/complete", json={"password": NEW_PASSWORD})
    assert short.status_code == 422
    assert (await client.get(f"/v1/auth/password-reset/{token}")).status_code == 200


async def test_completing_is_refused_while_the_producer_has_switched_access_off(
    client, app, smtp, create_user
):
    await create_user(BRAND, EMAIL)
    token = await mailed_token(client, smtp)
    await turn_access_off(app, BRAND)
    completed = await client.post(
        f"/v1/auth/password-reset/{token}/complete", json={"password": NEW_PASSWORD}
    )
    assert completed.status_code == 403
    assert completed.json()["type"].endswith("storefront-access-disabled")


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "password-too-short"),
        (EMAIL, "password-not-allowed"),
        ("password1234", "password-not-allowed"),
    ],
)
async def test_a_weak_password_is_refused_naming_the_field_and_the_link_keeps_working(
    client, smtp, create_user, password, code
):
    await create_user(BRAND, EMAIL)
    token = await mailed_token(client, smtp)
    refused = await client.post(f"/v1/auth/password-reset/{token}/complete", json={"password": password})
    assert refused.status_code == 422
    assert refused.json()["type"].endswith(code)
    assert [error["loc"] for error in refused.json()["errors"]] == [["body", "password"]]
    assert (await client.get(f"/v1/auth/password-reset/{token}")).status_code == 200
    completed = await client.post(
        f"/v1/auth/password-reset/{token}/complete", json={"password": NEW_PASSWORD}
    )
    assert completed.status_code == 200


@pytest.mark.parametrize(
    "body",
    [{}, {"email": 12345}, {"email": EMAIL, "password": PASSWORD}, {"email": ""}, ["anna@brand.example"]],
)
async def test_a_malformed_request_is_422_and_queues_nothing(client, app, create_user, body):
    await create_user(BRAND, EMAIL)
    response = await client.post("/v1/auth/password-reset", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert await resets(app) == []


@pytest.mark.parametrize(
    "body",
    [{}, {"password": 12345678901234}, {"password": NEW_PASSWORD, "email": EMAIL}, {"password": ""}],
)
async def test_a_malformed_completion_is_422_and_the_link_keeps_working(client, smtp, create_user, body):
    await create_user(BRAND, EMAIL)
    token = await mailed_token(client, smtp)
    response = await client.post(f"/v1/auth/password-reset/{token}/complete", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"/v1/auth/password-reset/{token}")).status_code == 200


async def test_the_link_works_in_a_browser_with_a_plain_form(client, smtp, create_user):
    await create_user(BRAND, EMAIL)
    token = await mailed_token(client, smtp)
    page = await client.get(f"/password-reset/{token}")
    weak = await client.post(f"/password-reset/{token}", content=b"password=short", headers=FORM)
    done = await client.post(
        f"/password-reset/{token}", content=b"password=another+quite+long+passphrase", headers=FORM
    )
    used = await client.get(f"/password-reset/{token}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
    assert f'action="/password-reset/{token}"' in page.text and EMAIL in page.text
    assert weak.status_code == 422 and "12 characters" in weak.text and 'method="post"' in weak.text
    assert done.status_code == 200 and "password is changed" in done.text
    assert used.status_code == 410 and "no longer valid" in used.text
    login = await client.post("/v1/auth/login", json={"email": EMAIL, "password": NEW_PASSWORD})
    assert login.status_code == 200


async def test_an_unknown_link_in_a_browser_says_so(client):
    response = await client.get("/password-reset/" + "x" * 43)
    assert response.status_code == 404
    assert "No password reset" in response.text


@pytest.mark.smtp_down
async def test_an_unreachable_mail_server_is_retried_then_given_up_and_the_sender_goes_on(
    client, app, create_user
):
    for asked, email in enumerate((EMAIL, "ben@brand.example"), start=1):

        async def given_up(asked: int = asked) -> bool:
            queued = await resets(app)
            return len(queued) == asked and all(r.failed_at is not None for r in queued)

        await create_user(BRAND, email)
        await ask(client, email)
        await eventually(given_up)
    first, second = await resets(app)
    assert (first.attempts, second.attempts) == (2, 2)
    assert "unreachable" in first.failure_reason and first.sent_at is None


def post_without_waiting(app, path: str, payload: dict) -> tuple[asyncio.Task, asyncio.Event, list[dict]]:
    """Calls the app as a server does and tells when the answer was sent in full, which can be before the
    app's call returns (httpx's ASGITransport would wait for the whole call)."""
    body = json.dumps(payload).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    requests = [{"type": "http.request", "body": body, "more_body": False}]
    answered = asyncio.Event()
    messages: list[dict] = []

    async def receive() -> dict:
        if requests:
            return requests.pop()
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        messages.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            answered.set()

    return asyncio.create_task(app(scope, receive, send)), answered, messages


async def test_the_answer_waits_only_for_the_request_to_be_recorded_not_for_the_lookup(
    database_url, client, app, smtp, create_user
):
    """The request is recorded as a job; the lookup (longer for an address with an account) runs after
    the answer. Shown on PostgreSQL, where a held row lock delays the lookup but not the answer (SQLite
    has one writer, so there every write waits for it alike)."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite's single writer delays the answer's own write too")
    user = await create_user(BRAND, EMAIL)
    async with app.state.db.engine.connect() as blocker:  # a long write holds the user's row
        await blocker.execute(update(CustomerUser).where(CustomerUser.id == user.id).values(last_name="Berg"))
        work, answered, messages = post_without_waiting(app, "/v1/auth/password-reset", {"email": EMAIL})
        await asyncio.wait_for(answered.wait(), 5)
        assert messages[0]["status"] == 202
        assert await resets(app) == [], "the lookup waits for the writer, after the answer"
        await blocker.rollback()
    await work

    async def queued() -> bool:
        return [r.user_id for r in await resets(app)] == [user.id]

    await eventually(queued)
