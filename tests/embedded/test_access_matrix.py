"""Who may call what: every operation of the merged API times every kind of caller → the expected answer.
This is the one place that shows it; an operation without a row fails the first test."""

import contextlib
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from printbridge.config import GatewaySettings
from printbridge.embedded import build_embedded
from printbridge_shared.auth.principal import Principal, PrincipalKind
from printbridge_shared.db import utcnow
from printbridge_shared.testing import bearer
from storefront_auth.auth.service import customer_user_principal
from storefront_auth.models import CustomerAccess, CustomerUser

# What each caller gets, in the order of CALLERS:
#   any  the operation runs (not 401/403; 404 is possible: the path's token or id is made up)
#   ok   the operation runs on a real resource (not 401/403/404)
#   401 / 403 / 404  exactly that refusal (404: another customer's resource does not exist for you)
CALLERS = ("nobody", "operator", "admin", "store_manager", "order_manager", "viewer", "other customer")
PUBLIC = "any any any any any any any"
SIGNED_IN = "401 ok  ok  ok  ok  ok  ok"
OPERATOR = "401 ok  403 403 403 403 403"

MATRIX = {
    #                          nobody operator admin store order viewer other
    "login": PUBLIC,
    "refresh_tokens": PUBLIC,
    "logout": PUBLIC,
    "get_jwks": PUBLIC,
    "get_me": SIGNED_IN,
    "request_password_reset": PUBLIC,
    "get_password_reset": PUBLIC,
    "complete_password_reset": PUBLIC,
    "get_invitation": PUBLIC,
    "accept_invitation": PUBLIC,
    "create_api_key": OPERATOR,
    "list_api_keys": OPERATOR,
    "revoke_api_key": "401 any 403 403 403 403 403",
    "create_customer": OPERATOR,
    "list_customers": OPERATOR,
    "get_customer": OPERATOR,
    "update_customer": OPERATOR,
    "archive_customer": OPERATOR,
    "get_storefront_access": OPERATOR,
    "update_storefront_access": OPERATOR,
    "resend_invitation": OPERATOR,
    "list_users": "401 ok  ok  403 403 403 ok",
    "invite_user": "401 403 ok  403 403 403 ok",
    "get_user": "401 ok  ok  403 403 403 404",
    "update_user": "401 403 ok  403 403 403 404",
    "remove_user": "401 403 ok  403 403 403 404",
    "resend_user_invitation": "401 403 ok  403 403 403 404",
    # Stores: admins (and operators) connect; store managers look after their own; order managers never.
    # The path's store is made up, so the rest may answer 404; a connect with an empty body answers 422.
    "connect_store": "401 any any 403 403 403 any",
    "list_stores": "401 ok  ok  ok  403 ok  ok",
    "get_store": "401 any any any 403 any any",
    "update_store": "401 any any any 403 403 any",
    "disconnect_store": "401 any any any 403 403 any",
    "reconcile_store": "401 any any any 403 403 any",
    "reconnect_store": "401 any any any 403 403 any",
    "get_webhook_setup": "401 any any any 403 403 any",
    "rotate_webhook_key": "401 any any any 403 403 any",
    "update_store_credentials": "401 any any any 403 403 any",
    # Orders: everyone with orders:read (not store managers); the path's order or store is made up.
    "list_orders": "401 ok  ok  403 ok  ok  ok",
    "get_order": "401 any any 403 any any any",
    "list_store_orders": "401 any any 403 any any any",
    # A person's actions before production and the file re-check need orders:manage (not viewers, not store
    # managers); the path's order is made up, a body-less hold answers 422.
    "hold_order": "401 any any 403 any 403 any",
    "release_order": "401 any any 403 any 403 any",
    "cancel_order": "401 any any 403 any 403 any",
    "correct_order": "401 any any 403 any 403 any",
    "recheck_order_files": "401 any any 403 any 403 any",
    # The production API is the producer's MIS: operators and API keys only. The path's order is made up.
    "list_production_orders": OPERATOR,
    "get_production_order": "401 any 403 403 403 403 403",
    "claim_production_order": "401 any 403 403 403 403 403",
    "reject_production_items": "401 any 403 403 403 403 403",
    "report_order_status": "401 any 403 403 403 403 403",
    # CSV order imports: orders:manage uploads (and gets the template), orders:read follows them.
    "get_order_import_template": "401 any any 403 any 403 any",
    "create_order_import": "401 any any 403 any 403 any",
    "list_order_imports": "401 any any 403 any any any",
    "get_order_import": "401 any any 403 any any any",
    # Placing a manual order needs orders:manage (not viewers, not store managers); the store is made up.
    "place_manual_order": "401 any any 403 any 403 any",
    # Test orders: placing one needs orders:manage, reading runs orders:read; the store and run are made up.
    "place_test_order": "401 any any 403 any 403 any",
    "list_test_orders": "401 ok  ok  403 ok  ok  ok",
    "get_test_order": "401 any any 403 any any any",
    # The catalog is the producer's: every signed-in caller reads it, only operators write it. The path's
    # product is made up (404); a create with an empty body answers 422.
    "create_catalog_product": OPERATOR,
    "list_catalog_products": SIGNED_IN,
    "get_catalog_product": "401 any any any any any any",
    "update_catalog_product": "401 any 403 403 403 403 403",
    "retire_catalog_product": "401 any 403 403 403 403 403",
    "reactivate_catalog_product": "401 any 403 403 403 403 403",
    "export_catalog_json": SIGNED_IN,
    "export_catalog_csv": SIGNED_IN,
    "import_catalog": OPERATOR,
    # Templates: products:read reads, products:manage writes (not viewers); order managers neither. The
    # path's template is made up (404); a create with an empty body answers 422.
    "create_template": "401 any any any 403 403 any",
    "list_templates": "401 ok  ok  ok  403 ok  ok",
    "get_template": "401 any any any 403 any any",
    "update_template": "401 any any any 403 403 any",
    "delete_template": "401 any any any 403 403 any",
    "recheck_template_files": "401 any any any 403 403 any",
    # Shop products and mappings: products:read reads, products:manage syncs and maps (not viewers); order
    # managers neither; a store manager only its stores. The path's store, product and variant are made up
    # (404).
    "list_store_products": "401 any any any 403 any any",
    "sync_store_products": "401 any any any 403 403 any",
    "list_shop_products": "401 ok  ok  ok  403 ok  ok",
    "get_shop_product": "401 any any any 403 any any",
    "get_shop_variant": "401 any any any 403 any any",
    "map_shop_variant": "401 any any any 403 403 any",
    "map_shop_variants": "401 any any any 403 403 any",
    "unmap_shop_variant": "401 any any any 403 403 any",
    "recheck_shop_variant_files": "401 any any any 403 403 any",
    "create_product_draft": "401 any any any 403 403 any",
    "list_product_drafts": "401 any any any 403 any any",
    "get_product_draft": "401 any any any 403 any any",
    "publish_product_draft": "401 any any any 403 403 any",
    # Design files: products:read reads (not order managers), products:manage uploads and deletes (not
    # viewers either). The path's file is made up (404); an upload with a JSON body answers 415.
    "upload_file": "401 any any any 403 403 any",
    "list_files": "401 ok  ok  ok  403 ok  ok",
    "get_file": "401 any any any 403 any any",
    "delete_file": "401 any any any 403 403 any",
    "download_file": "401 any any any 403 any any",
    # Bulk mapping by CSV: products:read exports and follows imports, products:manage imports (not
    # viewers); order managers neither. The path's store or import is made up (404); a JSON body to the
    # import answers 415 once the store is found.
    "export_store_products_csv": "401 any any any 403 any any",
    "import_store_products": "401 any any any 403 403 any",
    "list_product_imports": "401 any any any 403 any any",
    "get_product_import": "401 any any any 403 any any",
    # Routing is the producer's own set-up: operators and API keys only, every customer role 403. The
    # path's line or rule is made up (404); a create or dry run with an empty body answers 422.
    "list_production_lines": OPERATOR,
    "create_production_line": OPERATOR,
    "get_production_line": "401 any 403 403 403 403 403",
    "update_production_line": "401 any 403 403 403 403 403",
    "delete_production_line": "401 any 403 403 403 403 403",
    "list_routing_rules": OPERATOR,
    "create_routing_rule": OPERATOR,
    "test_routing_rules": OPERATOR,
    "get_routing_rule": "401 any 403 403 403 403 403",
    "update_routing_rule": "401 any 403 403 403 403 403",
    "delete_routing_rule": "401 any 403 403 403 403 403",
    # Postbacks are the producer's own systems: operators and API keys only, every customer role 403. The
    # path's endpoint or delivery is made up (404); a create with an empty body answers 422.
    "create_postback_endpoint": OPERATOR,
    "list_postback_endpoints": OPERATOR,
    "get_postback_endpoint": "401 any 403 403 403 403 403",
    "update_postback_endpoint": "401 any 403 403 403 403 403",
    "delete_postback_endpoint": "401 any 403 403 403 403 403",
    "rotate_postback_secret": "401 any 403 403 403 403 403",
    "test_postback_endpoint": "401 any 403 403 403 403 403",
    "list_postback_deliveries": "401 any 403 403 403 403 403",
    "get_postback_delivery": "401 any 403 403 403 403 403",
    "redeliver_postback": "401 any 403 403 403 403 403",
}
RUNS = {"any", "ok"}


