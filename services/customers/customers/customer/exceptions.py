import uuid

from printbridge_shared.errors import Conflict, NotFound


class CustomerNotFound(NotFound):
    code = "customer-not-found"

    def __init__(self, customer_id: uuid.UUID) -> None:
        super().__init__(f"No customer with id {customer_id}.")


class ReferenceIdTaken(Conflict):
    code = "reference-id-taken"
    title = "Reference ID already in use"

    def __init__(self, reference_id: str, existing_customer_id: uuid.UUID) -> None:
        super().__init__(
            f"reference_id '{reference_id}' already belongs to customer {existing_customer_id}; "
            "choose another one (archived customers keep theirs).",
            existing_customer_id=str(existing_customer_id),
        )


class CustomerArchived(Conflict):
    code = "customer-archived"
    title = "Customer is archived"

    def __init__(self, customer_id: uuid.UUID) -> None:
        super().__init__(f"Customer {customer_id} is archived and can no longer be changed.")
