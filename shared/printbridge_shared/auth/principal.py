import uuid
from enum import StrEnum

from pydantic import BaseModel


class PrincipalKind(StrEnum):
    operator = "operator"
    customer_user = "customer_user"


class Principal(BaseModel):
    """Who is calling. Operators are producer staff (by login or API key); customer users belong to
    exactly one customer and carry a role (filled by the Storefronts work)."""

    kind: PrincipalKind
    subject_id: uuid.UUID
    email: str | None = None
    customer_id: uuid.UUID | None = None
    role: str | None = None
    store_ids: list[uuid.UUID] = []
    api_key_id: uuid.UUID | None = None

    @property
    def is_operator(self) -> bool:
        return self.kind is PrincipalKind.operator
