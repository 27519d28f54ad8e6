import asyncio
import base64
import dataclasses
import datetime as dt
import time

import httpx
import jwt
import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from sqlalchemy import select, update

from printbridge_shared.auth.principal import PrincipalKind
from printbridge_shared.auth.tokens import AUDIENCE, hash_secret
from printbridge_shared.auth.verifier import TokenVerifier
from printbridge_shared.db import utcnow
from printbridge_shared.testing import bearer
from storefront_auth.models import Operator
from storefront_auth.signing_key.keystore import key_id

EMAIL = "staff@printshop.example"
PASSWORD = "correct horse battery staple"
CONFIGURED_KEY = Ed25519PrivateKey.generate()
CONFIGURED_KEY_PEM = CONFIGURED_KEY.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


async def login(client: httpx.AsyncClient, email: str = EMAIL, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/v1/auth/login", json={"email": email, "password": password})


async def refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/v1/auth/refresh", json={"refresh_token": refresh_token})


async def test_login_returns_a_bearer_token_pair(client, create_operator):
    operator = await create_operator()
    response = await login(client)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["refresh_token"] and body["access_token"].count(".") == 2
    assert response.headers["cache-control"] == "no-store"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert (claims["sub"], claims["kind"], claims["email"]) == (str(operator.id), "operator", EMAIL)
    assert claims["exp"] - claims["iat"] == 900


async def test_login_ignores_case_and_surrounding_spaces_in_the_email(client, create_operator):
    await create_operator(email="Staff@PrintShop.example")
    assert (await login(client, email="  STAFF@printshop.EXAMPLE ")).status_code == 200


async def test_unknown_email_and_wrong_password_get_the_same_401(client, create_operator):
    await create_operator()
    wrong_password = await login(client, password="not the password at all")
    unknown_email = await login(client, email="nobody@printshop.example")
    not_an_email = await login(client, email="not-an-address")
    for response in (wrong_password, unknown_email, not_an_email):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
    assert wrong_password.json() == unknown_email.json() == not_an_email.json()
    assert wrong_password.json()["detail"] == "The e-mail address or the password is wrong."


async def test_disabled_operator_cannot_log_in(client, create_operator, disable_operator):
    await create_operator()
    await disable_operator(EMAIL)
    response = await login(client)
    assert response.status_code == 401
    assert response.json()["type"].endswith("invalid-credentials")


@pytest.mark.production_password_hashing
async def test_unknown_email_costs_as_much_time_as_a_wrong_password(client, create_operator):
    await create_operator()

    async def median_seconds(email: str) -> float:
        durations = []
        for _ in range(3):
            started = time.perf_counter()
            assert (await login(client, email=email, password="wrong password!")).status_code == 401
            durations.append(time.perf_counter() - started)
        return sorted(durations)[1]

    wrong_password = await median_seconds(EMAIL)
    unknown_email = await median_seconds("nobody@printshop.example")
    assert unknown_email > wrong_password / 2


@pytest.mark.production_password_hashing
async def test_login_upgrades_a_password_hash_made_with_weaker_parameters(app, client, create_operator):
    await create_operator()
    weak_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    async with app.state.db.session() as session:
        await session.execute(update(Operator).values(password_hash=weak_hash))
    assert (await login(client)).status_code == 200
    async with app.state.db.sessionmaker() as session:
        upgraded = await session.scalar(select(Operator.password_hash))
    assert upgraded != weak_hash
    assert not PasswordHasher().check_needs_rehash(upgraded)
    assert (await login(client)).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": EMAIL}, "password"),
        ({"password": PASSWORD}, "email"),
        ({"email": 42, "password": PASSWORD}, "email"),
        ({"email": EMAIL, "password": ""}, "password"),
        ({"email": EMAIL, "password": "p" * 1025}, "password"),
        ({"email": EMAIL, "password": PASSWORD, "remember_me": True}, "remember_me"),
    ],
)
async def test_malformed_login_is_422_naming_the_field(client, body, field):
    response = await client.post("/v1/auth/login", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert any(error["loc"][-1] == field for error in response.json()["errors"])


async def test_login_with_invalid_json_is_422(client):
    response = await client.post(
        "/v1/auth/login", content=b'{"email": "a@b.example"', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["errors"][0]["msg"]


@pytest.mark.parametrize("path", ["/v1/auth/refresh", "/v1/auth/logout"])
async def test_refresh_and_logout_reject_unknown_fields(client, path):
    response = await client.post(path, json={"refresh_token": "x", "access_token": "y"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "access_token"]


async def test_access_token_from_login_is_accepted_by_the_token_verifier(app, client, create_operator):
    operator = await create_operator()
    tokens = (await login(client)).json()
    verifier = TokenVerifier(
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://storefront-auth")
    )
    principal = await verifier.verify(tokens["access_token"])
    assert principal.kind is PrincipalKind.operator
    assert (principal.subject_id, principal.email) == (operator.id, EMAIL)


async def test_refresh_returns_a_new_pair_that_works(client, create_operator):
    await create_operator()
    first = (await login(client)).json()
    response = await refresh(client, first["refresh_token"])
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert response.headers["cache-control"] == "no-store"
    assert (await client.get("/v1/auth/me", headers=bearer(second["access_token"]))).status_code == 200
    assert (await refresh(client, second["refresh_token"])).status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(client, create_operator):
    await create_operator()
    first = (await login(client)).json()
    second = (await refresh(client, first["refresh_token"])).json()
    third = (await refresh(client, second["refresh_token"])).json()

    reused = await refresh(client, first["refresh_token"])

    assert reused.status_code == 401
    assert reused.json()["type"].endswith("refresh-token-reused")
    latest = await refresh(client, third["refresh_token"])
    assert latest.status_code == 401
    assert latest.json()["type"].endswith("invalid-refresh-token")


async def test_reuse_in_one_login_leaves_other_logins_alone(client, create_operator):
    await create_operator()
    stolen = (await login(client)).json()
    other_device = (await login(client)).json()
    await refresh(client, stolen["refresh_token"])
    assert (await refresh(client, stolen["refresh_token"])).status_code == 401
    assert (await refresh(client, other_device["refresh_token"])).status_code == 200


async def test_concurrent_refreshes_with_one_token_let_exactly_one_through(client, create_operator):
    await create_operator()
    tokens = (await login(client)).json()
    responses = await asyncio.gather(*(refresh(client, tokens["refresh_token"]) for _ in range(4)))
    assert sorted(r.status_code for r in responses) == [200, 401, 401, 401]
    winner = next(r.json() for r in responses if r.status_code == 200)
    # The losers looked like a replay, so the family (including the winner's new token) is revoked.
    assert (await refresh(client, winner["refresh_token"])).status_code == 401


async def test_expired_refresh_token_is_401(client, create_operator, expire_refresh_tokens):
    await create_operator()
    tokens = (await login(client)).json()
    await expire_refresh_tokens()
    response = await refresh(client, tokens["refresh_token"])
    assert response.status_code == 401
    assert response.json()["type"].endswith("refresh-token-expired")


async def test_unknown_refresh_token_is_401(client):
    response = await refresh(client, "never-issued")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_disabled_operator_gets_no_new_tokens(client, create_operator, disable_operator):
    await create_operator()
    tokens = (await login(client)).json()
    await disable_operator(EMAIL)
    assert (await refresh(client, tokens["refresh_token"])).status_code == 401


async def test_refresh_tokens_are_stored_only_as_hashes(app, client, create_operator):
    await create_operator()
    tokens = (await login(client)).json()
    async with app.state.db.engine.connect() as connection:
        stored = (await connection.exec_driver_sql("SELECT token_hash FROM refresh_tokens")).scalars().all()
    assert stored == [hash_secret(tokens["refresh_token"])]


async def test_logout_ends_the_login(client, create_operator):
    await create_operator()
    tokens = (await login(client)).json()
    response = await client.post("/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 204
    assert (await refresh(client, tokens["refresh_token"])).status_code == 401


async def test_logout_with_an_older_token_of_the_login_ends_it_too(client, create_operator):
    await create_operator()
    first = (await login(client)).json()
    second = (await refresh(client, first["refresh_token"])).json()
    response = await client.post("/v1/auth/logout", json={"refresh_token": first["refresh_token"]})
    assert response.status_code == 204
    assert (await refresh(client, second["refresh_token"])).status_code == 401


async def test_logout_is_idempotent_and_accepts_unknown_tokens(client, create_operator):
    await create_operator()
    tokens = (await login(client)).json()
    for token in (tokens["refresh_token"], tokens["refresh_token"], "never-issued"):
        assert (await client.post("/v1/auth/logout", json={"refresh_token": token})).status_code == 204


async def test_me_describes_a_logged_in_operator(client, create_operator):
    operator = await create_operator()
    tokens = (await login(client)).json()
    response = await client.get("/v1/auth/me", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert response.json() == {
        "kind": "operator",
        "id": str(operator.id),
        "email": EMAIL,
        "customer_id": None,
        "role": None,
        "store_ids": [],
        "permissions": [
            "orders:manage",
            "orders:read",
            "producer:manage",
            "products:manage",
            "products:read",
            "stores:connect",
            "stores:manage",
            "stores:read",
            "users:read",
        ],
        "api_key_id": None,
        "api_key_name": None,
    }


async def test_me_describes_an_api_key_by_id_and_name(client, operator):
    created = (await client.post("/v1/api-keys", json={"name": "ERP"}, headers=operator)).json()
    response = await client.get("/v1/auth/me", headers=bearer(created["key"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["kind"], body["id"], body["email"]) == ("operator", created["id"], None)
    assert (body["api_key_id"], body["api_key_name"]) == (created["id"], "ERP")


async def test_me_describes_a_customer_user(client, customer_user):
    response = await client.get("/v1/auth/me", headers=customer_user)
    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["role"]) == ("customer_user", "admin")
    assert body["customer_id"] is not None
    assert "users:manage" in body["permissions"] and "producer:manage" not in body["permissions"]


@pytest.mark.parametrize("token", [None, "not.a.jwt", "pbk_unknown-key"])
async def test_me_without_valid_credentials_is_401(client, token):
    headers = bearer(token) if token else {}
    response = await client.get("/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_an_access_token_is_refused_as_expired_once_its_lifetime_has_passed(
    client, app, create_operator
):
    await create_operator()
    issuer = app.state.token_issuer
    fresh = (await login(client)).json()["access_token"]
    lifetime_ago = utcnow() - issuer.access_ttl
    app.state.token_issuer = dataclasses.replace(issuer, clock=lambda: lifetime_ago - dt.timedelta(seconds=1))
    expired = (await login(client)).json()["access_token"]

    assert (await client.get("/v1/auth/me", headers=bearer(fresh))).status_code == 200
    response = await client.get("/v1/auth/me", headers=bearer(expired))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_jwks_publishes_the_public_signing_key_without_authentication(client, create_operator):
    await create_operator()
    tokens = (await login(client)).json()
    response = await client.get("/v1/auth/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519" and keys[0]["alg"] == "EdDSA"
    assert "d" not in keys[0]
    assert keys[0]["kid"] == jwt.get_unverified_header(tokens["access_token"])["kid"]


@pytest.mark.parametrize("app_settings", [{"auth_private_key": CONFIGURED_KEY_PEM}])
async def test_configured_private_key_signs_the_tokens(client, create_operator):
    await create_operator()
    tokens = (await login(client)).json()
    keys = (await client.get("/v1/auth/jwks.json")).json()["keys"]
    assert [k["kid"] for k in keys] == [key_id(CONFIGURED_KEY)]
    public_x = base64.urlsafe_b64decode(keys[0]["x"] + "==")
    assert public_x == CONFIGURED_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    claims = jwt.decode(
        tokens["access_token"], CONFIGURED_KEY.public_key(), algorithms=["EdDSA"], audience=AUDIENCE
    )
    assert claims["kind"] == "operator"


@pytest.mark.parametrize("app_settings", [{"access_token_ttl_seconds": 120}])
async def test_access_token_lifetime_follows_the_setting(client, create_operator):
    await create_operator()
    tokens = (await login(client)).json()
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert tokens["expires_in"] == 120
    assert dt.timedelta(seconds=claims["exp"] - claims["iat"]) == dt.timedelta(minutes=2)
