from fastapi import APIRouter, Request

from printbridge_shared.auth.revocations import REVOCATIONS_PATH, Revocations
from storefront_auth.deps import ReadSessionDep
from storefront_auth.revocation import service

# Read by every service's TokenVerifier when it loads the token keys; the gateway refuses /internal/*.
internal_router = APIRouter(include_in_schema=False)


@internal_router.get(REVOCATIONS_PATH, response_model=Revocations)
async def get_revocations(request: Request, session: ReadSessionDep) -> Revocations:
    return await service.current(session, access_token_ttl=request.app.state.settings.access_token_ttl)
