"""`printbridge secrets rotate`: every stored credential sealed again with the first key, so the older
keys can then be dropped. Without PRINTBRIDGE_SECRET_KEYS a new key is first added to the key file."""

from sqlalchemy import select

from connectors.config import Settings
from connectors.credentials import CredentialBox, add_key_to_file, load_keys
from connectors.models import ConnectAttempt, Store
from printbridge_shared.db import Database


async def rotate(settings: Settings) -> int:
    """Returns how many sealed values were re-encrypted (all in one transaction: all or none)."""
    configured = settings.secret_keys.get_secret_value() if settings.secret_keys else None
    if not (configured and configured.strip()):
        add_key_to_file(settings.data_dir)
    box = CredentialBox(load_keys(configured, settings.data_dir))
    db = Database(settings.resolved_database_url())
    resealed = 0
    try:
        async with db.session() as session:
            for store in (await session.scalars(select(Store).where(Store.credentials.is_not(None)))).all():
                assert store.credentials is not None
                store.credentials = box.reseal(store.credentials)
                resealed += 1
            attempts = select(ConnectAttempt).where(ConnectAttempt.secret.is_not(None))
            for attempt in (await session.scalars(attempts)).all():
                assert attempt.secret is not None
                attempt.secret = box.reseal(attempt.secret)
                resealed += 1
    finally:
        await db.dispose()
    return resealed
