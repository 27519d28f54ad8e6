"""A customer's admin manages its team through /v1/users: invites users with a role (the same invitation
e-mail, over real SMTP), changes roles and stores, removes users; the last active admin stays. Operators
list a customer's team; nobody sees another customer's users."""

import re
import uuid

import httpx
import jwt
import pytest

from printbridge_shared.auth.revocations import REVOCATIONS_PATH
from printbridge_shared.auth.verifier import TokenVerifier
from printbridge_shared.db import utcnow
from printbridge_shared.events.consumer import Listener
from printbridge_shared.testing import bearer, eventually

LINK = re.compile(r"https://printbridge\.example/invitations/([A-Za-z0-9_-]+)")
BRAND = uuid.UUID("00000000-0000-4000-8000-00000000000b")
OTHER = uuid.UUID("00000000-0000-4000-8000-00000000000c")
STORE_A, STORE_B = uuid.uuid4(), uuid.uuid4()
PASSWORD = "a long and unusual passphrase"


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


@pytest.fixture
def announced(bus) -> list:
    seen: list = []

    async def record(data, _envelope):
        seen.append(data)

    events = ["storefront.user_added", "storefront.user_updated", "storefront.user_removed"]
    bus.add_listener(Listener("test", dict.fromkeys(events, record)))
    return seen


@pytest.fixture
async def admin(create_user, log_in) -> dict[str, str]:
    await create_user(BRAND, "anna@brand.example", role="admin")
    return bearer((await log_in("anna@brand.example", PASSWORD))["access_token"])


async def signed_in(create_user, log_in, email: str, **kwargs) -> tuple[dict[str, str], dict]:
    user = await create_user(kwargs.pop("customer_id", BRAND), email, **kwargs)
    tokens = await log_in(email, PASSWORD)
    return bearer(tokens["access_token"]), {"user": user, **tokens}


INVITE = {"email": "Ben@Brand.Example", "first_name": "Ben", "last_name": "Kurz", "role": "viewer"}


async def test_the_admin_invites_a_store_manager_who_accepts_and_gets_a_scoped_token(
    client, admin, smtp, announced
):
    inbox, _ = smtp
    body = {**INVITE, "role": "store_manager", "store_ids": [str(STORE_A)]}
    response = await client.post("/v1/users", json=body, headers=admin)
    assert response.status_code == 201, response.text
    user = response.json()
    assert (user["email"], user["role"], user["store_ids"]) == (
        "ben@brand.example",
        "store_manager",
        [str(STORE_A)],
    )
    assert user["customer_id"] == str(BRAND) and user["status"] == "pending"

    async def invited() -> bool:
        current = await client.get(f"/v1/users/{user['id']}", headers=admin)
        return current.json()["status"] == "invited"

    await eventually(invited)
    [message] = inbox.messages
    assert message["To"] == "ben@brand.example"
    token = LINK.search(message.get_body(("plain",)).get_content()).group(1)
    accepted = await client.post(f"/v1/invitations/{token}/accept", json={"password": PASSWORD})
    assert accepted.status_code == 200, accepted.text
    claims = jwt.decode(accepted.json()["access_token"], options={"verify_signature": False})
    assert (claims["role"], claims["stores"], claims["cid"]) == ("store_manager", [str(STORE_A)], str(BRAND))
    listed = await client.get("/v1/users", headers=admin)
    assert [(u["email"], u["status"]) for u in listed.json()["items"]] == [
        ("anna@brand.example", "active"),
        ("ben@brand.example", "active"),
    ]
    assert [type(e).__name__ for e in announced] == ["StorefrontUserAdded"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "store_manager"}, "store_ids"),
        ({"role": "viewer", "store_ids": [str(STORE_A)]}, "store_ids"),
        ({"role": "store_manager", "store_ids": [str(STORE_A), str(STORE_A)]}, "store_ids"),
        ({"email": "not an address"}, "email"),
        ({"first_name": "  "}, "first_name"),
        ({"role": "owner"}, "role"),
        ({"password": "x"}, "password"),
    ],
)
async def test_an_invitation_with_bad_fields_is_422_naming_the_field(client, admin, change, field):
    response = await client.post("/v1/users", json={**INVITE, **change}, headers=admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["loc"][-1] for e in response.json()["errors"]] == [field]
    assert (await client.get("/v1/users", headers=admin)).json()["items"][1:] == []


async def invitation_token(inbox, to: str) -> str:
    """The token of the newest invitation e-mail to `to` (sent in the background)."""

    def mailed() -> list:
        return [m for m in inbox.messages if m["To"] == to]

    await eventually(mailed)
    return LINK.search(mailed()[-1].get_body(("plain",)).get_content()).group(1)


