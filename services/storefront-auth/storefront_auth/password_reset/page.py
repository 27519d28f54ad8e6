"""The password-reset link opened in a browser: a small HTML form, so the link works without any SPA."""

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from storefront_auth.deps import LoginThrottleDep, OutboxDep, ReadSessionDep, SessionDep
from storefront_auth.pages import PasswordPage
from storefront_auth.password_reset import service

router = APIRouter(prefix="/password-reset", include_in_schema=False)

PAGE = PasswordPage(
    title="Storefronts password reset",
    path="/password-reset",
    button="Set my new password",
    done="<h1>Your password is changed</h1>"
    '<p><a href="/console/">Log in</a> with your e-mail and new password.</p>',
)


async def _heading(session: AsyncSession, token: str) -> str:
    reset = await service.describe(session, token)
    return (
        "<h1>Choose a new password</h1>"
        f"<p>For your Storefronts login {html.escape(reset.email)}. Once it is set, you are signed out "
        "everywhere else.</p>"
    )


@router.get("/{token}")
async def password_reset_page(token: str, session: ReadSessionDep) -> HTMLResponse:
    return await PAGE.show(token, lambda: _heading(session, token))


@router.post("/{token}")
async def reset_from_page(
    token: str, request: Request, session: SessionDep, outbox: OutboxDep, throttle: LoginThrottleDep
) -> HTMLResponse:
    """Sets the new password; the browser gets no tokens (the person logs in afterwards)."""
    return await PAGE.submit(
        token,
        request,
        lambda: _heading(session, token),
        lambda password: service.reset_password(session, outbox, throttle, token, password=password),
    )
