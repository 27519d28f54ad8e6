"""`printbridge secrets rotate`: every stored shop credential is sealed again with the first key, so the
old key can be dropped; without PRINTBRIDGE_SECRET_KEYS a new key is added to the key file first."""

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import select
from typer.testing import CliRunner

from connectors.credentials import CredentialBox, load_keys
from connectors.models import Store
from orders.models import PostbackEndpoint
from printbridge.cli import app
from printbridge.services import migrations_dir
from printbridge_shared.db import Database, utcnow
from printbridge_shared.migrations import upgrade

runner = CliRunner()


def a_store_sealed_with(url: str, box: CredentialBox) -> uuid.UUID:
    async def run() -> uuid.UUID:
        await upgrade(migrations_dir("connectors"), url)
        db = Database(url)
        now = utcnow()
        store = Store(
            id=uuid.uuid4(),
            customer_id=uuid.uuid4(),
            platform="shopify",
            name="S",
            name_key="s",
            shop_key="s.myshopify.com",
            status="connected",
            problems=[],
            credentials=box.seal({"access_token": "shpat_1"}),
            created_at=now,
            updated_at=now,
        )
        async with db.session() as session:
            session.add(store)
        await db.dispose()
        return store.id

    return asyncio.run(run())


def sealed_credentials(url: str) -> bytes:
    async def run() -> bytes:
        db = Database(url)
        async with db.session() as session:
            value = await session.scalar(select(Store.credentials))
        await db.dispose()
        assert value is not None
        return value

    return asyncio.run(run())


def test_rotating_with_the_key_file_adds_a_key_and_reseals_with_it(
    tmp_path: Path, command_env: Callable[..., dict[str, str]]
) -> None:
    env = command_env(PRINTBRIDGE_MODE="embedded")
    data_dir = Path(env["PRINTBRIDGE_DATA_DIR"])
    url = f"sqlite+aiosqlite:///{data_dir / 'connectors.db'}"
    data_dir.mkdir(parents=True)
    old = load_keys(None, data_dir)
    a_store_sealed_with(url, CredentialBox(old))

    result = runner.invoke(app, ["secrets", "rotate"], env=env)

    assert result.exit_code == 0, result.output
    assert "1 credentials re-encrypted" in result.output
    keys = load_keys(None, data_dir)
    assert len(keys) == 2 and keys[1:] == old
    assert CredentialBox(keys[:1]).open(sealed_credentials(url)) == {"access_token": "shpat_1"}


def test_rotating_with_the_setting_reseals_with_its_first_key(
    tmp_path: Path, command_env: Callable[..., dict[str, str]]
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    env = command_env(PRINTBRIDGE_MODE="embedded", PRINTBRIDGE_SECRET_KEYS=f"{new},{old}")
    data_dir = Path(env["PRINTBRIDGE_DATA_DIR"])
    url = f"sqlite+aiosqlite:///{data_dir / 'connectors.db'}"
    data_dir.mkdir(parents=True)
    a_store_sealed_with(url, CredentialBox([old]))

    result = runner.invoke(app, ["secrets", "rotate"], env=env)

    assert result.exit_code == 0, result.output
    assert CredentialBox([new]).open(sealed_credentials(url)) == {"access_token": "shpat_1"}
    assert not (data_dir / "secret_keys").exists()


def test_a_key_that_opens_nothing_is_refused_and_changes_nothing(
    tmp_path: Path, command_env: Callable[..., dict[str, str]]
) -> None:
    old = Fernet.generate_key().decode()
    env = command_env(PRINTBRIDGE_MODE="embedded", PRINTBRIDGE_SECRET_KEYS=Fernet.generate_key().decode())
    data_dir = Path(env["PRINTBRIDGE_DATA_DIR"])
    url = f"sqlite+aiosqlite:///{data_dir / 'connectors.db'}"
    data_dir.mkdir(parents=True)
    a_store_sealed_with(url, CredentialBox([old]))
    before = sealed_credentials(url)

    result = runner.invoke(app, ["secrets", "rotate"], env=env)

    assert result.exit_code == 1
    assert "PRINTBRIDGE_SECRET_KEYS" in result.output or "any configured key" in result.output
    assert sealed_credentials(url) == before


def an_endpoint_sealed_with(url: str, key: str) -> bytes:
    """A postback endpoint in orders' database whose secret is sealed with `key`; returns the secret."""

    async def run() -> None:
        await upgrade(migrations_dir("orders"), url)
        db = Database(url)
        now = utcnow()
        async with db.session() as session:
            session.add(
                PostbackEndpoint(
                    id=uuid.uuid4(),
                    url="https://mis.example/hook",
                    enabled=True,
                    secret_sealed=Fernet(key.encode()).encrypt(b"whsec_c2VjcmV0"),
                    consecutive_failures=0,
                    created_at=now,
                    updated_at=now,
                )
            )
        await db.dispose()

    asyncio.run(run())
    return b"whsec_c2VjcmV0"


def sealed_postback_secret(url: str) -> bytes:
    async def run() -> bytes:
        db = Database(url)
        async with db.session() as session:
            value = await session.scalar(select(PostbackEndpoint.secret_sealed))
        await db.dispose()
        assert value is not None
        return value

    return asyncio.run(run())


def test_postback_endpoint_secrets_are_resealed_with_the_first_key_too(
    tmp_path: Path, command_env: Callable[..., dict[str, str]]
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    env = command_env(PRINTBRIDGE_MODE="embedded", PRINTBRIDGE_SECRET_KEYS=f"{new},{old}")
    data_dir = Path(env["PRINTBRIDGE_DATA_DIR"])
    data_dir.mkdir(parents=True)
    a_store_sealed_with(f"sqlite+aiosqlite:///{data_dir / 'connectors.db'}", CredentialBox([old]))
    orders_url = f"sqlite+aiosqlite:///{data_dir / 'orders.db'}"
    secret = an_endpoint_sealed_with(orders_url, old)

    result = runner.invoke(app, ["secrets", "rotate"], env=env)

    assert result.exit_code == 0, result.output
    assert "orders: 1 postback secrets re-encrypted" in result.output
    assert Fernet(new.encode()).decrypt(sealed_postback_secret(orders_url)) == secret
