from printbridge_shared.auth.dependencies import OperatorPrincipal
from printbridge_shared.deps import OutboxDep, ReadSessionDep, SessionDep

__all__ = ["OperatorPrincipal", "OutboxDep", "ReadSessionDep", "SessionDep"]
