"""A store's health when two of its jobs judge it at once: the second waits for the first's commit and
finds its change, instead of repeating it (one `store.updated` per change, whatever finishes first)."""

import asyncio
import uuid

import pytest
from sqlalchemy import func, select

from connectors.models import Store, messaging
from connectors.platforms.base import PlatformProblem
from connectors.store import service as stores
from printbridge_shared.events.contracts import StoreStatus
from printbridge_shared.testing import a_lock_is_awaited, eventually

REVOKED = PlatformProblem(StoreStatus.auth_error, "key_revoked", "The key was revoked.", "Enter a new key.")


@pytest.mark.postgres_only
async def test_two_jobs_meeting_the_same_revoked_key_at_once_report_it_once(app, make_store) -> None:
    store = await make_store(uuid.uuid4())
    db, outbox = app.state.db, app.state.outbox
    first_reported, second_started = asyncio.Event(), asyncio.Event()

    async def report(after: asyncio.Event | None = None) -> None:
        if after is not None:
            await after.wait()
            second_started.set()
        async with db.session() as session:
            found = await session.get(Store, store.id)  # read before the other's commit: still connected
            assert found is not None
            await stores.report_problem(session, outbox, found, REVOKED)
            if after is None:
                first_reported.set()
                await second_started.wait()
                await eventually(lambda: a_lock_is_awaited(db))  # the second job waits for this one

    await asyncio.gather(report(), report(after=first_reported))

    async with db.session() as session:
        saved = await session.scalar(select(Store).where(Store.id == store.id))
    assert saved is not None and saved.status == StoreStatus.auth_error
    assert [p["code"] for p in saved.problems] == ["key_revoked"]
    async with db.session() as session:
        updates = await session.scalar(
            select(func.count()).where(messaging.outbox.c.event_type == "store.updated")
        )
    assert updates == 1
