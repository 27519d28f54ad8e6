"""Create & publish: mapping asks (`shop_product.publish_requested`) for a product to be created in a
store's shop; a durable job calls the platform and answers `shop_product.published` (the product as the
shop now has it) or `shop_product.publish_failed` (the platform's words, or why it was not tried).

A request id never makes two products. Three things see to it: one open job per request id; the
`shop_product_publications` table, which remembers the product a request made (a request delivered
again is answered from the shop's current copy of that product); and each platform's
`publish_product`, which first looks in the shop for a product made for the request (a handle, slug or
SKU derived from the request id), so an attempt whose answer was lost after the shop created the
product finds it instead of creating another."""

from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.models import ShopProductPublication, Store, jobs
from connectors.platforms.base import (
    PlatformProblem,
    PlatformUnavailable,
    ProductVersion,
    PublishRefused,
    StoreRef,
)
from connectors.platforms.context import Platforms
from connectors.platforms.registry import connector_for
from connectors.products import service as products
from connectors.store import service as stores
from connectors.store.jobs import tracking_context
from printbridge_shared import jobs as job_queue
from printbridge_shared.db import Database, utcnow
from printbridge_shared.events.contracts import (
    ShopProductPublished,
    ShopProductPublishFailed,
    ShopProductPublishRequested,
    StoreStatus,
)
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import Job, JobFailed, JobHandler

log = structlog.get_logger(__name__)

PUBLISH_PRODUCT = "products.publish"


async def publish_requested(session: AsyncSession, data: ShopProductPublishRequested) -> None:
    """Queues the request's job (none when one is open for the request id already)."""
    await job_queue.enqueue(
        session,
        jobs,
        PUBLISH_PRODUCT,
        data.model_dump(mode="json"),
        unique_key=f"{PUBLISH_PRODUCT}:{data.request_id}",
    )


async def answer_failed(
    session: AsyncSession, outbox: Outbox, draft: ShopProductPublishRequested, reason: str
) -> None:
    log.info("product_publish_failed", request_id=str(draft.request_id), reason=reason)
    await outbox.record(
        session,
        ShopProductPublishFailed(
            request_id=draft.request_id,
            store_id=draft.store_id,
            customer_id=draft.customer_id,
            reason=reason,
            failed_at=utcnow(),
        ),
        customer_id=draft.customer_id,
    )


def not_publishable(store: Store | None, draft: ShopProductPublishRequested) -> str | None:
    """Why the request cannot go to the shop at all (no call is made then); None when it can."""
    if store is None or store.customer_id != draft.customer_id:
        return f"There is no store {draft.store_id} for this customer."
    if store.status == StoreStatus.disconnected:
        return "The store is disconnected: connect the shop again, then publish the product again."
    if store.status != StoreStatus.connected or store.credentials is None:
        return (
            f"The store is not connected (its status is {store.status}): fix what GET /v1/stores/"
            f"{store.id} lists, then publish the product again."
        )
    if not connector_for(store.platform).publishes_products:
        return f"Printbridge cannot create products in {store.platform} shops (docs/connectors.md)."
    return None


@dataclass
class Publishing:
    store: StoreRef
    credentials: dict[str, Any]
    draft: ShopProductPublishRequested
    # The product this request made before (it is delivered again): read, not created.
    made_before: str | None = None
    version: ProductVersion | None = None
    refused: str | None = None
    new_credentials: dict[str, Any] | None = None
    problem: PlatformProblem | None = None


class PublishProduct(JobHandler[Publishing]):
    """Creates the requested product in the shop (or finds the one made for the request before) and
    answers the request. A shop that answers 5xx or cannot be reached is tried again,
    `publish_attempts` times in all."""

    def __init__(self, platforms: Platforms, db: Database, outbox: Outbox) -> None:
        self.platforms = platforms
        self.db = db
        self.outbox = outbox
        self.max_attempts = platforms.settings.publish_attempts
        self.retry_base_seconds = platforms.settings.publish_retry_base_s

    async def prepare(self, session: AsyncSession, job: Job) -> Publishing | None:
        draft = ShopProductPublishRequested.model_validate(job.payload)
        store = await session.get(Store, draft.store_id)
        reason = not_publishable(store, draft)
        if reason is not None:
            await answer_failed(session, self.outbox, draft, reason)
            return None
        assert store is not None and store.credentials is not None
        made = await session.get(ShopProductPublication, draft.request_id)
        if made is not None and made.store_id != store.id:
            await answer_failed(
                session, self.outbox, draft, f"The request id {draft.request_id} was used for another store."
            )
            return None
        return Publishing(
            store=stores.ref(store),
            credentials=self.platforms.box.open(store.credentials),
            draft=draft,
            made_before=made.external_id if made is not None else None,
        )

    async def perform(self, job: Job, prepared: Publishing) -> None:
        connector = connector_for(prepared.store.platform)
        context = tracking_context(self.platforms, self.db, prepared)
        try:
            if prepared.made_before is not None:
                prepared.version = await connector.fetch_product(
                    context, prepared.store, prepared.credentials, prepared.made_before
                )
                if prepared.version is None:
                    prepared.refused = (
                        f"The product made for this request ({prepared.made_before}) is no longer in the "
                        "shop: publish the product again with a new request id."
                    )
            else:
                prepared.version = await connector.publish_product(
                    context, prepared.store, prepared.credentials, prepared.draft
                )
        except PublishRefused as refused:
            prepared.refused = str(refused)
        except PlatformProblem as problem:
            if problem.status == StoreStatus.unreachable:
                raise JobFailed(problem.message) from None
            prepared.problem = problem
        except PlatformUnavailable as unavailable:
            raise JobFailed(str(unavailable)) from None

    async def succeeded(self, session: AsyncSession, job: Job, prepared: Publishing) -> None:
        store = await session.get(Store, prepared.store.id)
        live = store is not None and store.status != StoreStatus.disconnected
        if store is not None and live:
            if prepared.new_credentials is not None:
                stores.keep_credentials(store, self.platforms.box, prepared.new_credentials)
            if prepared.problem is not None:
                await stores.report_problem(session, self.outbox, store, prepared.problem)
        draft = prepared.draft
        if prepared.problem is not None:
            reason = f"{prepared.problem.message} {prepared.problem.fix}"
            await answer_failed(session, self.outbox, draft, reason)
            return
        if prepared.refused is not None or prepared.version is None:
            await answer_failed(session, self.outbox, draft, prepared.refused or "The shop made no product.")
            return
        version = prepared.version
        if await session.get(ShopProductPublication, draft.request_id) is None:
            session.add(
                ShopProductPublication(
                    request_id=draft.request_id,
                    store_id=prepared.store.id,
                    external_id=version.external_id,
                    published_at=utcnow(),
                )
            )
        revision = 1
        if live:
            _, revision = await products.accept_product(session, self.outbox, prepared.store, version)
        log.info("product_published", request_id=str(draft.request_id), external_id=version.external_id)
        await self.outbox.record(
            session,
            ShopProductPublished(
                request_id=draft.request_id,
                store_id=draft.store_id,
                customer_id=draft.customer_id,
                product=products.synced_event(prepared.store, version, revision),
            ),
            customer_id=draft.customer_id,
        )

    async def given_up(self, session: AsyncSession, job: Job, reason: str) -> None:
        draft = ShopProductPublishRequested.model_validate(job.payload)
        await answer_failed(
            session,
            self.outbox,
            draft,
            f"The shop could not be reached for {job.attempt} attempts (the last: {reason}).",
        )
