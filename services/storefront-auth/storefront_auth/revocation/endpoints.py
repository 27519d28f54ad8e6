from fastapi import APIRouter, Request

from printbridge_shared.auth.revocations import REVOCATIONS_PATH, Revocations, RevokedSubject
from printbridge_shared.db import utcnow
from storefront_auth.deps import ReadSessionDep
from storefront_auth.invitation.repository import CustomerAccessRepository
from storefront_auth.revocation.repository import TokenRevocationRepository

# Read by every service's TokenVerifier when it loads the token keys; the gateway refuses /internal/*.
internal_router = APIRouter(include_in_schema=False)


@internal_router.get(REVOCATIONS_PATH, response_model=Revocations)
async def get_revocations(request: Request, session: ReadSessionDep) -> Revocations:
    """Revocations that can still matter: older ones concern tokens that have expired anyway."""
    earliest = utcnow() - request.app.state.token_issuer.access_ttl
    subjects = await TokenRevocationRepository(session).since(earliest)
    return Revocations(
        disabled_customer_ids=await CustomerAccessRepository(session).disabled_ids(),
        subjects=[RevokedSubject(subject_id=s.subject_id, not_before=s.not_before) for s in subjects],
    )
