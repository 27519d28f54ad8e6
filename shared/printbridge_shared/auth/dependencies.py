"""FastAPI dependencies: `CurrentPrincipal` (401 without valid credentials), `Requires(permission)` (403
for a principal without it; see permissions.py) and `OperatorPrincipal` (producer staff only)."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from printbridge_shared.auth.permissions import Permission, permissions_of, refusal
from printbridge_shared.auth.principal import Principal
from printbridge_shared.auth.verifier import TokenVerifier
from printbridge_shared.errors import Forbidden, Unauthorized

bearer = HTTPBearer(
    auto_error=False, description="An access token from /v1/auth/login or an operator API key."
)


async def get_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("Send `Authorization: Bearer <access token or API key>`.")
    verifier: TokenVerifier = request.app.state.verifier
    return await verifier.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


class Requires:
    """Lets through only principals that hold `permission`:
    `principal: Annotated[Principal, Depends(Requires(Permission.orders_manage))]`."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, principal: CurrentPrincipal) -> Principal:
        if self.permission not in permissions_of(principal):
            raise Forbidden(refusal(principal, self.permission))
        return principal


OperatorPrincipal = Annotated[Principal, Depends(Requires(Permission.producer_manage))]
