import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from printbridge_shared.auth.principal import Principal
from printbridge_shared.auth.tokens import encode_access_token
from printbridge_shared.db import utcnow
from storefront_auth.signing_key.keystore import KeyStore


@dataclass(frozen=True)
class TokenIssuer:
    """Signs access tokens with the current key and knows how long tokens live."""

    keys: KeyStore
    access_ttl: dt.timedelta
    refresh_ttl: dt.timedelta
    clock: Callable[[], dt.datetime] = utcnow  # tests issue tokens in the past instead of waiting

    async def access_token(self, principal: Principal) -> str:
        key = await self.keys.signing_key()
        return encode_access_token(
            principal, private_key=key.private_key, kid=key.kid, ttl=self.access_ttl, issued_at=self.clock()
        )
