"""Dependencies every service's endpoints use: the request's unit of work and the outbox."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.events.outbox import Outbox


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    # scope="function": the commit happens before the response is sent, so a 2xx means committed.
    # (Dependencies here are async on purpose: FastAPI runs sync ones in a thread pool.)
    async with request.app.state.db.session() as session:
        yield session


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.db.read_session() as session:
        yield session


async def _outbox(request: Request) -> Outbox:
    outbox: Outbox = request.app.state.outbox
    return outbox


SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
# For endpoints that only read: on SQLite they run beside the writer instead of queueing behind it.
ReadSessionDep = Annotated[AsyncSession, Depends(_read_session, scope="function")]
OutboxDep = Annotated[Outbox, Depends(_outbox)]
