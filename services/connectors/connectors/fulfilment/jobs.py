"""The job that tells a shop an order shipped (`fulfilment.send`, one per request id): every platform call
happens in `perform`, outside any transaction; the answer is recorded in `succeeded` or `given_up`."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connectors.fulfilment import service as fulfilment
from connectors.models import Store
from connectors.platforms.base import (
    Fulfilled,
    FulfilmentRefused,
    PlatformProblem,
    PlatformUnavailable,
    StoreRef,
)
from connectors.platforms.context import Platforms
from connectors.platforms.registry import connector_for
from connectors.store import service as stores
from connectors.store.jobs import tracking_context
from printbridge_shared.db import Database
from printbridge_shared.events.contracts import ShopFulfillmentRequested, StoreStatus
from printbridge_shared.events.outbox import Outbox
from printbridge_shared.jobs import Job, JobFailed, JobHandler


@dataclass
class Sending:
    store: StoreRef
    credentials: dict[str, Any]
    request: ShopFulfillmentRequested
    fulfilled: Fulfilled | None = None
    checked: bool = False
    refused: FulfilmentRefused | None = None
    new_credentials: dict[str, Any] | None = None
    problem: PlatformProblem | None = None


class SendFulfilment(JobHandler[Sending]):
    """Records the shipment in the shop (or finds it there) and answers the request; a test order is
    only checked (`check_fulfilment`), and Printbridge's own test order, which the shop does not have,
    only probes the connection and its write permission (`probe_fulfilment`). A shop that answers 5xx
    or 429 or cannot be reached is tried again, `fulfilment_attempts` times in all; a refusal or a store
    problem is answered at once."""

    retry_max_seconds = 1800.0

    def __init__(self, platforms: Platforms, db: Database, outbox: Outbox) -> None:
        self.platforms = platforms
        self.db = db
        self.outbox = outbox
        self.max_attempts = platforms.settings.fulfilment_attempts
        self.retry_base_seconds = platforms.settings.fulfilment_retry_base_s

    async def prepare(self, session: AsyncSession, job: Job) -> Sending | None:
        request = ShopFulfillmentRequested.model_validate(job.payload)
        store = await session.get(Store, request.store_id)
        refusal = fulfilment.not_sendable(store, request)
        if refusal is not None:
            await fulfilment.answer_failed(session, self.outbox, request, *refusal)
            return None
        assert store is not None and store.credentials is not None
        return Sending(
            store=stores.ref(store), credentials=self.platforms.box.open(store.credentials), request=request
        )

    async def perform(self, job: Job, prepared: Sending) -> None:
        connector = connector_for(prepared.store.platform)
        context = tracking_context(self.platforms, self.db, prepared)
        try:
            if prepared.request.probe:
                await connector.probe_fulfilment(context, prepared.store, prepared.credentials)
                prepared.checked = True
            elif prepared.request.test:
                await connector.check_fulfilment(
                    context, prepared.store, prepared.credentials, prepared.request
                )
                prepared.checked = True
            else:
                prepared.fulfilled = await connector.fulfil_order(
                    context, prepared.store, prepared.credentials, prepared.request
                )
        except FulfilmentRefused as refused:
            prepared.refused = refused
        except PlatformProblem as problem:
            if problem.status == StoreStatus.unreachable:
                raise JobFailed(problem.message) from None
            prepared.problem = problem
        except PlatformUnavailable as unavailable:
            raise JobFailed(str(unavailable)) from None

    async def succeeded(self, session: AsyncSession, job: Job, prepared: Sending) -> None:
        store = await session.get(Store, prepared.store.id)
        if store is not None and store.status != StoreStatus.disconnected:
            if prepared.new_credentials is not None:
                stores.keep_credentials(store, self.platforms.box, prepared.new_credentials)
            if prepared.problem is not None:
                await stores.report_problem(session, self.outbox, store, prepared.problem)
        request = prepared.request
        if prepared.problem is not None:
            problem_fix = prepared.problem.fix.replace("{id}", str(request.store_id))
            fix = f"{problem_fix} Then {fulfilment.again(request)}."
            await fulfilment.answer_failed(session, self.outbox, request, prepared.problem.message, fix)
        elif prepared.refused is not None:
            await fulfilment.answer_failed(
                session, self.outbox, request, prepared.refused.reason, prepared.refused.fix
            )
        elif prepared.checked:
            await fulfilment.answer_succeeded(session, self.outbox, request, (), dry_run=True)
        elif prepared.fulfilled is not None:
            await fulfilment.answer_succeeded(session, self.outbox, request, prepared.fulfilled.external_ids)

    async def given_up(self, session: AsyncSession, job: Job, reason: str) -> None:
        request = ShopFulfillmentRequested.model_validate(job.payload)
        await fulfilment.answer_failed(
            session,
            self.outbox,
            request,
            f"The shop could not be reached for {job.attempt} attempts (the last: {reason}).",
            f"Check the store's health (GET /v1/stores/{request.store_id}); once the shop answers again, "
            f"{fulfilment.again(request)}.",
        )


def handlers(platforms: Platforms, db: Database, outbox: Outbox) -> dict[str, JobHandler[Any]]:
    return {fulfilment.SEND_FULFILMENT: SendFulfilment(platforms, db, outbox)}
