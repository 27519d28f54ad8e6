"""Login throttling: after too many failures for an account or from one client address, logins for it
wait (429 with Retry-After), longer with every further failure. Counts live in the database."""

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.db import utcnow
from printbridge_shared.emails import normalize_email
from printbridge_shared.errors import AppError
from storefront_auth.models import LoginFailure


class TooManyLoginAttempts(AppError):
    status, code, title = 429, "too-many-login-attempts", "Too many login attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed logins; try again in {retry_after} seconds.")
        self.headers = {"Retry-After": str(retry_after)}


def throttle_keys(email: str, client_address: str | None) -> tuple[str, str | None]:
    """The account's key is the address as the login looks it up (normalised), so every spelling of one
    address (case, a fullwidth or IDNA-equivalent domain, …) counts against the same account."""
    try:
        account = normalize_email(email)
    except ValueError:
        account = email.strip().lower()  # no account has it; its failures still count under one key
    return f"account:{account}", f"address:{client_address}" if client_address else None


class LoginThrottle:
    def __init__(self, session: AsyncSession, settings: Any) -> None:
        self.session = session
        self.window = dt.timedelta(seconds=settings.login_failure_window_seconds)
        self.lockout_seconds = settings.login_lockout_seconds
        self.limits = {
            "account": settings.login_max_failures,
            "address": settings.login_max_failures_per_address,
        }

    async def check(self, keys: Sequence[str | None]) -> None:
        now = utcnow()
        for key in filter(None, keys):
            failure = await self.session.get(LoginFailure, key)
            if failure is not None and failure.locked_until is not None and failure.locked_until > now:
                raise TooManyLoginAttempts(math.ceil((failure.locked_until - now).total_seconds()))

    async def record_failure(self, keys: Sequence[str | None]) -> None:
        now = utcnow()
        for key in filter(None, keys):
            failure = await self.session.get(LoginFailure, key)
            if failure is None or now - failure.first_failed_at > self.window:
                if failure is not None:
                    await self.session.delete(failure)
                    await self.session.flush()
                failure = LoginFailure(key=key, failures=0, first_failed_at=now, locked_until=None)
                self.session.add(failure)
            failure.failures += 1
            over = failure.failures - self.limits[key.split(":", 1)[0]]
            if over >= 0:
                pause = min(self.window.total_seconds(), self.lockout_seconds * 2**over)
                failure.locked_until = now + dt.timedelta(seconds=pause)

    async def clear(self, key: str) -> None:
        await self.session.execute(delete(LoginFailure).where(LoginFailure.key == key))
