from typing import Annotated

from fastapi import Depends, Request

from printbridge_shared.auth.dependencies import CurrentPrincipal, OperatorPrincipal
from printbridge_shared.deps import OutboxDep, ReadSessionDep, SessionDep
from storefront_auth.auth.issuer import TokenIssuer
from storefront_auth.auth.throttle import LoginThrottle
from storefront_auth.signing_key.keystore import KeyStore


async def _token_issuer(request: Request) -> TokenIssuer:
    issuer: TokenIssuer = request.app.state.token_issuer
    # Loads (on a fresh database: creates) the signing key before the request's transaction begins; on
    # SQLite a key written from inside it would wait for the request's own write lock.
    await issuer.keys.signing_key()
    return issuer


async def _key_store(request: Request) -> KeyStore:
    keys: KeyStore = request.app.state.keys
    return keys


async def _login_throttle(request: Request, session: SessionDep) -> LoginThrottle:
    """Counts failed logins in the request's own unit of work."""
    return LoginThrottle(session, request.app.state.settings)


TokenIssuerDep = Annotated[TokenIssuer, Depends(_token_issuer)]
LoginThrottleDep = Annotated[LoginThrottle, Depends(_login_throttle)]
KeyStoreDep = Annotated[KeyStore, Depends(_key_store)]

__all__ = [
    "CurrentPrincipal",
    "KeyStoreDep",
    "LoginThrottleDep",
    "OperatorPrincipal",
    "OutboxDep",
    "ReadSessionDep",
    "SessionDep",
    "TokenIssuerDep",
]
