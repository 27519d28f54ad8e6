"""The platforms' shared equipment for one service instance: settings, the credential box and one
guarded HTTP client (connections to a shop are reused across calls)."""

import uuid
from typing import Any

from connectors.config import Settings
from connectors.credentials import CredentialBox, load_keys
from connectors.platforms.base import PlatformContext
from connectors.store.refresh import SingleFlight
from connectors.store.service import save_credentials
from printbridge_shared.db import Database
from printbridge_shared.outbound import guarded_client

PLATFORM_RESPONSE_MAX_BYTES = 32 * 1024 * 1024
"""The most a shop's API may answer to one call (a page of orders or products is some hundred kB): a shop
whose address a user gave cannot make connectors hold more."""


class Platforms:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        keys = settings.secret_keys.get_secret_value() if settings.secret_keys else None
        self.box = CredentialBox(load_keys(keys, settings.data_dir))
        self.http = guarded_client(
            allow_private=settings.allow_private_urls, max_response_bytes=PLATFORM_RESPONSE_MAX_BYTES
        )

    def context(self, db: Database | None = None, store_id: uuid.UUID | None = None) -> PlatformContext:
        """For calls on behalf of `store_id` (with its service's `db`): changed credentials are stored at
        once, in their own transaction (a rotated refresh token must survive whatever happens next)."""
        if db is None or store_id is None:
            return PlatformContext(settings=self.settings, http=self.http)

        async def save(credentials: dict[str, Any]) -> None:
            async with db.session() as session:
                await save_credentials(session, self.box, store_id, credentials)

        return PlatformContext(
            settings=self.settings,
            http=self.http,
            save_credentials=save,
            single_flight=SingleFlight(db, self.box, store_id),
        )

    async def close(self) -> None:
        await self.http.aclose()
