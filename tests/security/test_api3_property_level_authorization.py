"""OWASP API3:2023 Broken Object Property Level Authorization: answers carry no property the caller may
not see (credentials, hashes, signing secrets after they were shown once), and bodies cannot set a
property the caller may not set (another customer as owner, a role above one's own, an order's status or
owner, fields the operation does not take: 422 naming them)."""

import re

import pytest

from printbridge_shared import log_scan
from storefront_auth.auth.service import customer_user_principal
from storefront_auth.models import CustomerUser

from .conftest import PRODUCT_UID, flyer_pdf

pytestmark = pytest.mark.asyncio(loop_scope="module")

SECRET_PROPERTIES = re.compile(
    r'"(password|password_hash|consumer_secret|consumer_key|access_token|refresh_token|key_hash|'
    r'secret|client_secret|credentials|token_hash)"\s*:',
)


async def test_reads_of_every_resource_carry_no_secret_for_any_caller(world):
    """Every object and listing of the world read by its owner's admin and by the operator."""
    reads = [*world.a.paths.values(), "/v1/stores", "/v1/users", "/v1/api-keys", "/v1/postbacks/endpoints"]
    reads += [f"/v1/stores/{world.a.woo_store}/products", "/v1/orders", "/v1/auth/me"]
    known = log_scan.KNOWN.values()
    for caller in ("admin", "operator", "api_key"):
        for path in reads:
            answer = await world.call(caller, "GET", path)
            if answer.status_code != 200:
                continue
            assert not SECRET_PROPERTIES.search(answer.text), f"{caller} GET {path}: {answer.text[:500]}"
            assert not [v for v in known if v in answer.text], f"{caller} GET {path} shows a secret"


async def test_a_customer_user_cannot_make_something_for_another_customer(world):
    other = world.b.id
    attempts = [
        ("POST", "/v1/templates", {"customer_id": other, "name": "Planted", "product_uid": PRODUCT_UID}),
        ("POST", "/v1/stores", {"platform": "manual", "name": "Planted", "customer_id": other}),
    ]
    for method, path, body in attempts:
        answer = await world.call("admin", method, path, json=body)
        assert answer.status_code in (403, 404, 422), (
            f"{method} {path}: {answer.status_code} {answer.text[:300]}"
        )
    uploaded = await world.call(
        "admin",
        "POST",
        "/v1/files",
        data={"customer_id": other},
        files={"file": ("x.pdf", flyer_pdf(), "application/pdf")},
    )
    assert uploaded.status_code in (403, 404, 422), uploaded.text
    b_files = (await world.call("b_admin", "GET", "/v1/files")).json()["items"]
    b_templates = (await world.call("b_admin", "GET", "/v1/templates")).json()["items"]
    b_stores = (await world.call("b_admin", "GET", "/v1/stores")).json()["items"]
    assert "Planted" not in str([*b_files, *b_templates, *b_stores])
    assert len(b_files) == 1


async def test_a_user_cannot_raise_their_own_role_or_reach_more_stores(world):
    viewer = world.users["viewer"]
    manager = world.users["store_manager"]
    attempts = [
        ("viewer", f"/v1/users/{viewer.id}", {"role": "admin"}),
        (
            "store_manager",
            f"/v1/users/{manager.id}",
            {"store_ids": [world.a.woo_store, world.a.manual_store]},
        ),
        ("store_manager", f"/v1/users/{manager.id}", {"role": "admin"}),
    ]
    for caller, path, body in attempts:
        answer = await world.call(caller, "PATCH", path, json=body)
        assert answer.status_code == 403, f"{caller} PATCH {path}: {answer.status_code} {answer.text[:200]}"
    me = (await world.call("viewer", "GET", "/v1/auth/me")).json()
    assert me["role"] == "viewer"


async def test_another_customers_store_given_to_a_team_member_grants_nothing(world):
    """storefront-auth does not know which stores exist, so it takes any id an admin gives; every service
    checks the customer first, so B's store in A's store manager's list opens none of B's store."""
    member = await world.make_user(world.a.id, "store_manager", [world.a.woo_store])
    given = await world.call(
        "admin", "PATCH", f"/v1/users/{member.id}", json={"store_ids": [world.b.woo_store]}
    )
    assert given.status_code == 200, given.text
    async with world.gateway.apps["storefront-auth"].state.db.session() as session:
        stored = await session.get(CustomerUser, member.id)
        headers = {"Authorization": f"Bearer {await world.token_of(customer_user_principal(stored))}"}
    store = world.b.woo_store
    for path in (f"/v1/stores/{store}", f"/v1/stores/{store}/products", world.b.paths["shop variant"]):
        answer = await world.client.get(path, headers=headers)
        assert answer.status_code == 404, f"{path}: {answer.status_code} {answer.text[:200]}"
    listed = await world.client.get("/v1/stores", headers=headers)
    assert listed.json()["items"] == []


@pytest.mark.parametrize(
    ("kind", "method", "suffix", "body"),
    [
        ("store", "PATCH", "", {"name": "Shop", "customer_id": "{b}"}),
        ("store", "PATCH", "", {"name": "Shop", "status": "connected", "platform": "shopify"}),
        ("template", "PATCH", "", {"customer_id": "{b}"}),
        ("order", "PATCH", "", {"status": "shipped"}),
        ("order", "PATCH", "", {"customer_id": "{b}", "store_id": "{b}"}),
        ("user", "PATCH", "", {"customer_id": "{b}"}),
        ("user", "PATCH", "", {"email": "taken.over@evil.example"}),
        ("postback endpoint", "PATCH", "", {"customer_id": "{b}", "secret": "whsec_mine"}),
        ("customer", "PATCH", "", {"id": "{b}", "archived_at": "2020-01-01T00:00:00Z"}),
    ],
)
async def test_properties_an_operation_does_not_take_are_refused_naming_them(
    world, kind, method, suffix, body
):
    caller = "operator" if kind in ("customer", "postback endpoint") else "admin"
    body = {name: (world.b.id if value == "{b}" else value) for name, value in body.items()}
    path = world.a.paths[kind] + suffix
    before = (await world.call(caller, "GET", path)).json()

    answer = await world.call(caller, method, path, json=body)

    assert answer.status_code == 422, f"{method} {path}: {answer.status_code} {answer.text[:300]}"
    named = {error["loc"][-1] for error in answer.json()["errors"]}
    assert named & set(body) - {"name"}, answer.text
    assert (await world.call(caller, "GET", path)).json() == before
