import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from printbridge_shared.auth.dependencies import Requires
from printbridge_shared.auth.permissions import Permission
from printbridge_shared.auth.principal import Principal
from printbridge_shared.openapi import problems
from printbridge_shared.pagination import DEFAULT_LIMIT, Cursor, Limit
from storefront_auth.deps import OutboxDep, ReadSessionDep, SessionDep
from storefront_auth.user import service
from storefront_auth.user.schemas import User, UserInvite, UserPage, UserUpdate

router = APIRouter(prefix="/v1/users", tags=["users"])

UserReader = Annotated[Principal, Depends(Requires(Permission.users_read))]
UserManager = Annotated[Principal, Depends(Requires(Permission.users_manage))]


@router.get("", response_model=UserPage, responses=problems(404))
async def list_users(
    session: ReadSessionDep,
    principal: UserReader,
    customer_id: Annotated[
        uuid.UUID | None,
        Query(
            description="Whose team: required for operators; a customer's admin sees its own team (another "
            "customer's is 404)."
        ),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> UserPage:
    """A customer's Storefronts users by e-mail, each with its role, stores and invitation status."""
    return await service.list_users(session, principal, customer_id=customer_id, cursor=cursor, limit=limit)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=User, responses=problems(409))
async def invite_user(
    payload: UserInvite, response: Response, session: SessionDep, outbox: OutboxDep, principal: UserManager
) -> User:
    """Add a user to your team with a role; the invitation e-mail goes out by itself (status `pending`,
    then `invited`)."""
    user = await service.invite(session, outbox, principal, payload)
    response.headers["Location"] = f"{router.prefix}/{user.id}"
    return user


@router.get("/{user_id}", response_model=User)
async def get_user(user_id: uuid.UUID, session: ReadSessionDep, principal: UserReader) -> User:
    return await service.get_user(session, principal, user_id)


@router.patch("/{user_id}", response_model=User, responses=problems(409))
async def update_user(
    user_id: uuid.UUID, payload: UserUpdate, session: SessionDep, outbox: OutboxDep, principal: UserManager
) -> User:
    """Change a user's name, role or stores. A new role or new stores apply at the user's next token
    refresh; tokens issued before are refused from then on. The last active admin cannot be demoted."""
    return await service.update(session, outbox, principal, user_id, payload)


@router.delete(
    "/{user_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response, responses=problems(409)
)
async def remove_user(
    user_id: uuid.UUID, session: SessionDep, outbox: OutboxDep, principal: UserManager
) -> None:
    """Remove a user: its logins end and its tokens stop working. The last active admin cannot be
    removed."""
    await service.remove(session, outbox, principal, user_id)


@router.post("/{user_id}/resend-invitation", response_model=User, responses=problems(409))
async def resend_user_invitation(user_id: uuid.UUID, session: SessionDep, principal: UserManager) -> User:
    """Send a fresh invitation link (the previous one stops working); for users who have not accepted."""
    return await service.resend_invitation(session, principal, user_id)