async def test_inviting_an_address_that_logs_in_elsewhere_answers_like_any_other(
    client, admin, create_user, create_operator
):
    """The admin cannot tell whether an address has a login at another customer or is an operator's."""
    await create_user(OTHER, "taken@other.example")
    await create_operator(email="staff@printshop.example")
    answers = [
        await client.post("/v1/users", json={**INVITE, "email": address}, headers=admin)
        for address in ("Taken@Other.Example", "staff@printshop.example", "free@else.example")
    ]

    def shape(response: httpx.Response) -> tuple:
        body = response.json()
        varying = {"id", "email", "created_at"}
        return response.status_code, sorted(body), {k: v for k, v in body.items() if k not in varying}

    assert [a.status_code for a in answers] == [201, 201, 201]
    assert shape(answers[0]) == shape(answers[1]) == shape(answers[2])
    invited = ("taken@other.example", "staff@printshop.example", "free@else.example")

    async def all_invited() -> bool:
        team = {
            u["email"]: u["status"] for u in (await client.get("/v1/users", headers=admin)).json()["items"]
        }
        return all(team[address] == "invited" for address in invited)

    await eventually(all_invited)


async def test_an_address_already_in_the_team_is_409(client, admin):
    response = await client.post("/v1/users", json={**INVITE, "email": "Anna@Brand.Example"}, headers=admin)
    assert response.status_code == 409, response.text
    assert response.json()["type"].endswith("/email-in-use")
    assert "your team" in response.json()["detail"]


async def test_the_invited_person_who_logs_in_elsewhere_learns_it_on_accepting_and_keeps_one_login(
    client, admin, create_user, log_in, smtp
):
    inbox, _ = smtp
    await create_user(OTHER, "taken@other.example")
    await client.post("/v1/users", json={**INVITE, "email": "taken@other.example"}, headers=admin)
    token = await invitation_token(inbox, "taken@other.example")
    accepted = await client.post(f"/v1/invitations/{token}/accept", json={"password": PASSWORD + "!"})
    assert accepted.status_code == 409, accepted.text
    assert accepted.json()["type"].endswith("/address-has-login")
    me = await client.get(
        "/v1/auth/me", headers=bearer((await log_in("taken@other.example", PASSWORD))["access_token"])
    )
    assert me.json()["customer_id"] == str(OTHER)


async def test_of_two_customers_inviting_one_address_the_first_accepted_becomes_its_login(
    client, admin, create_user, log_in, smtp
):
    inbox, _ = smtp
    other_admin, _ = await signed_in(create_user, log_in, "olga@other.example", customer_id=OTHER)
    for headers in (admin, other_admin):
        invited = await client.post(
            "/v1/users", json={**INVITE, "email": "ben@free.example"}, headers=headers
        )
        assert invited.status_code == 201, invited.text

    def tokens() -> list[str]:
        mails = [m for m in inbox.messages if m["To"] == "ben@free.example"]
        return [LINK.search(m.get_body(("plain",)).get_content()).group(1) for m in mails]

    await eventually(lambda: len(tokens()) == 2)
    first, second = tokens()
    assert (
        await client.post(f"/v1/invitations/{first}/accept", json={"password": PASSWORD})
    ).status_code == 200
    again = await client.post(f"/v1/invitations/{second}/accept", json={"password": PASSWORD})
    assert again.status_code == 409, again.text
    assert (await log_in("ben@free.example", PASSWORD))["access_token"]


@pytest.mark.parametrize("role", ["store_manager", "order_manager", "viewer"])
async def test_only_the_admin_manages_users(client, admin, create_user, log_in, role):
    stores = [STORE_A] if role == "store_manager" else None
    headers, _ = await signed_in(create_user, log_in, f"{role}@brand.example", role=role, store_ids=stores)
    anna = (await client.get("/v1/users", headers=admin)).json()["items"][0]["id"]
    for method, path, body in [
        ("GET", "/v1/users", None),
        ("GET", f"/v1/users/{anna}", None),
        ("POST", "/v1/users", INVITE),
        ("PATCH", f"/v1/users/{anna}", {"role": "viewer"}),
        ("DELETE", f"/v1/users/{anna}", None),
    ]:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (method, path, response.text)
        assert f"Your role ({role})" in response.json()["detail"]


async def test_another_customers_admin_sees_none_of_the_team(client, admin, create_user, log_in):
    other, _ = await signed_in(create_user, log_in, "olga@other.example", customer_id=OTHER)
    anna = (await client.get("/v1/users", headers=admin)).json()["items"][0]["id"]
    for method, path, body in [
        ("GET", f"/v1/users/{anna}", None),
        ("PATCH", f"/v1/users/{anna}", {"role": "viewer"}),
        ("DELETE", f"/v1/users/{anna}", None),
        ("POST", f"/v1/users/{anna}/resend-invitation", None),
        ("GET", f"/v1/users?customer_id={BRAND}", None),
    ]:
        response = await client.request(method, path, json=body, headers=other)
        assert response.status_code == 404, (method, path, response.text)
    own = await client.get("/v1/users", headers=other)
    assert [u["email"] for u in own.json()["items"]] == ["olga@other.example"]


