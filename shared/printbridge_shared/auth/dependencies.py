"""FastAPI dependencies: `CurrentPrincipal` (401 without valid credentials) and `OperatorPrincipal`
(403 for anyone but producer staff)."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

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


async def require_operator(principal: CurrentPrincipal) -> Principal:
    if not principal.is_operator:
        raise Forbidden("Only the producer's staff (operators) may do this.")
    return principal


OperatorPrincipal = Annotated[Principal, Depends(require_operator)]
