"""The one role → permission model: what each kind of caller may do and see."""

import uuid

import pytest

from printbridge_shared.auth.permissions import Permission, Scope, permissions_of, refusal
from printbridge_shared.auth.principal import Principal, PrincipalKind, Role

BRAND, OTHER, STORE, ELSEWHERE = (uuid.uuid4() for _ in range(4))


def user(role: Role, stores: list[uuid.UUID] | None = None) -> Principal:
    return Principal(
        kind=PrincipalKind.customer_user,
        subject_id=uuid.uuid4(),
        customer_id=BRAND,
        role=role,
        store_ids=stores or [],
    )


OPERATOR = Principal(kind=PrincipalKind.operator, subject_id=uuid.uuid4())


# Written out permission by permission, not derived from Permission: a permission added later is held by
# nobody here, so the test fails until someone decides who holds it.
EVERY_PERMISSION = (
    "producer:manage users:read users:manage stores:read stores:connect stores:manage products:read "
    "products:manage orders:read orders:manage"
)
HELD = {
    "operator": "producer:manage users:read stores:read stores:connect stores:manage products:read "
    "products:manage orders:read orders:manage",
    "admin": "users:read users:manage stores:read stores:connect stores:manage products:read "
    "products:manage orders:read orders:manage",
    "store_manager": "stores:read stores:manage products:read products:manage",
    "order_manager": "orders:read orders:manage",
    "viewer": "stores:read products:read orders:read",
}
PRINCIPALS = {
    "operator": OPERATOR,
    "admin": user(Role.admin),
    "store_manager": user(Role.store_manager, [STORE]),
    "order_manager": user(Role.order_manager),
    "viewer": user(Role.viewer),
}


def test_the_table_names_every_permission_and_every_role():
    assert {p.value for p in Permission} == set(EVERY_PERMISSION.split())
    assert set(HELD) == {"operator", *(role.value for role in Role)}


@pytest.mark.parametrize("caller", sorted(HELD))
@pytest.mark.parametrize("permission", EVERY_PERMISSION.split())
def test_each_caller_holds_exactly_the_permissions_of_the_table(caller, permission):
    held = Permission(permission) in permissions_of(PRINCIPALS[caller])
    assert held == (permission in HELD[caller].split()), (
        f"{caller} {'holds' if held else 'lacks'} {permission}"
    )


def test_a_viewer_never_manages_anything():
    assert not any(p.value.endswith(":manage") for p in permissions_of(user(Role.viewer)))


def test_operators_see_every_customer_and_store():
    scope = Scope.of(OPERATOR)
    assert scope.all_customers
    assert scope.sees_customer(OTHER) and scope.sees_store(OTHER, ELSEWHERE)


def test_customer_users_see_only_their_customer_and_store_managers_only_their_stores():
    admin, manager = Scope.of(user(Role.admin)), Scope.of(user(Role.store_manager, [STORE]))
    assert admin.sees_customer(BRAND) and not admin.sees_customer(OTHER)
    assert admin.sees_store(BRAND, ELSEWHERE) and not admin.sees_store(OTHER, STORE)
    assert manager.sees_store(BRAND, STORE) and not manager.sees_store(BRAND, ELSEWHERE)
    assert not manager.sees_store(OTHER, STORE)


def test_refusals_say_why_in_words_a_person_understands():
    assert refusal(user(Role.viewer), Permission.orders_manage) == (
        "Your role (viewer) does not allow you to manage orders; ask your company's admin."
    )
    assert "operators" in refusal(user(Role.admin), Permission.producer_manage)
    assert "customer's admin" in refusal(OPERATOR, Permission.users_manage)
