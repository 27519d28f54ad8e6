from fastapi import APIRouter, Request, Response, status

from printbridge_shared.openapi import problems
from printbridge_shared.security_headers import NO_STORE
from storefront_auth.auth import service
from storefront_auth.auth.schemas import Jwks, LoginRequest, LogoutRequest, Me, RefreshRequest, TokenPair
from storefront_auth.deps import (
    CurrentPrincipal,
    KeyStoreDep,
    LoginThrottleDep,
    ReadSessionDep,
    SessionDep,
    TokenIssuerDep,
)

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post("/login", response_model=TokenPair, responses=problems(401, 403, 429))
async def login(
    payload: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    issuer: TokenIssuerDep,
    throttle: LoginThrottleDep,
) -> TokenPair:
    """Log in with e-mail and password; answers an access token and a refresh token. Too many failures
    for an account or from one address answer 429 with Retry-After."""
    response.headers.update(NO_STORE)
    client_address = request.client.host if request.client else None
    return await service.login(
        session,
        issuer,
        throttle,
        email=payload.email,
        password=payload.password,
        client_address=client_address,
    )


@router.post("/refresh", response_model=TokenPair, responses=problems(401, 403))
async def refresh_tokens(
    payload: RefreshRequest, response: Response, session: SessionDep, issuer: TokenIssuerDep
) -> TokenPair:
    """Exchange a refresh token for a new pair. Each refresh token works once; presenting a used one
    again ends the whole login."""
    response.headers.update(NO_STORE)
    return await service.refresh(session, issuer, refresh_token=payload.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def logout(payload: LogoutRequest, session: SessionDep) -> None:
    """End the login the refresh token belongs to. Access tokens already issued expire on their own."""
    await service.logout(session, refresh_token=payload.refresh_token)


@router.get("/me", response_model=Me)
async def get_me(principal: CurrentPrincipal, session: ReadSessionDep) -> Me:
    """Who the bearer token or API key belongs to."""
    return await service.describe(session, principal)


@router.get("/jwks.json", response_model=Jwks)
async def get_jwks(response: Response, keys: KeyStoreDep) -> Jwks:
    """The public keys that verify access tokens (JWK Set)."""
    response.headers["Cache-Control"] = "public, max-age=300"
    return Jwks.model_validate(await keys.jwks())