def acceptable(outcome: str) -> set[int]:
    runs = set(range(200, 500)) - {401, 403}
    if outcome == "any":
        return runs
    if outcome == "ok":
        return runs - {404}
    return {int(outcome)}


@contextlib.asynccontextmanager
async def suite(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, dict[str, str]], Any]]:
    """The embedded suite with one customer (Brand) whose team has every role, and another customer's
    admin. Yields a client, each caller's headers, and a factory of the path parameters."""
    gateway = build_embedded(GatewaySettings(data_dir=tmp_path, access_log=False, rate_limit_per_second=0))
    async with gateway.lifespan(None):
        auth_app = gateway.apps["storefront-auth"]
        issuer = auth_app.state.token_issuer
        operator = Principal(kind=PrincipalKind.operator, subject_id=uuid.uuid4(), email="staff@example.com")
        headers = {"nobody": {}, "operator": bearer(await issuer.access_token(operator))}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway), base_url="http://gw"
        ) as client:
            brand = await client.post("/v1/customers", json={"name": "Brand"}, headers=headers["operator"])
            brand_id = uuid.UUID(brand.json()["id"])

            async def user(customer_id: uuid.UUID, role: str) -> CustomerUser:
                now = utcnow()
                stores = [str(uuid.uuid4())] if role == "store_manager" else []
                created = CustomerUser(
                    id=uuid.uuid4(),
                    customer_id=customer_id,
                    email=f"{uuid.uuid4().hex[:8]}@{role}.example",
                    first_name="Test",
                    last_name=role,
                    role=role,
                    store_ids=stores,
                    password_hash=None,
                    created_at=now,
                    activated_at=now,
                )
                async with auth_app.state.db.session() as session:
                    if await session.get(CustomerAccess, customer_id) is None:
                        session.add(CustomerAccess(customer_id=customer_id, enabled=True, changed_at=now))
                    session.add(created)
                return created

            for role in ("admin", "store_manager", "order_manager", "viewer"):
                principal = customer_user_principal(await user(brand_id, role))
                headers[role] = bearer(await issuer.access_token(principal))
            other = customer_user_principal(await user(uuid.uuid4(), "admin"))
            headers["other customer"] = bearer(await issuer.access_token(other))

            async def parameter(name: str) -> str:
                if name == "customer_id":
                    return str(brand_id)
                if name == "user_id":  # a fresh one each time: removing it must not change later calls
                    return str((await user(brand_id, "viewer")).id)
                if name == "token":
                    return secrets.token_urlsafe(32)
                return str(uuid.uuid4())

            yield client, headers, parameter


