"""What mapping's endpoints depend on: the request's unit of work, the outbox and the caller. Endpoints
authorise with `Requires(Permission.…)` from the shared permission model (docs/decisions/0005); the
catalog is the producer's own record, so operators (`producer:manage`) write it and every signed-in
caller reads it."""

from printbridge_shared.auth.dependencies import CurrentPrincipal, OperatorPrincipal, Requires
from printbridge_shared.deps import OutboxDep, ReadSessionDep, SessionDep

__all__ = ["CurrentPrincipal", "OperatorPrincipal", "OutboxDep", "ReadSessionDep", "Requires", "SessionDep"]
