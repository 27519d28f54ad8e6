"""What the verifier refuses beyond a bad signature: tokens of a customer whose Storefront access is
off, and a user's tokens issued before its role changed or it was removed. It learns both from
storefront-auth with the keys, from events, and again after the event bus reconnected."""

import asyncio
import datetime as dt
import uuid

import pytest

from printbridge_shared.auth.principal import Principal, PrincipalKind
from printbridge_shared.auth.revocations import Revocations, RevokedSubject
from printbridge_shared.auth.tokens import API_KEY_PREFIX
from printbridge_shared.auth.verifier import JWKS_MIN_REFRESH_SECONDS, TokenVerifier
from printbridge_shared.errors import Forbidden, Unauthorized
from printbridge_shared.events.contracts import (
    StorefrontAccessDisabled,
    StorefrontAccessEnabled,
    StorefrontAdmin,
    StorefrontUserUpdated,
)
from printbridge_shared.testing import AuthKeys

BRAND, USER = uuid.uuid4(), uuid.uuid4()
ADMIN = StorefrontAdmin(email="anna@brand.example", first_name="Anna", last_name="Berg")
ENABLED = StorefrontAccessEnabled(customer_id=BRAND, customer_name="Brand", admin=ADMIN)


class Clock:
    """Monotonic seconds that a test moves on."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def verifier(keys: AuthKeys) -> TokenVerifier:
    return TokenVerifier(keys.http_client())


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def test_a_switched_off_customer_is_known_from_the_first_verification():
    keys = AuthKeys(revocations=Revocations(disabled_customer_ids=[BRAND], subjects=[]))
    with pytest.raises(Forbidden, match="disabled Storefronts access"):
        await verifier(keys).verify(keys.customer_user_token(BRAND))
    assert (await verifier(keys).verify(keys.customer_user_token(uuid.uuid4()))).role == "admin"


async def test_tokens_issued_before_a_users_change_are_refused_and_later_ones_accepted():
    keys = AuthKeys()
    old = keys.customer_user_token(BRAND, subject_id=USER)
    await asyncio.sleep(0.01)
    keys.revocations = Revocations(
        disabled_customer_ids=[], subjects=[RevokedSubject(subject_id=USER, not_before=now())]
    )
    await asyncio.sleep(0.01)
    new = keys.customer_user_token(BRAND, role="viewer", subject_id=USER)
    checking = verifier(keys)
    with pytest.raises(Unauthorized, match="changed"):
        await checking.verify(old)
    assert (await checking.verify(new)).role == "viewer"


async def test_events_keep_the_verifier_current():
    keys = AuthKeys()
    checking = verifier(keys)
    token = keys.customer_user_token(BRAND, subject_id=USER)
    await checking.verify(token)
    await checking.on_storefront_access_changed(StorefrontAccessDisabled(customer_id=BRAND), None)
    with pytest.raises(Forbidden):
        await checking.verify(token)
    await checking.on_storefront_access_changed(ENABLED, None)
    later = keys.customer_user_token(BRAND, subject_id=USER)
    await checking.verify(later)
    await asyncio.sleep(0.01)
    updated = StorefrontUserUpdated(
        customer_id=BRAND, user_id=USER, role="viewer", store_ids=[], updated_at=now()
    )
    await checking.on_user_changed(updated, None)
    with pytest.raises(Unauthorized):
        await checking.verify(later)


async def test_switching_access_off_and_on_again_does_not_revive_tokens_issued_before():
    keys = AuthKeys()
    checking = verifier(keys)
    before = keys.customer_user_token(BRAND)
    other_customer = keys.customer_user_token(uuid.uuid4())
    await checking.verify(before)
    await asyncio.sleep(0.01)
    await checking.on_storefront_access_changed(StorefrontAccessDisabled(customer_id=BRAND), None)
    await checking.on_storefront_access_changed(ENABLED, None)
    with pytest.raises(Unauthorized, match="log in again"):
        await checking.verify(before)
    await asyncio.sleep(0.01)
    assert (await checking.verify(keys.customer_user_token(BRAND))).customer_id == BRAND
    await checking.verify(other_customer)


async def test_catching_up_after_a_reconnect_learns_what_was_missed():
    keys = AuthKeys()
    checking = verifier(keys)
    token = keys.customer_user_token(BRAND)
    await checking.verify(token)
    keys.revocations = Revocations(disabled_customer_ids=[BRAND], subjects=[])  # switched off meanwhile
    await checking.catch_up()
    with pytest.raises(Forbidden):
        await checking.verify(token)


async def test_fresh_news_wins_over_a_fetch_that_storefront_auth_answered_before_handling_it():
    keys = AuthKeys(revocations=Revocations(disabled_customer_ids=[BRAND], subjects=[]))
    checking = verifier(keys)
    enabled = StorefrontAccessEnabled(
        customer_id=BRAND,
        customer_name="Brand",
        admin={"email": "a@b.example", "first_name": "A", "last_name": "B"},
    )
    await checking.on_storefront_access_changed(enabled, None)
    await checking.verify(keys.customer_user_token(BRAND))  # loads keys and the (stale) revocations
    await checking.catch_up()
    assert (await checking.verify(keys.customer_user_token(BRAND))).customer_id == BRAND


async def after_a_failed_catch_up(keys: AuthKeys) -> tuple[TokenVerifier, Clock, str]:
    """A verifier that checked a token of Brand, then could not reach the revocations to catch up."""
    clock = Clock()
    checking = TokenVerifier(keys.http_client(), monotonic=clock)
    token = keys.customer_user_token(BRAND)
    await checking.verify(token)
    keys.revocations_reachable = False
    await checking.catch_up()
    return checking, clock, token


async def test_after_a_failed_catch_up_the_next_check_reloads_the_revocations():
    keys = AuthKeys()
    checking, clock, token = await after_a_failed_catch_up(keys)
    keys.revocations = Revocations(disabled_customer_ids=[BRAND], subjects=[])  # missed while down
    keys.revocations_reachable = True
    clock.now += JWKS_MIN_REFRESH_SECONDS + 1
    with pytest.raises(Forbidden):
        await checking.verify(token)


async def test_while_revocations_stay_unreachable_checks_go_on_with_what_is_known():
    keys = AuthKeys()
    checking, clock, token = await after_a_failed_catch_up(keys)
    clock.now += JWKS_MIN_REFRESH_SECONDS + 1
    assert (await checking.verify(token)).customer_id == BRAND


async def test_an_overlong_api_key_is_an_unknown_key_not_an_outage():
    keys = AuthKeys()
    checking = verifier(keys)
    with pytest.raises(Unauthorized, match="unknown or revoked"):
        await checking.verify(API_KEY_PREFIX + "a" * 300)
    assert keys.introspected == 0


async def test_a_flood_of_unknown_api_keys_stays_bounded_and_keeps_the_keys_in_use():
    keys = AuthKeys()
    known, _ = keys.new_api_key()
    checking = TokenVerifier(keys.http_client(), api_key_cache_seconds=60, cache_size=3)
    await checking.verify(known)
    for n in range(10):
        with pytest.raises(Unauthorized):
            await checking.verify(f"{API_KEY_PREFIX}guess-{n}")
        await checking.verify(known)
    assert keys.introspected == 11  # the known key was asked about once, every guess once
    assert len(checking._api_keys) == 3
    with pytest.raises(Unauthorized):
        await checking.verify(f"{API_KEY_PREFIX}guess-9")  # still remembered as unknown
    assert keys.introspected == 11


async def test_verified_tokens_stay_bounded_and_the_ones_in_use_stay_cached():
    keys = AuthKeys()
    checking = TokenVerifier(keys.http_client(), cache_size=2)
    in_use = keys.customer_user_token(BRAND)
    await checking.verify(in_use)
    for _ in range(5):
        await checking.verify(keys.customer_user_token(BRAND))
        await checking.verify(in_use)
    assert len(checking._verified) == 2
    assert in_use in checking._verified


@pytest.mark.parametrize("principal", [{"role": "admin"}, {"customer_id": BRAND}, {}])
async def test_a_customer_users_token_without_its_customer_or_role_is_refused(principal):
    """Scopes read "no customer" as "every customer": such a token would see every customer's orders."""
    keys = AuthKeys()
    token = keys.token(Principal(kind=PrincipalKind.customer_user, subject_id=USER, **principal))

    with pytest.raises(Unauthorized):
        await verifier(keys).verify(token)
