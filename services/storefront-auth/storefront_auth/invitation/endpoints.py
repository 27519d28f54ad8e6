from typing import Annotated

from fastapi import APIRouter, Path, Response

from printbridge_shared.fields import Text
from printbridge_shared.openapi import problems
from printbridge_shared.security_headers import NO_STORE
from storefront_auth.auth import service as auth_service
from storefront_auth.auth.schemas import TokenPair
from storefront_auth.deps import OutboxDep, ReadSessionDep, SessionDep, TokenIssuerDep
from storefront_auth.invitation import service
from storefront_auth.invitation.schemas import AcceptInvitation, InvitationView

router = APIRouter(prefix="/v1/invitations", tags=["invitations"])

Token = Annotated[
    Text, Path(min_length=20, max_length=128, description="The token from the invitation link.")
]


@router.get("/{token}", response_model=InvitationView, responses=problems(410))
async def get_invitation(session: ReadSessionDep, token: Token) -> InvitationView:
    """Who is invited to which customer, and until when (404 unknown link, 410 expired or used)."""
    return await service.describe(session, token)


@router.post("/{token}/accept", response_model=TokenPair, responses=problems(403, 410))
async def accept_invitation(
    payload: AcceptInvitation,
    response: Response,
    session: SessionDep,
    outbox: OutboxDep,
    issuer: TokenIssuerDep,
    token: Token,
) -> TokenPair:
    """Choose a password: the account becomes active and the answer carries its first tokens."""
    response.headers.update(NO_STORE)
    user = await service.accept(session, outbox, token, password=payload.password)
    return await auth_service.start_user_session(session, issuer, user)
