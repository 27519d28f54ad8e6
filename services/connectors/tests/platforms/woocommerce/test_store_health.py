"""A connected WooCommerce store's upkeep against the sandbox: webhooks WooCommerce disabled are set
active again, a revoked key shows as `auth_error` with its fix, a disconnect removes our webhooks and
ends the calls."""

import ssl

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from connectors.models import jobs
from connectors.store.jobs import RECONCILE_ALL
from printbridge_sandbox.woocommerce.tls import TlsFiles
from printbridge_shared import jobs as job_queue
from printbridge_shared.testing import eventually

from .conftest import Sandbox, outbox_events, store_row

pytestmark = pytest.mark.postgres_only


async def jobs_done(app: FastAPI) -> bool:
    async with app.state.db.session() as session:
        return await session.scalar(select(func.count()).select_from(jobs.jobs)) == 0


async def run_job(app: FastAPI, kind: str) -> None:
    async with app.state.db.session() as session:
        await job_queue.enqueue(session, jobs, kind)
    await eventually(lambda: jobs_done(app))


async def ours(sandbox: Sandbox, slug: str, store_id: str) -> list[dict]:
    site = await sandbox.site(slug)
    return [w for w in site["webhooks"] if w["delivery_url"].endswith(store_id)]


async def test_a_webhook_woocommerce_disabled_is_set_active_by_the_reconcile(
    app: FastAPI,
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    connected,
    operator_headers,
    tls_files: TlsFiles,
) -> None:
    store = await connected(scheme="https")
    created = next(
        w for w in await ours(sandbox, store.shop.slug, store.store_id) if w["topic"] == "order.created"
    )
    merchant = httpx.AsyncClient(
        verify=ssl.create_default_context(cafile=str(tls_files.ca_cert)),
        auth=(store.shop.consumer_key, store.shop.consumer_secret),
    )
    async with merchant:
        disabled = await merchant.put(
            f"{store.shop.url}/wp-json/wc/v3/webhooks/{created['id']}", json={"status": "disabled"}
        )
    assert disabled.status_code == 200, disabled.text
    order = await sandbox.place_order(store.shop.slug)
    await sandbox.drained(store.shop.slug)
    assert await outbox_events(app, "shop_order.received") == []  # nothing delivered: disabled

    answer = await client.post(f"/v1/stores/{store.store_id}/reconcile", headers=operator_headers)
    assert answer.status_code == 202
    await eventually(lambda: jobs_done(app))

    webhooks = await ours(sandbox, store.shop.slug, store.store_id)
    assert [w["status"] for w in webhooks if w["id"] == created["id"]] == ["active"]
    assert len(webhooks) == 6
    received = await outbox_events(app, "shop_order.received")
    assert [e["external_id"] for e in received] == [str(order["id"])]  # the poll found it


async def test_a_webhook_deleted_in_the_shop_is_created_again_by_the_reconcile(
    app: FastAPI,
    client: httpx.AsyncClient,
    sandbox: Sandbox,
    connected,
    operator_headers,
    tls_files: TlsFiles,
) -> None:
    store = await connected(scheme="https")
    before = await ours(sandbox, store.shop.slug, store.store_id)
    merchant = httpx.AsyncClient(
        verify=ssl.create_default_context(cafile=str(tls_files.ca_cert)),
        auth=(store.shop.consumer_key, store.shop.consumer_secret),
    )
    async with merchant:
        for webhook in before[:2]:
            deleted = await merchant.delete(
                f"{store.shop.url}/wp-json/wc/v3/webhooks/{webhook['id']}", params={"force": "true"}
            )
            assert deleted.status_code == 200, deleted.text

    await client.post(f"/v1/stores/{store.store_id}/reconcile", headers=operator_headers)
    await eventually(lambda: jobs_done(app))

    after = await ours(sandbox, store.shop.slug, store.store_id)
    assert sorted(w["topic"] for w in after) == sorted(w["topic"] for w in before)
    assert {w["secret"] for w in after} == {before[0]["secret"]}
    order = await sandbox.place_order(store.shop.slug)
    await sandbox.drained(store.shop.slug)
    assert [e["external_id"] for e in await outbox_events(app, "shop_order.received")] == [str(order["id"])]


async def test_a_revoked_key_shows_auth_error_with_its_fix_and_the_store_is_no_longer_polled(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, connected, operator_headers
) -> None:
    store = await connected(scheme="http")
    revoked = await sandbox.control.delete(f"/sites/{store.shop.slug}/keys/{store.shop.key_id}")
    assert revoked.status_code == 204

    await client.post(f"/v1/stores/{store.store_id}/reconcile", headers=operator_headers)
    await eventually(lambda: jobs_done(app))

    detail = (await client.get(f"/v1/stores/{store.store_id}", headers=operator_headers)).json()
    assert detail["status"] == "auth_error"
    (problem,) = detail["problems"]
    assert problem["code"] == "key_revoked" and "new key" in problem["fix"]
    assert [e["status"] for e in await outbox_events(app, "store.updated")] == ["auth_error"]
    calls = len(await sandbox.calls(store.shop.slug))
    await run_job(app, RECONCILE_ALL)
    assert len(await sandbox.calls(store.shop.slug)) == calls


async def test_disconnecting_removes_our_webhooks_in_the_shop_and_no_calls_follow(
    app: FastAPI, client: httpx.AsyncClient, sandbox: Sandbox, connected, operator_headers
) -> None:
    store = await connected(scheme="https")
    answer = await client.delete(f"/v1/stores/{store.store_id}", headers=operator_headers)
    assert answer.status_code == 204
    await eventually(lambda: jobs_done(app))

    assert await ours(sandbox, store.shop.slug, store.store_id) == []
    assert (await store_row(app, store.store_id)).credentials is None
    calls = len(await sandbox.calls(store.shop.slug))
    await sandbox.place_order(store.shop.slug)
    sent = await sandbox.drained(store.shop.slug)
    await run_job(app, RECONCILE_ALL)
    assert len(await sandbox.calls(store.shop.slug)) == calls
    assert [d for d in sent if d["kind"] == "event"] == []
    assert await outbox_events(app, "shop_order.received") == []
