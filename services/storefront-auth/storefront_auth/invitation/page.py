"""The invitation link opened in a browser: a small HTML form, so the link works without any SPA."""

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.errors import AppError
from storefront_auth.deps import OutboxDep, ReadSessionDep, SessionDep, TokenIssuerDep
from storefront_auth.invitation import service
from storefront_auth.pages import error_page, page, password_form, submitted_password

router = APIRouter(prefix="/invitations", include_in_schema=False)

TITLE = "Storefronts invitation"


def _form(token: str, heading: str, error: str = "") -> str:
    return password_form(f"/invitations/{token}", heading, button="Activate my account", error=error)


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
    try:
        return page(TITLE, _form(token, await _heading(session, token)))
    except AppError as error:
        return error_page(TITLE, error)


@router.post("/{token}")
async def accept_from_page(
    token: str, request: Request, session: SessionDep, outbox: OutboxDep, issuer: TokenIssuerDep
) -> HTMLResponse:
    password = await submitted_password(request)
    try:
        await service.accept(session, outbox, issuer, token, password=password)
    except AppError as error:
        if error.status == 422:  # a password the policy refuses: the form again, with the reason
            return page(TITLE, _form(token, await _heading(session, token), error.detail), 422)
        return error_page(TITLE, error)
    return page(
        TITLE,
        "<h1>Your account is active</h1><p>Log in to Storefronts with your e-mail and new password.</p>",
    )
