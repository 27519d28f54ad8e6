"""OWASP API2:2023 Broken Authentication: a token or key Printbridge did not issue, or no longer honours,
opens nothing. Forged (another key, `alg: none`, a changed claim), expired, not yet valid and revoked access
tokens, made-up, overlong and revoked API keys, logged-out and reused refresh tokens: each is 401 with
`WWW-Authenticate: Bearer` and problem+json, on every service behind the gateway."""

import base64
import datetime as dt
import json
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from printbridge_shared import log_scan
from printbridge_shared.auth.principal import Principal, PrincipalKind
from printbridge_shared.auth.tokens import encode_access_token, new_api_key
from printbridge_shared.testing import bearer, eventually
from storefront_auth.auth.service import customer_user_principal
from storefront_auth.credentials.passwords import hash_password
from storefront_auth.models import CustomerUser

pytestmark = pytest.mark.asyncio(loop_scope="module")

# One read of each service: storefront-auth, customers, connectors, mapping, orders.
READS = ["/v1/auth/me", "/v1/customers", "/v1/stores", "/v1/files", "/v1/orders"]
OPERATOR_READS = ["/v1/api-keys", "/v1/customers", "/v1/stores", "/v1/files", "/v1/production/orders"]


async def refused_everywhere(teams, headers, paths=READS):
    for path in paths:
        answer = await teams.client.get(path, headers=headers)
        assert answer.status_code == 401, f"{path}: {answer.status_code} {answer.text[:200]}"
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.headers["content-type"] == "application/problem+json"


async def signed(
    teams, principal: Principal, *, ttl=dt.timedelta(minutes=15), issued_at=None, **changes
) -> str:
    """A token signed with the suite's own current key, with `changes` to its claims."""
    key = await teams.gateway.apps["storefront-auth"].state.token_issuer.keys.signing_key()
    token = encode_access_token(
        principal, private_key=key.private_key, kid=key.kid, ttl=ttl, issued_at=issued_at
    )
    if not changes:
        return token
    claims = jwt.decode(token, options={"verify_signature": False})
    return jwt.encode({**claims, **changes}, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})


def operator() -> Principal:
    return Principal(kind=PrincipalKind.operator, subject_id=uuid.uuid4(), email="staff@example.com")


async def test_the_suites_own_tokens_and_keys_open_the_reads(teams):
    for caller, paths in (("operator", OPERATOR_READS), ("api_key", OPERATOR_READS), ("admin", READS[:1])):
        for path in paths:
            answer = await teams.call(caller, "GET", path)
            assert answer.status_code == 200, f"{caller} {path}: {answer.text[:200]}"


async def test_a_token_signed_with_another_key_is_refused(teams):
    key = await teams.gateway.apps["storefront-auth"].state.token_issuer.keys.signing_key()
    other = Ed25519PrivateKey.generate()
    same_kid = encode_access_token(operator(), private_key=other, kid=key.kid, ttl=dt.timedelta(minutes=5))
    unknown_kid = encode_access_token(
        operator(), private_key=other, kid="made-up", ttl=dt.timedelta(minutes=5)
    )

    await refused_everywhere(teams, bearer(same_kid), OPERATOR_READS)
    await refused_everywhere(teams, bearer(unknown_kid), OPERATOR_READS)


async def test_an_unsigned_token_and_a_symmetric_one_keyed_with_the_public_key_are_refused(teams):
    claims = jwt.decode(await signed(teams, operator()), options={"verify_signature": False})

    def segment(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    unsigned = f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(claims)}."
    jwks = (await teams.client.get("/v1/auth/jwks.json")).json()
    public = jwks["keys"][0]["x"].encode()
    hmac = jwt.encode(claims, public, algorithm="HS256", headers={"kid": jwks["keys"][0]["kid"]})

    await refused_everywhere(teams, bearer(unsigned), OPERATOR_READS)
    await refused_everywhere(teams, bearer(hmac), OPERATOR_READS)


async def test_a_changed_claim_breaks_the_signature(teams):
    """A viewer's token with its role (or kind) edited in the payload, the signature kept."""
    viewer = await signed(teams, customer_user_principal(teams.users["viewer"]))
    header, payload, signature = viewer.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    for change in ({"role": "admin"}, {"kind": "operator"}, {"cid": teams.b.id}):
        edited = base64.urlsafe_b64encode(json.dumps({**claims, **change}).encode()).rstrip(b"=").decode()
        await refused_everywhere(teams, bearer(f"{header}.{edited}.{signature}"))


async def test_expired_and_not_yet_valid_tokens_are_refused(teams):
    now = dt.datetime.now(dt.UTC)
    expired = await signed(teams, operator(), issued_at=now - dt.timedelta(hours=1))
    future = await signed(teams, operator(), issued_at=now + dt.timedelta(hours=1))

    await refused_everywhere(teams, bearer(expired), OPERATOR_READS)
    await refused_everywhere(teams, bearer(future), OPERATOR_READS)


