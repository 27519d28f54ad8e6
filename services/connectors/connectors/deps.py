"""What connectors' endpoints depend on: the request's unit of work, the outbox, the caller and the
platforms' equipment. Endpoints authorise with `Requires(Permission.…)` from the shared permission
model (docs/decisions/0005)."""

from typing import Annotated

from fastapi import Depends, Request

from connectors.platforms.context import Platforms
from printbridge_shared.auth.dependencies import CurrentPrincipal, Requires
from printbridge_shared.deps import OutboxDep, ReadSessionDep, SessionDep


async def _platforms(request: Request) -> Platforms:
    platforms: Platforms = request.app.state.platforms
    return platforms


PlatformsDep = Annotated[Platforms, Depends(_platforms)]

__all__ = ["CurrentPrincipal", "OutboxDep", "PlatformsDep", "ReadSessionDep", "Requires", "SessionDep"]
