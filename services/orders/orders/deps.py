"""What orders' endpoints depend on: the request's unit of work, the outbox and the caller. Endpoints
authorise with `Requires(Permission.…)` from the shared permission model (docs/decisions/0005)."""

from printbridge_shared.auth.dependencies import CurrentPrincipal, Requires
from printbridge_shared.deps import OutboxDep, ReadSessionDep, SessionDep

__all__ = ["CurrentPrincipal", "OutboxDep", "ReadSessionDep", "Requires", "SessionDep"]