@pytest.fixture(scope="module")
def operations() -> list[tuple[str, str, str]]:
    from printbridge.openapi import merged_openapi_document

    document = merged_openapi_document()
    return [
        (operation["operationId"], method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_operation_has_a_row_in_the_matrix(operations):
    assert sorted(op for op, _, _ in operations) == sorted(MATRIX)
    assert all(len(row.split()) == len(CALLERS) for row in MATRIX.values())


async def test_each_caller_gets_the_answer_the_matrix_says(operations, tmp_path):
    # Archiving the customer goes last: everything before acts on an active customer.
    ordered = sorted(operations, key=lambda op: op[0] == "archive_customer")
    async with suite(tmp_path) as (client, headers, parameter):
        for operation_id, method, path in ordered:
            for caller, outcome in zip(CALLERS, MATRIX[operation_id].split(), strict=True):
                concrete = path
                for name in re.findall(r"\{([^}]+)\}", path):
                    concrete = concrete.replace(f"{{{name}}}", await parameter(name))
                body = {} if method in ("POST", "PUT", "PATCH") else None
                response = await client.request(method, concrete, json=body, headers=headers[caller])
                if response.status_code in (401, 403, 404):
                    assert response.headers["content-type"] == "application/problem+json"
                if response.status_code == 401:
                    assert response.headers["www-authenticate"] == "Bearer"
                assert response.status_code in acceptable(outcome), (
                    f"{caller}: {method} {concrete} ({operation_id}) expected {outcome}, "
                    f"got {response.status_code} {response.text[:200]}"
                )
