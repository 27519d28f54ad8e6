"""`printbridge secrets rotate`, for orders: every postback endpoint's sealed secrets sealed again with the
first key, so the older keys can then be dropped."""

from sqlalchemy import select

from orders.config import Settings
from orders.models import PostbackEndpoint
from orders.postbacks.secrets import SecretBox
from printbridge_shared.db import Database


async def reseal_secrets(settings: Settings) -> int:
    """Returns how many sealed secrets were re-encrypted (all in one transaction: all or none)."""
    box = SecretBox(settings)
    db = Database(settings.resolved_database_url())
    resealed = 0
    try:
        async with db.session() as session:
            for endpoint in (await session.scalars(select(PostbackEndpoint))).all():
                endpoint.secret_sealed = box.reseal(endpoint.secret_sealed)
                resealed += 1
                if endpoint.previous_secret_sealed is not None:
                    endpoint.previous_secret_sealed = box.reseal(endpoint.previous_secret_sealed)
                    resealed += 1
    finally:
        await db.dispose()
    return resealed
