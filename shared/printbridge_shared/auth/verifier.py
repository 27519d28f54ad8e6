"""Verifies bearer credentials in every service: JWTs against storefront-auth's JWKS (cached, refetched
on an unknown key id) and API keys through storefront-auth's internal introspection (cached briefly, known
and unknown keys alike, in bounded LRU caches; `api_key.revoked` events evict at once).

A valid signature is not enough for a customer user's token: it is refused while the producer has
switched the customer's Storefront access off, when it was issued before the latest switch-off (switching
access on again does not revive it: the users log in again), and when it was issued before the user's
role or stores changed or the user was removed. The verifier learns these from storefront-auth together
with the keys (so a process that starts late knows the past), and from events as they happen; when
storefront-auth does not answer, it keeps what it knows and asks again on a later check."""

import datetime as dt
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import structlog

from printbridge_shared.auth.principal import Principal, PrincipalKind
from printbridge_shared.auth.revocations import REVOCATIONS_PATH, Revocations
from printbridge_shared.auth.tokens import (
    ALGORITHM,
    API_KEY_MAX_LENGTH,
    API_KEY_PREFIX,
    AUDIENCE,
    ISSUER,
    hash_secret,
    principal_from_claims,
)
from printbridge_shared.errors import Forbidden, ServiceUnavailable, Unauthorized
from printbridge_shared.events.consumer import ListenerHandler
from printbridge_shared.events.contracts import (
    ApiKeyRevoked,
    EventData,
    StorefrontAccessDisabled,
    StorefrontAccessEnabled,
    StorefrontPasswordReset,
    StorefrontUserRemoved,
    StorefrontUserUpdated,
)
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.lru import LruCache

log = structlog.get_logger(__name__)

JWKS_PATH = "/v1/auth/jwks.json"
INTROSPECT_PATH = "/internal/v1/api-keys/introspect"
JWKS_MIN_REFRESH_SECONDS = 5.0
CACHE_SIZE = 10_000
"""Verified tokens and introspected API keys each kept at most (least recently used go first)."""
ACCESS_NEWS_SECONDS = 30.0


