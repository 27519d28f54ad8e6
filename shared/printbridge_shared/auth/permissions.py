"""Who may do what: the one role → permission model every service's dependencies use.

Operators (the producer's staff) act for every customer and hold every permission but one: a customer's
team is managed by that customer's admin (operators can list it). A customer user holds its role's
permissions, only ever for its own customer; a store manager only for the stores in its `store_ids`.

An endpoint declares what it needs with `Requires` (auth/dependencies.py; 403 for a caller without
it), and narrows what it reads with `Scope.of(principal)`: another customer's
resource answers 404, as if it did not exist."""

import uuid
from dataclasses import dataclass
from enum import StrEnum

from printbridge_shared.auth.principal import Principal, PrincipalKind, Role


class Permission(StrEnum):
    producer_manage = "producer:manage"  # the producer's own records: customers, Storefront access, API keys
    users_read = "users:read"
    users_manage = "users:manage"
    stores_read = "stores:read"
    stores_connect = "stores:connect"  # connect a new store (a customer's admin; operators for any)
    stores_manage = "stores:manage"
    products_read = "products:read"
    products_manage = "products:manage"
    orders_read = "orders:read"
    orders_manage = "orders:manage"

    @property
    def action(self) -> str:
        noun, verb = self.value.split(":")
        return f"{ {'read': 'view', 'connect': 'connect new'}.get(verb, 'manage') } {noun}"


OPERATOR_PERMISSIONS = frozenset(Permission) - {Permission.users_manage}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.admin: frozenset(Permission) - {Permission.producer_manage},
    Role.store_manager: frozenset(
        {
            Permission.stores_read,
            Permission.stores_manage,
            Permission.products_read,
            Permission.products_manage,
        }
    ),
    Role.order_manager: frozenset({Permission.orders_read, Permission.orders_manage}),
    Role.viewer: frozenset({Permission.stores_read, Permission.products_read, Permission.orders_read}),
}
STORE_SCOPED_ROLES = frozenset({Role.store_manager})


def permissions_of(principal: Principal) -> frozenset[Permission]:
    if principal.is_operator:
        return OPERATOR_PERMISSIONS
    if principal.role is None:
        return frozenset()
    return ROLE_PERMISSIONS[principal.role]


def refusal(principal: Principal, permission: Permission) -> str:
    """Why the caller may not: what a person reads in the 403."""
    if permission is Permission.producer_manage:
        return "Only the producer's staff (operators) may do this."
    if principal.is_operator:
        return f"Operators cannot {permission.action}: that is up to the customer's admin."
    role = principal.role.value if principal.role else "none"
    return f"Your role ({role}) does not allow you to {permission.action}; ask your company's admin."


@dataclass(frozen=True)
class Scope:
    """What a principal can see: `customer_id` None means every customer, `store_ids` None every store of
    the customers it sees."""

    customer_id: uuid.UUID | None
    store_ids: frozenset[uuid.UUID] | None

    @classmethod
    def of(cls, principal: Principal) -> "Scope":
        if principal.kind is PrincipalKind.operator:
            return cls(customer_id=None, store_ids=None)
        stores = frozenset(principal.store_ids) if principal.role in STORE_SCOPED_ROLES else None
        return cls(customer_id=principal.customer_id, store_ids=stores)

    @property
    def all_customers(self) -> bool:
        return self.customer_id is None

    def sees_customer(self, customer_id: uuid.UUID) -> bool:
        return self.customer_id is None or self.customer_id == customer_id

    def sees_store(self, customer_id: uuid.UUID, store_id: uuid.UUID) -> bool:
        return self.sees_customer(customer_id) and (self.store_ids is None or store_id in self.store_ids)
