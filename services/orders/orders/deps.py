"""What orders' endpoints depend on: the request's unit of work, the outbox and the caller. Endpoints
authorise with `Requires(Permission.…)` from the shared permission model (docs/decisions/0005)."""

from typing import Annotated

from fastapi import Depends, Request

from orders.config import Settings
from printbridge_shared.auth.dependencies import CurrentPrincipal, Requires
from printbridge_shared.auth.permissions import Permission
from printbridge_shared.auth.principal import Principal
from printbridge_shared.deps import OutboxDep, ReadSessionDep, SessionDep


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]
OrdersReader = Annotated[Principal, Depends(Requires(Permission.orders_read))]
"""Operators, and a customer's admin, order manager and viewer (store managers hold no orders:read)."""
OrdersManager = Annotated[Principal, Depends(Requires(Permission.orders_manage))]
"""Operators, and a customer's admin and order manager (viewers and store managers get 403)."""
ProducerManager = Annotated[Principal, Depends(Requires(Permission.producer_manage))]
"""Operators and API keys: the producer's own set-up (production lines, routing) and production.
Every customer user gets 403, whatever its role."""

__all__ = [
    "CurrentPrincipal",
    "OrdersManager",
    "OrdersReader",
    "OutboxDep",
    "ProducerManager",
    "ReadSessionDep",
    "Requires",
    "SessionDep",
    "SettingsDep",
]
