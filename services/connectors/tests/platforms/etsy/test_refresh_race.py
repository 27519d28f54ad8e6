"""Exactly one refresh wins a race (decision 0012): two workers of one process, or of two processes (two
database engines), refresh the same store's rotating Etsy token at once; Etsy refuses a used refresh
token, yet both end with a working token, Etsy is asked once, and the store never shows auth_error."""

import asyncio
import datetime as dt
import uuid

import httpx
import pytest
from sqlalchemy import update

from connectors.models import Store
from connectors.platforms.base import PlatformContext, PlatformProblem
from connectors.platforms.etsy.client import EtsyClient
from connectors.store.refresh import SingleFlight
from printbridge_shared.db import Database, utcnow
from printbridge_shared.testing import eventually

from .conftest import SHOP_ID, USER_ID, FakeEtsy

RECEIPTS = f"/v3/application/shops/{SHOP_ID}/receipts"


class Race:
    """Holds Etsy's answer to the first refresh until the other worker has found the lease taken and
    waits: the two refreshes overlap for certain, without a real sleep."""

    def __init__(self, etsy: FakeEtsy) -> None:
        self.etsy = etsy
        self.someone_waits = asyncio.Event()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/public/oauth/token":
            await asyncio.wait_for(self.someone_waits.wait(), timeout=10)
        return self.etsy(request)

    async def sleep(self, _seconds: float) -> None:
        self.someone_waits.set()
        await asyncio.sleep(0)


def worker(app, race: Race, db: Database, store_id: uuid.UUID, credentials: dict) -> EtsyClient:
    platforms = app.state.platforms
    context = PlatformContext(
        settings=platforms.settings,
        http=httpx.AsyncClient(transport=httpx.MockTransport(race)),
        single_flight=SingleFlight(db, platforms.box, store_id, sleep=race.sleep),
    )
    return EtsyClient(context, credentials)


@pytest.mark.parametrize("processes", [1, 2], ids=["one-process", "two-processes"])
async def test_two_workers_refreshing_at_once_spend_the_refresh_token_once(
    client, app, etsy, connected_store, store_row, processes
):
    store = await connected_store(expires_in=60)
    credentials = app.state.platforms.box.open(store.credentials)
    race = Race(etsy)
    other_db = app.state.db if processes == 1 else Database(app.state.db.url)
    try:
        first = worker(app, race, app.state.db, store.id, credentials)
        second = worker(app, race, other_db, store.id, credentials)
        await asyncio.gather(first.get(RECEIPTS), second.get(RECEIPTS))
    finally:
        if other_db is not app.state.db:
            await other_db.engine.dispose()

    assert [c["grant_type"] for c in etsy.token_calls] == ["refresh_token"]
    assert first.credentials["access_token"] == second.credentials["access_token"] == f"{USER_ID}.at-2"
    # (The app's own first poll may join the race: it too takes the winner's token.)
    assert len(etsy.requests) >= 2
    assert {r.headers["authorization"] for r in etsy.requests} == {f"Bearer {USER_ID}.at-2"}
    row = await store_row(store.id)
    kept = app.state.platforms.box.open(row.credentials)
    assert (kept["access_token"], kept["refresh_token"]) == (f"{USER_ID}.at-2", "rt-2")
    assert row.credentials_version == store.credentials_version + 1
    assert row.refresh_lease_holder is None
    assert row.status == "connected"


async def test_a_worker_that_fails_to_refresh_releases_the_lease(
    client, app, etsy, connected_store, store_row
):
    store = await connected_store(expires_in=60)
    etsy.revoked = True
    race = Race(etsy)
    race.someone_waits.set()
    lone = worker(app, race, app.state.db, store.id, app.state.platforms.box.open(store.credentials))
    with pytest.raises(PlatformProblem):
        await lone.get(RECEIPTS)
    row = await store_row(store.id)
    assert (row.refresh_lease_holder, row.refresh_lease_until) == (None, None)


async def test_a_revoked_refresh_token_puts_the_store_in_auth_error_with_a_reconnect_fix(
    client, app, etsy, connected_store, operator
):
    store = await connected_store(expires_in=60)
    etsy.revoked = True
    response = await client.post(f"/v1/stores/{store.id}/reconcile", headers=operator)
    assert response.status_code == 202, response.text

    async def refused() -> bool:
        body = (await client.get(f"/v1/stores/{store.id}", headers=operator)).json()
        return body["status"] == "auth_error"

    await eventually(refused)
    body = (await client.get(f"/v1/stores/{store.id}", headers=operator)).json()
    (problem,) = body["problems"]
    assert problem["code"] == "token_revoked"
    assert "refresh_token is revoked" in problem["message"]
    assert "POST /v1/stores/{id}/reconnect" in problem["fix"]


async def test_a_lease_whose_holder_died_is_taken_over(client, app, etsy, connected_store, store_row):
    store = await connected_store(expires_in=60)
    async with app.state.db.session() as session:
        await session.execute(
            update(Store)
            .where(Store.id == store.id)
            .values(
                refresh_lease_holder="dead-worker", refresh_lease_until=utcnow() - dt.timedelta(seconds=1)
            )
        )
    race = Race(etsy)
    race.someone_waits.set()
    survivor = worker(app, race, app.state.db, store.id, app.state.platforms.box.open(store.credentials))
    await survivor.get(RECEIPTS)
    assert survivor.credentials["refresh_token"] == "rt-2"
    assert (await store_row(store.id)).refresh_lease_holder is None
