"""The invitation link opened in a browser: a small HTML form, so the link works without any SPA."""

import html
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.errors import AppError
from storefront_auth.deps import OutboxDep, ReadSessionDep, SessionDep, TokenIssuerDep
from storefront_auth.invitation import service

router = APIRouter(prefix="/invitations", include_in_schema=False)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Storefronts invitation</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}
label,input,button{{display:block;width:100%;margin:.4rem 0}}input,button{{padding:.5rem;font-size:1rem}}
.error{{color:#a00}}</style></head>
<body>{body}</body></html>"""


def _page(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(body=body), status_code=status)


def _form(token: str, heading: str, error: str = "") -> str:
    message = f'<p class="error">{html.escape(error)}</p>' if error else ""
    return (
        f"{heading}{message}"
        f'<form method="post" action="/invitations/{html.escape(token)}">'
        '<label for="password">Choose a password (at least 12 characters)</label>'
        '<input id="password" name="password" type="password" required minlength="12" '
        'autocomplete="new-password">'
        '<button type="submit">Activate my account</button></form>'
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
    try:
        return _page(_form(token, await _heading(session, token)))
    except AppError as error:
        return _page(f"<h1>{html.escape(error.title)}</h1><p>{html.escape(error.detail)}</p>", error.status)


@router.post("/{token}")
async def accept_from_page(
    token: str, request: Request, session: SessionDep, outbox: OutboxDep, issuer: TokenIssuerDep
) -> HTMLResponse:
    password = parse_qs((await request.body()).decode(errors="replace")).get("password", [""])[0]
    try:
        await service.accept(session, outbox, issuer, token, password=password)
    except AppError as error:
        if error.status == 422:  # a password the policy refuses: the form again, with the reason
            return _page(_form(token, await _heading(session, token), error.detail), 422)
        return _page(f"<h1>{html.escape(error.title)}</h1><p>{html.escape(error.detail)}</p>", error.status)
    return _page(
        "<h1>Your account is active</h1><p>Log in to Storefronts with your e-mail and new password.</p>"
    )
