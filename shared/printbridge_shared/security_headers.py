"""Response headers that protect browsers, in one place for the services, the embedded gateway and the
nginx renderer: `nosniff` on every answer, and the Content-Security-Policy of the HTML pages."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOSNIFF = ("X-Content-Type-Options", "nosniff")

PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
"""The invitation and password-reset pages: no scripts, no framing, forms post only back to Printbridge."""

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
"""For every answer that carries a secret (tokens, a new API key): never kept by browsers or proxies
(RFC 6749 §5.1)."""


class SecurityHeadersMiddleware:
    """Adds `X-Content-Type-Options: nosniff` to every response that does not already have it, so a
    browser never guesses HTML or script from a body Printbridge labelled as something else."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                name = NOSNIFF[0].lower().encode()
                if not any(key.lower() == name for key, _value in headers):
                    headers.append((name, NOSNIFF[1].encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
