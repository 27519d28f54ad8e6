"""Fixtures of storefront-auth's tests. The tests folder is deliberately not a package: with pytest's
importlib mode that keeps this conftest's module name unique when every service's tests run together.
Helpers are therefore fixtures, not an importable module."""

import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import update

from printbridge_shared.app import Runtime
from printbridge_shared.db import utcnow
from printbridge_shared.events.bus import InProcessBus
from printbridge_shared.testing import AuthKeys, MailInbox, bearer, free_port, smtp_server
from storefront_auth.config import Settings
from storefront_auth.credentials import passwords
from storefront_auth.credentials.passwords import hash_password
from storefront_auth.main import create_app
from storefront_auth.models import (
    CustomerAccess,
    CustomerProjection,
    CustomerUser,
    Operator,
    RefreshToken,
)
from storefront_auth.operator import service as operator_service

OPERATOR_EMAIL = "staff@printshop.example"
OPERATOR_PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Argon2id at its lowest cost: the production parameters take most of a second of both cores per
    hash on a small machine, and these tests hash hundreds of passwords. A test of the parameters
    themselves is marked `production_password_hashing`."""
    if request.node.get_closest_marker("production_password_hashing") is None:
        cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        monkeypatch.setattr(passwords, "_hasher", cheap)
    passwords._dummy_hash.cache_clear()
    yield
    passwords._dummy_hash.cache_clear()


def self_client(app: FastAPI) -> httpx.AsyncClient:
    """What the service's own TokenVerifier talks to: the service itself, so the real JWKS and the real
    introspection answer (ASGITransport skips the lifespan, which `running` has already run)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://storefront-auth")


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Extra settings for the app; a test sets them with `@pytest.mark.parametrize("app_settings", [...])`."""
    return {}


@pytest.fixture
def app(database_url: str, bus: InProcessBus, app_settings: dict[str, Any]) -> FastAPI:
    app = create_app(
        Settings(database_url=database_url, log_json=False, **app_settings),
        Runtime(bus=bus, auth_http=httpx.AsyncClient()),
    )
    app.state.verifier.http = self_client(app)
    return app


@pytest.fixture
def smtp() -> Iterator[tuple[MailInbox, int]]:
    port = free_port()
    with smtp_server(port) as inbox:
        yield inbox, port


@pytest.fixture
def mail_settings(request: pytest.FixtureRequest, smtp: tuple[MailInbox, int]) -> dict[str, Any]:
    """Settings that send e-mail to the `smtp` server, quickly retried; links start with
    https://printbridge.example/. A test marked `smtp_down` gets a port where nothing listens instead."""
    down = request.node.get_closest_marker("smtp_down") is not None
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": free_port() if down else smtp[1],
        "smtp_timeout_seconds": 1.0,
        "smtp_starttls": False,
        "public_url": "https://printbridge.example/",
        "producer_name": "Druckerei Nord",
        "invitation_retry_seconds": 0.05,
        "invitation_send_attempts": 2,
    }


CreateOperator = Callable[..., Awaitable[Operator]]


@pytest.fixture
def create_operator(app: FastAPI, client: httpx.AsyncClient) -> CreateOperator:
    """`await create_operator(email=..., password=...)`: the way the CLI creates operators."""

    async def create(email: str = OPERATOR_EMAIL, password: str = OPERATOR_PASSWORD) -> Operator:
        async with app.state.db.session() as session:
            operator = await operator_service.create_operator(session, email=email, password=password)
        return operator

    return create


LogIn = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def log_in(client: httpx.AsyncClient) -> LogIn:
    """`await log_in(email, password)`: the token pair of a successful login."""

    async def log_in(email: str = OPERATOR_EMAIL, password: str = OPERATOR_PASSWORD) -> dict[str, Any]:
        response = await client.post("/v1/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        tokens: dict[str, Any] = response.json()
        return tokens

    return log_in


@pytest.fixture
async def operator(create_operator: CreateOperator, log_in: LogIn) -> dict[str, str]:
    """Headers of a logged-in operator."""
    await create_operator()
    return bearer((await log_in())["access_token"])


@pytest.fixture
async def customer_user(app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
    """Headers of a customer user, signed with the service's own key as their logins will be."""
    key = await app.state.keys.signing_key()
    return bearer(AuthKeys(kid=key.kid, private_key=key.private_key).customer_user_token())


USER_PASSWORD = "a long and unusual passphrase"

CreateUser = Callable[..., Awaitable[CustomerUser]]


@pytest.fixture
def create_user(app: FastAPI, client: httpx.AsyncClient) -> CreateUser:
    """`await create_user(customer_id, email, role=..., store_ids=[...])`: an active Storefronts user
    (password USER_PASSWORD) of a customer whose access is on, as if the invitation had been accepted."""

    async def create(
        customer_id: uuid.UUID,
        email: str,
        *,
        role: str = "admin",
        store_ids: list[uuid.UUID] | None = None,
        active: bool = True,
    ) -> CustomerUser:
        now = utcnow()
        async with app.state.db.session() as session:
            if await session.get(CustomerAccess, customer_id) is None:
                session.add(CustomerAccess(customer_id=customer_id, enabled=True, changed_at=now))
                session.add(
                    CustomerProjection(
                        customer_id=customer_id,
                        name=f"Brand {str(customer_id)[:4]}",
                        reference_id=None,
                        archived=False,
                        source_updated_at=now,
                    )
                )
            user = CustomerUser(
                id=uuid.uuid4(),
                customer_id=customer_id,
                email=email,
                first_name=email.split("@")[0].title(),
                last_name="Tester",
                role=role,
                store_ids=[str(s) for s in store_ids or []],
                password_hash=await hash_password(USER_PASSWORD) if active else None,
                created_at=now,
                activated_at=now if active else None,
            )
            session.add(user)
        return user

    return create


@pytest.fixture
def expire_refresh_tokens(app: FastAPI) -> Callable[[], Awaitable[None]]:
    async def expire() -> None:
        async with app.state.db.session() as session:
            await session.execute(update(RefreshToken).values(expires_at=utcnow()))

    return expire


@pytest.fixture
def disable_operator(app: FastAPI) -> Callable[[str], Awaitable[None]]:
    async def disable(email: str) -> None:
        async with app.state.db.session() as session:
            statement = update(Operator).where(Operator.email == email).values(disabled_at=utcnow())
            await session.execute(statement)

    return disable