async def test_tokens_for_another_audience_or_issuer_are_refused(teams):
    for change in ({"aud": "someone-else"}, {"iss": "someone-else"}):
        await refused_everywhere(teams, bearer(await signed(teams, operator(), **change)), OPERATOR_READS)


async def test_made_up_overlong_and_revoked_api_keys_are_refused(teams):
    created = await teams.call("operator", "POST", "/v1/api-keys", json={"name": "short-lived"})
    key, key_id = created.json()["key"], created.json()["id"]
    log_scan.KNOWN.add(key)
    assert (await teams.client.get("/v1/customers", headers=bearer(key))).status_code == 200

    revoked = await teams.call("operator", "DELETE", f"/v1/api-keys/{key_id}")
    assert revoked.status_code == 204

    async def refused() -> bool:
        return (await teams.client.get("/v1/customers", headers=bearer(key))).status_code == 401

    await eventually(refused)
    await refused_everywhere(teams, bearer(key), OPERATOR_READS)
    await refused_everywhere(teams, bearer(new_api_key()), OPERATOR_READS)
    await refused_everywhere(teams, bearer("pbk_" + "A" * 300), OPERATOR_READS)


async def test_credentials_are_taken_from_the_authorization_header_only(teams):
    key = teams.headers["api_key"]["Authorization"].removeprefix("Bearer ")
    for options in (
        {"params": {"access_token": key}},
        {"params": {"api_key": key}},
        {"cookies": {"access_token": key}},
        {"headers": {"X-API-Key": key}},
        {"headers": {"Authorization": key}},  # no scheme
        {"headers": {"Authorization": f"Basic {base64.b64encode(f'{key}:'.encode()).decode()}"}},
    ):
        answer = await teams.client.get("/v1/customers", **options)
        assert answer.status_code == 401, options


async def test_a_removed_users_token_and_a_demoted_admins_token_are_refused(teams):
    removed = await teams.make_user(teams.a.id, "viewer")
    demoted = await teams.make_user(teams.a.id, "admin")
    removed_token = bearer(await teams.token_of(customer_user_principal(removed)))
    demoted_token = bearer(await teams.token_of(customer_user_principal(demoted)))
    invite = {
        "email": f"{uuid.uuid4().hex[:8]}@brand.example",
        "first_name": "N",
        "last_name": "N",
        "role": "admin",
    }

    assert (await teams.call("admin", "DELETE", f"/v1/users/{removed.id}")).status_code == 204
    demote = await teams.call("admin", "PATCH", f"/v1/users/{demoted.id}", json={"role": "viewer"})
    assert demote.status_code == 200, demote.text

    async def refused() -> bool:
        me = await teams.client.get("/v1/auth/me", headers=removed_token)
        escalated = await teams.client.post("/v1/users", json=invite, headers=demoted_token)
        return me.status_code == 401 and escalated.status_code == 401

    await eventually(refused)
    await refused_everywhere(teams, removed_token)
    await refused_everywhere(teams, demoted_token)


async def test_a_logged_out_or_already_used_refresh_token_gives_no_new_tokens(teams):
    password = "a long and unusual passphrase"
    user = await teams.make_user(teams.a.id, "viewer")
    async with teams.gateway.apps["storefront-auth"].state.db.session() as session:
        stored = await session.get(CustomerUser, user.id)
        stored.password_hash = await hash_password(password)
    login = await teams.client.post("/v1/auth/login", json={"email": user.email, "password": password})
    assert login.status_code == 200, login.text
    first = login.json()["refresh_token"]

    rotated = await teams.client.post("/v1/auth/refresh", json={"refresh_token": first})
    reused = await teams.client.post("/v1/auth/refresh", json={"refresh_token": first})
    second = rotated.json()["refresh_token"]
    logged_out = await teams.client.post("/v1/auth/logout", json={"refresh_token": second})
    after_logout = await teams.client.post("/v1/auth/refresh", json={"refresh_token": second})
    made_up = await teams.client.post("/v1/auth/refresh", json={"refresh_token": "x" * 43})

    assert rotated.status_code == 200, rotated.text
    assert logged_out.status_code == 204, logged_out.text
    for answer in (reused, after_logout, made_up):
        assert answer.status_code == 401, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert "access_token" not in answer.text


async def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(teams):
    user = teams.users["viewer"]
    wrong = await teams.client.post(
        "/v1/auth/login", json={"email": user.email, "password": "not the password"}
    )
    unknown = await teams.client.post(
        "/v1/auth/login", json={"email": "nobody@nowhere.example", "password": "not the password"}
    )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
