import uuid
from enum import StrEnum

from pydantic import BaseModel


class PrincipalKind(StrEnum):
    operator = "operator"
    customer_user = "customer_user"


class Role(StrEnum):
    """A customer user's role; what each may do is in permissions.py."""

    admin = "admin"
    store_manager = "store_manager"
    order_manager = "order_manager"
    viewer = "viewer"


class Principal(BaseModel):
    """Who is calling. Operators are producer staff (by login or API key); customer users belong to
    exactly one customer and carry a role (store managers also the stores they manage)."""

    kind: PrincipalKind
    subject_id: uuid.UUID
    email: str | None = None
    customer_id: uuid.UUID | None = None
    role: Role | None = None
    store_ids: list[uuid.UUID] = []
    api_key_id: uuid.UUID | None = None

    @property
    def is_operator(self) -> bool:
        return self.kind is PrincipalKind.operator