async def test_operators_list_a_customers_team_but_do_not_manage_it(client, admin, operator):
    missing = await client.get("/v1/users", headers=operator)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["loc"] == ["query", "customer_id"]
    listed = await client.get(f"/v1/users?customer_id={BRAND}", headers=operator)
    assert [u["email"] for u in listed.json()["items"]] == ["anna@brand.example"]
    refused = await client.post("/v1/users", json=INVITE, headers=operator)
    assert refused.status_code == 403
    assert "up to the customer's admin" in refused.json()["detail"]


async def test_the_team_list_pages_by_email(client, admin, create_user):
    for n in range(5):
        await create_user(BRAND, f"user{n}@brand.example", role="viewer")
    emails, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/users", params=params, headers=admin)).json()
        emails += [u["email"] for u in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert emails == ["anna@brand.example"] + [f"user{n}@brand.example" for n in range(5)]
    bad = await client.get("/v1/users", params={"cursor": "nonsense"}, headers=admin)
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("params", "field"),
    [({"customer_id": "not-a-uuid"}, "customer_id"), ({"limit": 0}, "limit"), ({"limit": 201}, "limit")],
)
async def test_a_bad_list_query_is_422_naming_the_parameter(client, operator, params, field):
    response = await client.get("/v1/users", params={"customer_id": str(BRAND), **params}, headers=operator)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [["query", field]]


