"""The HTML pages that links in e-mails open (invitation, password reset): plain forms, so a link works in
any browser without a SPA. The token in their address is the credential, so the pages are never cached
and never hand the address on in a Referer header."""

import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse

from printbridge_shared.errors import AppError
from printbridge_shared.security_headers import NO_STORE, PAGE_CSP
from storefront_auth.credentials.passwords import MIN_PASSWORD_LENGTH

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}
label,input,button{{display:block;width:100%;margin:.4rem 0}}input,button{{padding:.5rem;font-size:1rem}}
.error{{color:#a00}}</style></head>
<body>{body}</body></html>"""

HEADERS = {**NO_STORE, "Referrer-Policy": "no-referrer", "Content-Security-Policy": PAGE_CSP}


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    """`body` is HTML: whoever builds it escapes what it interpolates."""
    return HTMLResponse(
        TEMPLATE.format(title=html.escape(title), body=body), status_code=status, headers=HEADERS
    )


def error_page(title: str, error: AppError) -> HTMLResponse:
    return page(title, f"<h1>{html.escape(error.title)}</h1><p>{html.escape(error.detail)}</p>", error.status)


def password_form(action: str, heading: str, *, button: str, error: str = "") -> str:
    """`heading` is HTML; `action` and `error` are escaped here."""
    message = f'<p class="error">{html.escape(error)}</p>' if error else ""
    return (
        f"{heading}{message}"
        f'<form method="post" action="{html.escape(action)}">'
        f'<label for="password">Choose a password (at least {MIN_PASSWORD_LENGTH} characters)</label>'
        f'<input id="password" name="password" type="password" required minlength="{MIN_PASSWORD_LENGTH}" '
        'autocomplete="new-password">'
        f'<button type="submit">{html.escape(button)}</button></form>'
    )


async def submitted_password(request: Request) -> str:
    """The password of a submitted form; empty when there is none (the policy then refuses it)."""
    return parse_qs((await request.body()).decode(errors="replace")).get("password", [""])[0]


Heading = Callable[[], Awaitable[str]]  # the page's HTML heading; raises AppError for a bad link


@dataclass(frozen=True)
class PasswordPage:
    """A link's page: GET shows the password form under the link's heading, POST sets the password. A
    password the policy refuses shows the form again with the reason; any other refusal (unknown, used or
    expired link) a page that says so."""

    title: str
    path: str  # the page's address without the token, e.g. "/invitations"
    button: str
    done: str  # HTML shown once the password is set

    async def show(self, token: str, heading: Heading) -> HTMLResponse:
        try:
            return page(self.title, self._form(token, await heading()))
        except AppError as error:
            return error_page(self.title, error)

    async def submit(
        self, token: str, request: Request, heading: Heading, set_password: Callable[[str], Awaitable[object]]
    ) -> HTMLResponse:
        try:
            await set_password(await submitted_password(request))
        except AppError as error:
            if error.status == 422:
                return page(self.title, self._form(token, await heading(), error.detail), 422)
            return error_page(self.title, error)
        return page(self.title, self.done)

    def _form(self, token: str, heading: str, error: str = "") -> str:
        return password_form(f"{self.path}/{token}", heading, button=self.button, error=error)
