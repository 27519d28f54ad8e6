"""Storefront access across services, in one process and through the embedded gateway, with e-mails
written as .eml files under the data directory (no SMTP configured): the operator turns access on, the
admin accepts the invitation and the customer's status moves pending → invited → active; the admin
invites a colleague, who later resets the password on the built-in page."""

import email
import email.policy
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from printbridge.config import GatewaySettings
from printbridge_shared.testing import eventually

PASSWORD = "a long and quiet river"
ADMIN = {"email": "anna@brand.example", "first_name": "Anna", "last_name": "Berg"}


@pytest.fixture
async def suite(
    tmp_path: Path, monkeypatch, operator_suite
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """A client of the embedded gateway and an operator's headers."""
    monkeypatch.delenv("PRINTBRIDGE_SMTP_HOST", raising=False)
    monkeypatch.setenv("PRINTBRIDGE_PUBLIC_URL", "https://print.example")
    async with operator_suite(
        GatewaySettings(data_dir=tmp_path, access_log=False, rate_limit_per_second=0)
    ) as opened:
        yield opened


async def test_access_on_mails_the_invitation_and_accepting_it_makes_the_admin_active(suite, tmp_path):
    client, operator = suite
    customer = (await client.post("/v1/customers", json={"name": "Brand GmbH"}, headers=operator)).json()
    url = f"/v1/customers/{customer['id']}/storefront-access"
    turned_on = await client.put(url, json={"enabled": True, "admin": ADMIN}, headers=operator)
    assert turned_on.json()["invitation_status"] == "pending"
    invited = await status_after(client, url, operator, "pending")
    token = await mailed_link(tmp_path, "anna@brand.example", "invitations")
    accepted = await client.post(f"/v1/invitations/{token}/accept", json={"password": PASSWORD})
    active = await status_after(client, url, operator, "invited")
    assert (invited["invitation_status"], invited["invited_at"] is not None) == ("invited", True)
    assert accepted.status_code == 200, accepted.text
    assert (active["invitation_status"], active["activated_at"] is not None) == ("active", True)


async def test_the_admin_invites_a_colleague_who_later_resets_the_password_on_the_built_in_page(
    suite, tmp_path
):
    client, operator = suite
    _url, tokens = await brand_with_an_active_admin(client, operator, tmp_path)
    as_admin = {"Authorization": f"Bearer {tokens['access_token']}"}
    colleague = {"email": "vic@brand.example", "first_name": "Vic", "last_name": "Lee", "role": "viewer"}
    invited = await client.post("/v1/users", json=colleague, headers=as_admin)
    token = await mailed_link(tmp_path, "vic@brand.example", "invitations")
    accepted = await client.post(f"/v1/invitations/{token}/accept", json={"password": PASSWORD})

    asked = await client.post("/v1/auth/password-reset", json={"email": "VIC@brand.example"})
    token = await mailed_link(tmp_path, "vic@brand.example", "password-reset")
    page = await client.get(f"/password-reset/{token}")
    new_password = "another long and quiet river"
    form = await client.post(f"/password-reset/{token}", data={"password": new_password})
    old = await client.post("/v1/auth/login", json={"email": "vic@brand.example", "password": PASSWORD})
    new = await client.post("/v1/auth/login", json={"email": "vic@brand.example", "password": new_password})
    assert invited.status_code == 201 and accepted.status_code == 200
    assert asked.status_code == 202
    assert page.status_code == 200 and "<form" in page.text
    assert form.status_code == 200, form.text
    assert (old.status_code, new.status_code) == (401, 200)


async def test_switching_access_off_and_on_again_makes_the_users_log_in_again(suite, tmp_path):
    client, operator = suite
    url, tokens = await brand_with_an_active_admin(client, operator, tmp_path)
    before = {"Authorization": f"Bearer {tokens['access_token']}"}
    credentials = {"email": ADMIN["email"], "password": PASSWORD}

    async def me_answers(status: int) -> bool:
        return (await client.get("/v1/auth/me", headers=before)).status_code == status

    async def login_answers(status: int) -> bool:
        return (await client.post("/v1/auth/login", json=credentials)).status_code == status

    assert await me_answers(200)
    await client.put(url, json={"enabled": False}, headers=operator)
    await eventually(lambda: me_answers(403))
    await client.put(url, json={"enabled": True, "admin": ADMIN}, headers=operator)
    await eventually(lambda: login_answers(200))
    relogged = (await client.post("/v1/auth/login", json=credentials)).json()
    after = {"Authorization": f"Bearer {relogged['access_token']}"}
    assert (await client.get("/v1/users", headers=before)).status_code == 401
    assert await me_answers(401)
    assert (await client.get("/v1/users", headers=after)).status_code == 200


async def brand_with_an_active_admin(
    client: httpx.AsyncClient, operator: dict[str, str], data_dir: Path
) -> tuple[str, dict]:
    """A customer (Brand) whose admin accepted the mailed invitation: its storefront-access URL and the
    admin's tokens."""
    customer = (await client.post("/v1/customers", json={"name": "Brand"}, headers=operator)).json()
    url = f"/v1/customers/{customer['id']}/storefront-access"
    await client.put(url, json={"enabled": True, "admin": ADMIN}, headers=operator)
    token = await mailed_link(data_dir, "anna@brand.example", "invitations")
    tokens = (await client.post(f"/v1/invitations/{token}/accept", json={"password": PASSWORD})).json()
    return url, tokens


async def status_after(client: httpx.AsyncClient, url: str, headers: dict[str, str], previous: str) -> dict:
    """The storefront-access status once it has left `previous` (events travel asynchronously)."""
    status: dict = {}

    async def moved_on() -> bool:
        nonlocal status
        status = (await client.get(url, headers=headers)).json()
        return bool(status["invitation_status"] != previous)

    await eventually(moved_on)
    return status


async def mailed_link(data_dir: Path, to: str, path: str) -> str:
    """The token of the newest link to `path` in an .eml file addressed to `to` (written asynchronously)."""
    pattern = re.compile(rf"https://print\.example/{path}/([A-Za-z0-9_-]{{22,}})")
    token = ""

    def newest_link() -> bool:
        nonlocal token
        for eml in sorted((data_dir / "mail").glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            if message["To"] == to:
                found = pattern.search(message.get_body(preferencelist=("plain",)).get_content())
                if found:
                    token = found.group(1)
                    return True
        return False

    await eventually(newest_link)
    return token
