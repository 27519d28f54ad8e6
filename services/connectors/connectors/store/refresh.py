"""Single-flight refresh of a store's rotating OAuth tokens (decision 0012).

A refresh token that the platform rotates on each use (Etsy, Shopify's expiring tokens) may be spent
once: two workers that refresh the same store at once — two coroutines, or the reconcile poll in one
connectors process and a webhook's fetch in another — would leave one of them with a refused token and
the store wrongly in `auth_error`. So a worker first takes a lease on the store's current credentials
version in a short transaction (a compare-and-set on the `stores` row, which PostgreSQL and SQLite both
decide atomically), calls the token endpoint only if it won, and stores the new credentials (version + 1)
before anyone uses them. A worker that lost waits for the new version and takes those credentials
instead of spending the used refresh token; a lease whose holder died expires after `LEASE`."""

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, cast

import structlog
from sqlalchemy import CursorResult, or_, select, update

from connectors.credentials import CredentialBox
from connectors.models import Store
from connectors.platforms.base import PlatformUnavailable
from printbridge_shared.db import Database, utcnow
from printbridge_shared.events.contracts import StoreStatus

log = structlog.get_logger(__name__)

Credentials = dict[str, Any]
Refresh = Callable[[Credentials], Awaitable[Credentials]]

# Longer than a token call may take: three attempts of the guarded client's 15 s timeout, with waits.
LEASE = dt.timedelta(seconds=120)
WAIT_S = 150.0
POLL_S = 0.1

_stores = Store.__table__.c


def _changed(stored: Credentials, used: Credentials) -> bool:
    """The stored credentials are not the ones the caller used: someone refreshed (or reconnected)."""
    return any(stored.get(key) != used.get(key) for key in ("access_token", "refresh_token"))


class SingleFlight:
    """Refreshes one store's credentials so that one refresh per credentials version reaches the
    platform, whatever number of workers ask at once."""

    def __init__(
        self,
        db: Database,
        box: CredentialBox,
        store_id: uuid.UUID,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.box = box
        self.store_id = store_id
        self.sleep = sleep
        self.clock = clock

    async def __call__(self, used: Credentials, refresh: Refresh) -> Credentials:
        """New credentials for a caller whose credentials `used` expired or were refused: those another
        worker stored meanwhile, else what `refresh` (called with the stored credentials) returns,
        stored before they are returned. `refresh`'s errors (a refused refresh token) pass through."""
        holder = uuid.uuid4().hex
        deadline = self.clock() + WAIT_S
        while True:
            outcome = await self._take_lease(used, holder)
            if isinstance(outcome, dict):
                return outcome
            if outcome is not None:
                version, current = outcome
                break
            if self.clock() > deadline:
                raise PlatformUnavailable("another worker is still refreshing this store's access token")
            await self.sleep(POLL_S)
        try:
            fresh = await refresh(current)
        except BaseException:
            await self._release(holder)
            raise
        await self._store(fresh, version)
        return fresh

    async def _take_lease(
        self, used: Credentials, holder: str
    ) -> Credentials | tuple[int, Credentials] | None:
        """Newer stored credentials (use them), the lease on the current version (refresh), or None
        (another worker holds the lease: wait)."""
        async with self.db.session() as session:
            row = (
                await session.execute(
                    select(_stores.credentials, _stores.credentials_version, _stores.status).where(
                        _stores.id == self.store_id
                    )
                )
            ).one_or_none()
            if row is None or row.credentials is None or row.status == StoreStatus.disconnected:
                return 0, used  # nothing to coordinate with: the caller refreshes what it has
            stored = self.box.open(row.credentials)
            if _changed(stored, used):
                return stored
            now = utcnow()
            claimed = await session.execute(
                update(Store)
                .where(
                    Store.id == self.store_id,
                    Store.credentials_version == row.credentials_version,
                    or_(Store.refresh_lease_until.is_(None), Store.refresh_lease_until < now),
                )
                .values(refresh_lease_holder=holder, refresh_lease_until=now + LEASE)
            )
            if cast(CursorResult[Any], claimed).rowcount != 1:
                return None
            return int(row.credentials_version), stored

    async def _release(self, holder: str) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(Store)
                .where(Store.id == self.store_id, Store.refresh_lease_holder == holder)
                .values(refresh_lease_holder=None, refresh_lease_until=None)
            )

    async def _store(self, fresh: Credentials, version: int) -> None:
        """The new credentials are kept whatever happened to the lease meanwhile: the rotated refresh
        token is the only one that still works."""
        async with self.db.session() as session:
            await session.execute(
                update(Store)
                .where(Store.id == self.store_id, Store.status != StoreStatus.disconnected)
                .values(
                    credentials=self.box.seal(fresh),
                    credentials_version=Store.credentials_version + 1,
                    refresh_lease_holder=None,
                    refresh_lease_until=None,
                )
            )
        log.info("credentials_refreshed", store_id=str(self.store_id), version=version + 1)
