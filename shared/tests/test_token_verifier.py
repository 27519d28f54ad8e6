"""What the verifier refuses beyond a bad signature: tokens of a customer whose Storefront access is
off, and a user's tokens issued before its role changed or it was removed. It learns both from
storefront-auth with the keys, from events, and again after the event bus reconnected."""

import asyncio
import datetime as dt
import uuid

import pytest

from printbridge_shared.auth.revocations import Revocations, RevokedSubject
from printbridge_shared.auth.verifier import TokenVerifier
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
    enabled = StorefrontAccessEnabled(
        customer_id=BRAND,
        customer_name="Brand",
        admin={"email": "a@b.example", "first_name": "A", "last_name": "B"},
    )
    await checking.on_storefront_access_changed(enabled, None)
    await checking.verify(token)
    await asyncio.sleep(0.01)
    updated = StorefrontUserUpdated(
        customer_id=BRAND, user_id=USER, role="viewer", store_ids=[], updated_at=now()
    )
    await checking.on_user_changed(updated, None)
    with pytest.raises(Unauthorized):
        await checking.verify(token)


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
