"""The password-reset link opened in a browser: a small HTML form, so the link works without any SPA."""

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.errors import AppError
from storefront_auth.auth.throttle import LoginThrottle
from storefront_auth.deps import OutboxDep, ReadSessionDep, SessionDep
from storefront_auth.pages import error_page, page, password_form, submitted_password
from storefront_auth.password_reset import service

router = APIRouter(prefix="/password-reset", include_in_schema=False)

TITLE = "Storefronts password reset"


def _form(token: str, heading: str, error: str = "") -> str:
    return password_form(f"/password-reset/{token}", heading, button="Set my new password", error=error)


async def _heading(session: AsyncSession, token: str) -> str:
    reset = await service.describe(session, token)
    return (
        "<h1>Choose a new password</h1>"
        f"<p>For your Storefronts login {html.escape(reset.email)}. Once it is set, you are signed out "
        "everywhere else.</p>"
    )


@router.get("/{token}")
async def password_reset_page(token: str, session: ReadSessionDep) -> HTMLResponse:
    try:
        return page(TITLE, _form(token, await _heading(session, token)))
    except AppError as error:
        return error_page(TITLE, error)


@router.post("/{token}")
async def reset_from_page(
    token: str, request: Request, session: SessionDep, outbox: OutboxDep
) -> HTMLResponse:
    password = await submitted_password(request)
    throttle = LoginThrottle(session, request.app.state.settings)
    try:
        await service.reset_password(session, outbox, throttle, token, password=password)
    except AppError as error:
        if error.status == 422:  # a password the policy refuses: the form again, with the reason
            return page(TITLE, _form(token, await _heading(session, token), error.detail), 422)
        return error_page(TITLE, error)
    return page(
        TITLE,
        "<h1>Your password is changed</h1><p>Log in to Storefronts with your e-mail and new password.</p>",
    )
