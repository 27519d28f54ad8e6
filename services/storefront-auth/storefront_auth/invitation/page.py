"""The invitation link opened in a browser: a small HTML form, so the link works without any SPA."""

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from storefront_auth.deps import OutboxDep, ReadSessionDep, SessionDep
from storefront_auth.invitation import service
from storefront_auth.pages import PasswordPage

router = APIRouter(prefix="/invitations", include_in_schema=False)

PAGE = PasswordPage(
    title="Storefronts invitation",
    path="/invitations",
    button="Activate my account",
    done="<h1>Your account is active</h1>"
    '<p><a href="/console/">Log in</a> with your e-mail and new password.</p>',
)


async def _heading(session: AsyncSession, token: str) -> str:
    invitation = await service.describe(session, token)
    role = invitation.role.replace("_", " ")
    return (
        f"<h1>Welcome, {html.escape(invitation.first_name)}</h1>"
        f"<p>You are invited to Storefronts for <b>{html.escape(invitation.customer_name)}</b> as "
        f"{html.escape(role)}. Your login is {html.escape(invitation.email)}.</p>"
    )


@router.get("/{token}")
async def invitation_page(token: str, session: ReadSessionDep) -> HTMLResponse:
    return await PAGE.show(token, lambda: _heading(session, token))


@router.post("/{token}")
async def accept_from_page(
    token: str, request: Request, session: SessionDep, outbox: OutboxDep
) -> HTMLResponse:
    """Activates the account; the browser gets no tokens (the person logs in afterwards)."""
    return await PAGE.submit(
        token,
        request,
        lambda: _heading(session, token),
        lambda password: service.accept(session, outbox, token, password=password),
    )
