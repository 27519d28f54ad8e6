"""OWASP API6:2023 Unrestricted Access to Sensitive Business Flows: the flows a script could abuse at
scale are bounded. Asking for password resets again and again mails one link a minute and tells nothing
about the address; repeating an order with the same Idempotency-Key places it once; a reset link works
once. (Login guessing is throttled per account: test_api4_resource_consumption.py.)"""

import asyncio
import email
import email.policy
import re
import secrets

import pytest
from sqlalchemy import select

from printbridge_shared.testing import eventually
from storefront_auth.models import PasswordReset

from .conftest import MANUAL_ORDER, settled, world_of

pytestmark = pytest.mark.asyncio(loop_scope="module")


def mails_to(data_dir, address: str) -> list[str]:
    found = []
    for eml in (data_dir / "mail").glob("*.eml"):
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        if message["To"] == address:
            found.append(message.get_body(preferencelist=("plain",)).get_content())
    return found


async def test_a_flood_of_reset_requests_mails_one_link_and_answers_alike_for_unknown_addresses(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("PRINTBRIDGE_SMTP_HOST", raising=False)
    monkeypatch.setenv("PRINTBRIDGE_PUBLIC_URL", "https://print.example")
    async with world_of(tmp_path) as world:
        address = world.users["viewer"].email
        spellings = [address, address.upper(), f" {address} "]
        known = [
            await world.client.post("/v1/auth/password-reset", json={"email": spellings[i % 3]})
            for i in range(15)
        ]
        unknown = await world.client.post("/v1/auth/password-reset", json={"email": "nobody@nowhere.example"})
        await eventually(lambda: mails_to(tmp_path, address))
        sent = mails_to(tmp_path, address)
        async with world.gateway.apps["storefront-auth"].state.db.session() as session:
            # Each request's lookup ran before its answer reached this client (in-process, in order).
            resets = (await session.scalars(select(PasswordReset))).all()

        link = re.search(r"https://print\.example/password-reset/([A-Za-z0-9_-]{22,})", sent[0]).group(1)
        password = "a brand new long passphrase"
        first = await world.client.post(
            f"/v1/auth/password-reset/{link}/complete", json={"password": password}
        )
        again = await world.client.post(
            f"/v1/auth/password-reset/{link}/complete", json={"password": password + "!"}
        )

    assert {a.status_code for a in known} == {202} and unknown.status_code == 202
    assert {a.content for a in known} == {unknown.content}
    assert len(sent) == 1
    assert [reset.user_id for reset in resets] == [world.users["viewer"].id]
    assert first.status_code == 200, first.text
    assert again.status_code == 410, again.text


async def test_an_order_sent_again_with_its_idempotency_key_is_placed_once(teams):
    manual = {"platform": "manual", "name": "Direct", "customer_id": teams.a.id}
    store = await settled(
        lambda: teams.call("operator", "POST", "/v1/stores", json=manual), unless="customer-unknown"
    )
    path = f"/v1/stores/{store.json()['store']['id']}/orders"
    key = {"Idempotency-Key": secrets.token_hex(8)}

    first = await settled(
        lambda: teams.call("admin", "POST", path, json=MANUAL_ORDER, headers=key), unless="store-not-found"
    )
    repeats = await asyncio.gather(
        *(teams.call("admin", "POST", path, json=MANUAL_ORDER, headers=key) for _ in range(5))
    )
    changed = await teams.call(
        "admin", "POST", path, json={**MANUAL_ORDER, "reference": "PO-other"}, headers=key
    )
    listed = await teams.call("admin", "GET", path)

    assert first.status_code == 201, first.text
    assert {r.json()["id"] for r in repeats if r.status_code in (200, 201)} == {first.json()["id"]}
    assert all(r.status_code in (200, 201, 409) for r in repeats), [r.status_code for r in repeats]
    assert changed.status_code in (409, 422), changed.text
    assert [item["id"] for item in listed.json()["items"]] == [first.json()["id"]]
