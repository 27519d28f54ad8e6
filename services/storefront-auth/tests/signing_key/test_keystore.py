import asyncio

from sqlalchemy import func, select

from printbridge_shared.db import Database
from storefront_auth.models import SigningKey
from storefront_auth.signing_key.keystore import KeyStore, key_id


async def count_keys(db: Database) -> int:
    async with db.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(SigningKey)) or 0


async def test_first_use_creates_a_key_that_a_restarted_service_keeps_using(app, client):
    first = await KeyStore(app.state.db).signing_key()
    after_restart = await KeyStore(app.state.db).signing_key()
    assert first.kid == after_restart.kid == key_id(first.private_key)
    assert await count_keys(app.state.db) == 1


async def test_replicas_starting_together_agree_on_one_key(app, client):
    replicas = [Database(app.state.db.url) for _ in range(4)]
    try:
        keys = await asyncio.gather(*(KeyStore(db).signing_key() for db in replicas))
    finally:
        for db in replicas:
            await db.dispose()
    assert len({key.kid for key in keys}) == 1
    assert await count_keys(app.state.db) == 1


async def test_a_configured_key_is_used_and_nothing_is_stored(app, client):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    configured = Ed25519PrivateKey.generate()
    store = KeyStore(app.state.db, configured=configured)
    assert (await store.signing_key()).kid == key_id(configured)
    assert [k["kid"] for k in (await store.jwks())["keys"]] == [key_id(configured)]
    assert await count_keys(app.state.db) == 0
