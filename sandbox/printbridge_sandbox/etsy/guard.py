"""What every `/v3/application/…` call goes through before its endpoint, in Etsy's order: the app's
`x-api-key: keystring:shared_secret` (403), its rate limits (429), the OAuth bearer token (401) and the
endpoint's scope (403). Errors are Etsy's `{"error": …}` bodies; successes carry the rate-limit headers."""

import secrets
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import JSONResponse

from printbridge_sandbox.etsy.state import AccessToken, App, Call, State

DAY = 86_400.0


@dataclass
class Caller:
    app: App
    token: AccessToken | None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def user_id(self) -> int | None:
        return self.token.user_id if self.token else None


class Refused(Exception):
    """Ends a call with Etsy's error body."""

    def __init__(self, status: int, body: dict[str, str], headers: dict[str, str] | None = None) -> None:
        super().__init__(body.get("error"))
        self.status = status
        self.body = body
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


def error(status: int, message: str) -> Refused:
    return Refused(status, {"error": message})


class Guard:
    def __init__(self, state: State) -> None:
        self.state = state

    def log(self, request: Request, status: int, caller: Caller | None, keystring: str | None) -> None:
        self.state.calls.append(
            Call(
                number=self.state.ids.next("call"),
                at=self.state.clock.now(),
                method=request.method,
                path=request.url.path,
                keystring=caller.app.keystring if caller else keystring,
                user_id=caller.user_id if caller else None,
                status=status,
            )
        )

    def check(self, request: Request, scope: str | None, token_required: bool = True) -> Caller:
        """`scope`: the OAuth scope the endpoint needs; None with `token_required=False` for the
        endpoints Etsy's specification secures with the API key alone (a token given is still checked)."""
        behaviour = self.state.misbehaviour
        if behaviour.fail_next_calls > 0:
            behaviour.fail_next_calls -= 1
            raise error(behaviour.fail_status, "Server Error")
        app = self._app(request.headers.get("x-api-key"))
        headers = self._rate(app)
        token = self._token(request.headers.get("authorization"), app, token_required)
        if scope is not None and token is not None and scope not in token.scopes:
            raise Refused(403, {"error": "insufficient_scope", "error_description": "Insufficient scope"})
        return Caller(app, token, headers)

    def _app(self, header: str | None) -> App:
        if not header:
            raise error(403, "Invalid API key: should be in the format 'keystring:shared_secret'.")
        keystring, colon, secret = header.partition(":")
        app = self.state.apps.get(keystring)
        if app is None:
            raise error(403, "Invalid API key")
        if not colon:
            raise error(403, "Shared secret is required in x-api-key header.")
        if not secrets.compare_digest(secret.encode(), app.shared_secret.encode()):
            raise error(403, "Invalid API key")
        return app

    def _rate(self, app: App) -> dict[str, str]:
        """Sliding windows of one second and one day per app; a refused call does not count."""
        now = self.state.clock.now()
        while app.second_window and app.second_window[0] <= now - 1.0:
            app.second_window.popleft()
        while app.day_window and app.day_window[0] <= now - DAY:
            app.day_window.popleft()
        behaviour = self.state.misbehaviour
        limits = {"x-limit-per-second": str(app.qps), "x-limit-per-day": str(app.qpd)}
        if behaviour.exhaust_day > 0 or len(app.day_window) >= app.qpd:
            retry = 3600 if behaviour.exhaust_day > 0 else int(app.day_window[0] + DAY - now) + 1
            behaviour.exhaust_day = max(0, behaviour.exhaust_day - 1)
            headers = {**limits, "x-remaining-this-second": "0", "x-remaining-today": "0"}
            raise Refused(429, {"error": "Exceeded daily rate limit"}, {**headers, "retry-after": str(retry)})
        if behaviour.exhaust_second > 0 or len(app.second_window) >= app.qps:
            behaviour.exhaust_second = max(0, behaviour.exhaust_second - 1)
            remaining_today = str(app.qpd - len(app.day_window))
            headers = {**limits, "x-remaining-this-second": "0", "x-remaining-today": remaining_today}
            raise Refused(429, {"error": "Exceeded rate limit per second"}, {**headers, "retry-after": "1"})
        app.second_window.append(now)
        app.day_window.append(now)
        return {
            **limits,
            "x-remaining-this-second": str(app.qps - len(app.second_window)),
            "x-remaining-today": str(app.qpd - len(app.day_window)),
        }

    def _token(self, header: str | None, app: App, required: bool) -> AccessToken | None:
        if not header:
            if required:
                raise Refused(
                    401, {"error": "invalid_token", "error_description": "No access token was provided"}
                )
            return None
        scheme, _, value = header.partition(" ")
        token = self.state.access_tokens.get(value.strip()) if scheme.lower() == "bearer" else None
        if token is None or token.keystring != app.keystring:
            raise Refused(401, {"error": "invalid_token", "error_description": "access token is invalid"})
        if token.revoked:
            raise Refused(401, {"error": "invalid_token", "error_description": "access token is revoked"})
        if token.expires_at <= self.state.clock.now():
            raise Refused(401, {"error": "invalid_token", "error_description": "access token is expired"})
        return token
