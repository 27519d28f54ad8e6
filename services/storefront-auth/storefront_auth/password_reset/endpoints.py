from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from printbridge_shared.fields import Text
from printbridge_shared.openapi import problems
from printbridge_shared.security_headers import NO_STORE
from storefront_auth.auth import service as auth_service
from storefront_auth.auth.schemas import TokenPair
from storefront_auth.deps import LoginThrottleDep, OutboxDep, ReadSessionDep, SessionDep, TokenIssuerDep
from storefront_auth.password_reset import service
from storefront_auth.password_reset.request_job import ask_for_reset
from storefront_auth.password_reset.schemas import (
    CompletePasswordReset,
    PasswordResetRequested,
    PasswordResetView,
    RequestPasswordReset,
)

router = APIRouter(prefix="/v1/auth/password-reset", tags=["auth"])

Token = Annotated[
    Text, Path(min_length=20, max_length=128, description="The token from the password-reset link.")
]

REQUESTED = "If an account with this address exists, an e-mail with a reset link is on its way."


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=PasswordResetRequested)
async def request_password_reset(
    payload: RequestPasswordReset, session: SessionDep
) -> PasswordResetRequested:
    """Mail a link that sets a new password to a Storefronts user. The answer is 202 whether or not the
    address has an account: the request is recorded (durably) before anything is looked up, so neither
    the answer nor its timing reveals one; a user gets at most one such e-mail a minute."""
    await ask_for_reset(session, email=payload.email)
    return PasswordResetRequested(detail=REQUESTED)


@router.get("/{token}", response_model=PasswordResetView, responses=problems(410))
async def get_password_reset(session: ReadSessionDep, token: Token) -> PasswordResetView:
    """Whose password the link resets, and until when (404 unknown link, 410 expired, used or replaced)."""
    return await service.describe(session, token)


@router.post("/{token}/complete", response_model=TokenPair, responses=problems(403, 410, 429))
async def complete_password_reset(
    payload: CompletePasswordReset,
    response: Response,
    session: SessionDep,
    outbox: OutboxDep,
    issuer: TokenIssuerDep,
    throttle: LoginThrottleDep,
    token: Token,
) -> TokenPair:
    """Choose the new password: every earlier session of the account ends, and the answer carries the
    tokens of a new one."""
    response.headers.update(NO_STORE)
    user = await service.reset_password(session, outbox, throttle, token, password=payload.password)
    return await auth_service.start_user_session(session, issuer, user)
