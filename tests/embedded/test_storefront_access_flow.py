"""Storefront access across services, in one process: the operator turns it on, storefront-auth mails
the invitation (no SMTP configured: an .eml file under the data directory), the admin accepts it, and
the customer's status moves pending → invited → active."""

import asyncio
import email
import email.policy
import re
import uuid
from pathlib import Path

import httpx

from printbridge.config import GatewaySettings
from printbridge.embedded import build_embedded
from printbridge_shared.auth.principal import Principal, PrincipalKind


async def test_access_on_mails_the_invitation_and_accepting_it_makes_the_admin_active(
    tmp_path: Path, monkeypatch
):
    monkeypatch.delenv("PRINTBRIDGE_SMTP_HOST", raising=False)
    monkeypatch.setenv("PRINTBRIDGE_PUBLIC_URL", "https://print.example")
    gateway = build_embedded(GatewaySettings(data_dir=tmp_path, access_log=False, rate_limit_per_second=0))
    async with gateway.lifespan(None):
        issuer = gateway.apps["storefront-auth"].state.token_issuer
        token = await issuer.access_token(Principal(kind=PrincipalKind.operator, subject_id=uuid.uuid4()))
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway), base_url="http://gw"
        ) as client:
            customer = (
                await client.post("/v1/customers", json={"name": "Brand GmbH"}, headers=headers)
            ).json()
            url = f"/v1/customers/{customer['id']}/storefront-access"
            admin = {"email": "anna@brand.example", "first_name": "Anna", "last_name": "Berg"}
            turned_on = await client.put(url, json={"enabled": True, "admin": admin}, headers=headers)
            assert turned_on.json()["invitation_status"] == "pending"
            invited = await status_after(client, url, headers, "pending")
            [eml] = (tmp_path / "mail").glob("*.eml")
            message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            text = message.get_body(preferencelist=("plain",)).get_content()
            link = re.search(r"https://print\.example/invitations/([A-Za-z0-9_-]{22,})", text)
            assert link, text
            accepted = await client.post(
                f"/v1/invitations/{link.group(1)}/accept", json={"password": "a long and quiet river"}
            )
            active = await status_after(client, url, headers, "invited")
    assert message["To"] == "anna@brand.example"
    assert (invited["invitation_status"], invited["invited_at"] is not None) == ("invited", True)
    assert accepted.status_code == 200, accepted.text
    assert (active["invitation_status"], active["activated_at"] is not None) == ("active", True)


async def status_after(client: httpx.AsyncClient, url: str, headers: dict[str, str], previous: str) -> dict:
    """Polls the storefront-access status until it leaves `previous` (events travel asynchronously)."""
    status: dict = {}
    for _ in range(250):
        status = (await client.get(url, headers=headers)).json()
        if status["invitation_status"] != previous:
            break
        await asyncio.sleep(0.04)
    return status


async def test_the_admin_invites_a_colleague_who_later_resets_the_password_on_the_built_in_page(
    tmp_path: Path, monkeypatch
):
    """Through the embedded gateway, e-mails as .eml files: team invitation, then a password reset whose
    link opens the built-in page."""
    monkeypatch.delenv("PRINTBRIDGE_SMTP_HOST", raising=False)
    monkeypatch.setenv("PRINTBRIDGE_PUBLIC_URL", "https://print.example")
    gateway = build_embedded(GatewaySettings(data_dir=tmp_path, access_log=False, rate_limit_per_second=0))
    async with gateway.lifespan(None):
        issuer = gateway.apps["storefront-auth"].state.token_issuer
        token = await issuer.access_token(Principal(kind=PrincipalKind.operator, subject_id=uuid.uuid4()))
        operator = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway), base_url="http://gw"
        ) as client:
            customer = (await client.post("/v1/customers", json={"name": "Brand"}, headers=operator)).json()
            admin = {"email": "anna@brand.example", "first_name": "Anna", "last_name": "Berg"}
            url = f"/v1/customers/{customer['id']}/storefront-access"
            await client.put(url, json={"enabled": True, "admin": admin}, headers=operator)
            link = await mailed_link(tmp_path, "anna@brand.example", "invitations")
            tokens = (await client.post(f"/v1/invitations/{link}/accept", json={"password": PASSWORD})).json()
            as_admin = {"Authorization": f"Bearer {tokens['access_token']}"}
            colleague = {
                "email": "vic@brand.example",
                "first_name": "Vic",
                "last_name": "Lee",
                "role": "viewer",
            }
            invited = await client.post("/v1/users", json=colleague, headers=as_admin)
            link = await mailed_link(tmp_path, "vic@brand.example", "invitations")
            accepted = await client.post(f"/v1/invitations/{link}/accept", json={"password": PASSWORD})

            asked = await client.post("/v1/auth/password-reset", json={"email": "VIC@brand.example"})
            link = await mailed_link(tmp_path, "vic@brand.example", "password-reset")
            page = await client.get(f"/password-reset/{link}")
            new_password = "another long and quiet river"
            form = await client.post(f"/password-reset/{link}", data={"password": new_password})
            old = await client.post(
                "/v1/auth/login", json={"email": "vic@brand.example", "password": PASSWORD}
            )
            new = await client.post(
                "/v1/auth/login", json={"email": "vic@brand.example", "password": new_password}
            )
    assert invited.status_code == 201 and accepted.status_code == 200
    assert asked.status_code == 202
    assert page.status_code == 200 and "<form" in page.text
    assert form.status_code == 200, form.text
    assert (old.status_code, new.status_code) == (401, 200)
    assert new.json()["access_token"]


PASSWORD = "a long and quiet river"


async def mailed_link(data_dir: Path, to: str, path: str) -> str:
    """The token of the newest link to `path` in an .eml file addressed to `to` (written asynchronously)."""
    pattern = re.compile(rf"https://print\.example/{path}/([A-Za-z0-9_-]{{22,}})")
    for _ in range(250):
        for eml in sorted((data_dir / "mail").glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            if message["To"] == to:
                found = pattern.search(message.get_body(preferencelist=("plain",)).get_content())
                if found:
                    return found.group(1)
        await asyncio.sleep(0.04)
    raise AssertionError(f"no {path} link for {to}")