class TokenVerifier:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        api_key_cache_seconds: float = 5.0,
        cache_size: int = CACHE_SIZE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.api_key_cache_seconds = api_key_cache_seconds
        self.monotonic = monotonic
        self._keys: dict[str, Any] = {}
        self._keys_fetched_at = float("-inf")
        # Introspection answers by key digest (None: unknown key), with when they were fetched.
        self._api_keys: LruCache[str, tuple[float, Principal | None]] = LruCache(cache_size)
        self._revoked_api_keys: set[uuid.UUID] = set()
        # Tokens already verified, until they expire: a signature check costs more than the request.
        self._verified: LruCache[str, tuple[float, float, Principal]] = LruCache(cache_size)
        # Customers whose Storefront access the producer switched off.
        self._disabled_customers: set[uuid.UUID] = set()
        # Customers whose users' access tokens issued before the time (epoch seconds) are refused: the
        # latest switch-off this process heard of.
        self._customer_not_before: dict[uuid.UUID, float] = {}
        # Set when loading the revocations failed: the next check tries again (at most every few seconds).
        self._revocations_stale = False
        self._revocations_tried_at = float("-inf")
        # Users whose access tokens issued before the time (epoch seconds) are refused.
        self._not_before: dict[uuid.UUID, float] = {}
        # When this process last heard of a customer's access being switched (monotonic seconds).
        self._access_news: dict[uuid.UUID, float] = {}

    async def verify(self, credential: str) -> Principal:
        if credential.startswith(API_KEY_PREFIX):
            return await self._verify_api_key(credential)
        issued_at, principal = await self._verify_jwt(credential)
        if self._revocations_stale:
            await self._retry_revocations()
        if principal.customer_id is not None:
            if principal.customer_id in self._disabled_customers:
                raise Forbidden("Your print producer has disabled Storefronts access for your company.")
            if issued_at < self._customer_not_before.get(principal.customer_id, 0.0):
                raise Unauthorized(
                    "Storefronts access for your company was switched off since you logged in; log in again."
                )
        if issued_at < self._not_before.get(principal.subject_id, 0.0):
            raise Unauthorized(
                "Your account changed (role, stores, password) or was removed; refresh or log in again."
            )
        return principal

    async def _verify_jwt(self, token: str) -> tuple[float, Principal]:
        cached = self._verified.get(token)
        if cached is not None and cached[0] > time.time():
            return cached[1], cached[2]
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise Unauthorized("The bearer token is malformed; log in again.") from None
        key = await self._key(kid)
        if key is None:
            raise Unauthorized("The bearer token was signed by an unknown key; log in again.")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub"]},
            )
            principal = principal_from_claims(claims)
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The access token has expired; refresh it or log in again.") from None
        except (jwt.PyJWTError, KeyError, ValueError):
            raise Unauthorized("The bearer token is invalid; log in again.") from None
        self._verified.put(token, (float(claims["exp"]), float(claims["iat"]), principal))
        return float(claims["iat"]), principal

    async def _key(self, kid: str | None) -> Any:
        if kid not in self._keys and self.monotonic() - self._keys_fetched_at > JWKS_MIN_REFRESH_SECONDS:
            await self._refresh_keys()
        return self._keys.get(kid or "")

    async def _refresh_keys(self) -> None:
        try:
            response = await self.http.get(JWKS_PATH)
            response.raise_for_status()
            keys = {k["kid"]: jwt.PyJWK(k, ALGORITHM).key for k in response.json()["keys"]}
            revocations = await self._fetch_revocations()
        except (httpx.HTTPError, KeyError, ValueError, jwt.PyJWTError) as exc:
            log.warning("jwks_unavailable", error=str(exc))
            if not self._keys:
                raise ServiceUnavailable(
                    "Token keys are not reachable right now; try again shortly."
                ) from exc
            self._revocations_stale, self._revocations_tried_at = True, self.monotonic()
            return
        self._keys = keys
        self._keys_fetched_at = self.monotonic()
        self._apply(revocations)
        self._revocations_stale = False

    async def _fetch_revocations(self) -> Revocations:
        response = await self.http.get(REVOCATIONS_PATH)
        response.raise_for_status()
        return Revocations.model_validate_json(response.content)

    def _apply(self, revocations: Revocations) -> None:
        # storefront-auth may not have handled an access event yet that this process already heard:
        # for a customer with fresh news, the news wins over the fetched state.
        now = self.monotonic()
        fresh = {c for c, heard in self._access_news.items() if now - heard < ACCESS_NEWS_SECONDS}
        fetched = set(revocations.disabled_customer_ids)
        self._disabled_customers = (fetched - fresh) | (self._disabled_customers & fresh)
        for subject in revocations.subjects:
            self._revoke_subject(subject.subject_id, subject.not_before)

    async def catch_up(self) -> None:
        """Reloads the revocations after the event bus reconnected (broadcasts in between are lost). When
        storefront-auth does not answer, the next check tries again."""
        self._revocations_tried_at = self.monotonic()
        try:
            revocations = await self._fetch_revocations()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("revocations_unavailable", error=str(exc))
            self._revocations_stale = True
            return
        self._apply(revocations)
        self._revocations_stale = False

    async def _retry_revocations(self) -> None:
        if self.monotonic() - self._revocations_tried_at > JWKS_MIN_REFRESH_SECONDS:
            await self.catch_up()

    async def _verify_api_key(self, key: str) -> Principal:
        if len(key) > API_KEY_MAX_LENGTH:
            raise Unauthorized("The API key is unknown or revoked.")
        digest = hash_secret(key)
        cached = self._api_keys.get(digest)
        now = self.monotonic()
        if cached is None or now - cached[0] > self.api_key_cache_seconds:
            cached = (now, await self._introspect(key))
            self._api_keys.put(digest, cached)
        principal = cached[1]
        if principal is None or principal.api_key_id in self._revoked_api_keys:
            raise Unauthorized("The API key is unknown or revoked.")
        return principal

    async def _introspect(self, key: str) -> Principal | None:
        try:
            response = await self.http.post(INTROSPECT_PATH, json={"key": key})
        except httpx.HTTPError as exc:
            log.warning("api_key_introspection_failed", error=repr(exc))
            raise ServiceUnavailable("API keys cannot be checked right now; try again shortly.") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            log.warning("api_key_introspection_failed", status=response.status_code, body=response.text[:300])
            raise ServiceUnavailable("API keys cannot be checked right now; try again shortly.")
        body = response.json()
        api_key_id = uuid.UUID(body["api_key_id"])
        return Principal(kind=PrincipalKind.operator, subject_id=api_key_id, api_key_id=api_key_id)

    def revoke_api_key(self, api_key_id: uuid.UUID) -> None:
        self._revoked_api_keys.add(api_key_id)
        self._api_keys.discard_where(
            lambda cached: cached[1] is not None and cached[1].api_key_id == api_key_id
        )

    def listeners(self) -> dict[str, ListenerHandler]:
        """The events every service process hears about credentials (broadcast, not shared work)."""
        return {
            ApiKeyRevoked.event_type: self.on_api_key_revoked,
            StorefrontAccessDisabled.event_type: self.on_storefront_access_changed,
            StorefrontAccessEnabled.event_type: self.on_storefront_access_changed,
            StorefrontUserUpdated.event_type: self.on_user_changed,
            StorefrontUserRemoved.event_type: self.on_user_changed,
            StorefrontPasswordReset.event_type: self.on_user_changed,
        }

    def _revoke_subject(self, subject_id: uuid.UUID, not_before: dt.datetime) -> None:
        at = not_before.timestamp()
        self._not_before[subject_id] = max(self._not_before.get(subject_id, 0.0), at)

    async def on_user_changed(self, data: EventData, _envelope: Envelope) -> None:
        if isinstance(data, StorefrontUserUpdated):
            self._revoke_subject(data.user_id, data.updated_at)
        elif isinstance(data, StorefrontUserRemoved):
            self._revoke_subject(data.user_id, data.removed_at)
        elif isinstance(data, StorefrontPasswordReset):
            self._revoke_subject(data.user_id, data.reset_at)

    async def on_storefront_access_changed(self, data: EventData, _envelope: Envelope) -> None:
        assert isinstance(data, StorefrontAccessDisabled | StorefrontAccessEnabled)
        if isinstance(data, StorefrontAccessDisabled):
            self._disabled_customers.add(data.customer_id)
            self._customer_not_before[data.customer_id] = time.time()
        else:
            self._disabled_customers.discard(data.customer_id)
        self._access_news[data.customer_id] = self.monotonic()

    async def on_api_key_revoked(self, data: EventData, _envelope: Envelope) -> None:
        assert isinstance(data, ApiKeyRevoked)
        self.revoke_api_key(data.api_key_id)
        log.info("api_key_revoked_seen", api_key_id=str(data.api_key_id))