async def test_a_new_role_refuses_the_users_older_tokens_and_refresh_brings_the_new_one(
    client, admin, create_user, log_in, announced
):
    headers, session = await signed_in(
        create_user, log_in, "sam@brand.example", role="store_manager", store_ids=[STORE_A]
    )
    assert (await client.get("/v1/auth/me", headers=headers)).status_code == 200
    user_id = session["user"].id
    changed = await client.patch(f"/v1/users/{user_id}", json={"role": "viewer"}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["role"], changed.json()["store_ids"]) == ("viewer", [])

    async def refused() -> bool:  # once the event reaches the service (the relay publishes right away)
        response = await client.get("/v1/auth/me", headers=headers)
        return response.status_code == 401 and "changed" in response.json()["detail"]

    await eventually(refused, within=5)
    refreshed = await client.post("/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    me = await client.get("/v1/auth/me", headers=bearer(refreshed.json()["access_token"]))
    assert (me.json()["role"], me.json()["store_ids"]) == ("viewer", [])
    assert me.json()["permissions"] == ["orders:read", "products:read", "stores:read"]
    assert [type(e).__name__ for e in announced] == ["StorefrontUserUpdated"]


async def test_stores_of_a_store_manager_change_and_a_name_change_keeps_tokens(
    client, admin, create_user, log_in
):
    headers, session = await signed_in(
        create_user, log_in, "sam@brand.example", role="store_manager", store_ids=[STORE_A]
    )
    path = f"/v1/users/{session['user'].id}"
    renamed = await client.patch(path, json={"first_name": "Samuel"}, headers=admin)
    assert renamed.json()["first_name"] == "Samuel"
    assert (await client.get("/v1/auth/me", headers=headers)).status_code == 200
    moved = await client.patch(path, json={"store_ids": [str(STORE_B)]}, headers=admin)
    assert moved.json()["store_ids"] == [str(STORE_B)]
    emptied = await client.patch(path, json={"store_ids": []}, headers=admin)
    assert emptied.status_code == 422
    assert emptied.json()["errors"][0]["loc"] == ["body", "store_ids"]
    unknown = await client.patch(path, json={"email": "new@brand.example"}, headers=admin)
    assert unknown.status_code == 422


async def test_the_last_active_admin_can_be_neither_demoted_nor_removed(client, admin, create_user, log_in):
    anna = (await client.get("/v1/users", headers=admin)).json()["items"][0]["id"]
    for method, body in (("PATCH", {"role": "viewer"}), ("DELETE", None)):
        response = await client.request(method, f"/v1/users/{anna}", json=body, headers=admin)
        assert response.status_code == 409, response.text
        assert response.json()["type"].endswith("/last-admin")
    await create_user(BRAND, "invited@brand.example", role="admin", active=False)
    assert (await client.delete(f"/v1/users/{anna}", headers=admin)).status_code == 409
    second, _ = await signed_in(create_user, log_in, "bert@brand.example", role="admin")
    demoted = await client.patch(f"/v1/users/{anna}", json={"role": "viewer"}, headers=second)
    assert demoted.status_code == 200


async def test_a_removed_user_is_gone_its_logins_end_and_its_tokens_stop_working(
    client, admin, create_user, log_in, announced
):
    headers, session = await signed_in(create_user, log_in, "vic@brand.example", role="viewer")
    removed = await client.delete(f"/v1/users/{session['user'].id}", headers=admin)
    assert removed.status_code == 204
    assert (await client.get(f"/v1/users/{session['user'].id}", headers=admin)).status_code == 404

    async def refused() -> bool:
        return (await client.get("/v1/auth/me", headers=headers)).status_code == 401

    await eventually(refused, within=5)
    refresh = await client.post("/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert refresh.status_code == 401
    login = await client.post("/v1/auth/login", json={"email": "vic@brand.example", "password": PASSWORD})
    assert login.status_code == 401
    assert [type(e).__name__ for e in announced] == ["StorefrontUserRemoved"]
    again = await client.delete(f"/v1/users/{session['user'].id}", headers=admin)
    assert again.status_code == 404


async def test_resending_replaces_the_link_and_an_active_user_needs_none(client, admin, smtp):
    inbox, _ = smtp
    user = (await client.post("/v1/users", json=INVITE, headers=admin)).json()
    path = f"/v1/users/{user['id']}"

    async def mails(count: int):
        async def arrived() -> bool:
            return len(inbox.messages) == count

        return arrived

    await eventually(await mails(1))
    first = LINK.search(inbox.messages[0].get_body(("plain",)).get_content()).group(1)
    resent = await client.post(f"{path}/resend-invitation", headers=admin)
    assert resent.status_code == 200 and resent.json()["status"] == "pending"
    await eventually(await mails(2))
    assert (await client.get(f"/v1/invitations/{first}")).status_code == 410
    second = LINK.search(inbox.messages[1].get_body(("plain",)).get_content()).group(1)
    assert (
        await client.post(f"/v1/invitations/{second}/accept", json={"password": PASSWORD})
    ).status_code == 200
    active = await client.post(f"{path}/resend-invitation", headers=admin)
    assert active.status_code == 409


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/users/not-a-uuid"), ("PATCH", "/v1/users/not-a-uuid"), ("DELETE", "/v1/users/not-a-uuid")],
)
async def test_a_malformed_user_id_is_422(client, admin, method, path):
    response = await client.request(method, path, json={}, headers=admin)
    assert response.status_code == 422


async def test_a_service_started_later_learns_past_revocations_with_the_keys(
    app, client, admin, create_user, log_in
):
    """A fresh verifier (a process that was not running when the events went out) still refuses."""
    headers, session = await signed_in(create_user, log_in, "late@brand.example", role="viewer")
    await client.patch(f"/v1/users/{session['user'].id}", json={"role": "order_manager"}, headers=admin)
    other, _ = await signed_in(create_user, log_in, "olga@other.example", customer_id=OTHER)
    async with app.state.db.session() as db:
        from storefront_auth.invitation.repository import CustomerAccessRepository

        await CustomerAccessRepository(db).set(OTHER, enabled=False, at=session["user"].created_at)
    listed = await client.get(REVOCATIONS_PATH)
    assert listed.status_code == 200
    later = TokenVerifier(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sa"))
    with pytest.raises(Exception, match="changed"):
        await later.verify(headers["Authorization"].removeprefix("Bearer "))
    with pytest.raises(Exception, match="disabled"):
        await later.verify(other["Authorization"].removeprefix("Bearer "))
    assert (await later.verify(admin["Authorization"].removeprefix("Bearer "))).email == "anna@brand.example"


async def test_a_service_started_later_refuses_tokens_from_before_a_switch_off_after_access_is_back(
    app, client, create_user, log_in
):
    from printbridge_shared.events.contracts import StorefrontAccessDisabled
    from storefront_auth.invitation import service as access
    from storefront_auth.invitation.repository import CustomerAccessRepository

    headers, _ = await signed_in(create_user, log_in, "early@brand.example", role="viewer")
    async with app.state.db.session() as db:
        await access.disable_access(db, StorefrontAccessDisabled(customer_id=BRAND), customer_version=None)
    async with app.state.db.session() as db:
        await CustomerAccessRepository(db).set(BRAND, enabled=True, at=utcnow())
    relogged = bearer((await log_in("early@brand.example", PASSWORD))["access_token"])
    later = TokenVerifier(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sa"))
    with pytest.raises(Exception, match="log in again"):
        await later.verify(headers["Authorization"].removeprefix("Bearer "))
    assert (await later.verify(relogged["Authorization"].removeprefix("Bearer "))).role == "viewer"
