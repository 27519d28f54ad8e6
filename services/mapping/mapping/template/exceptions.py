import uuid

from printbridge_shared.errors import Conflict, InvalidInput, NotFound, field_errors


class TemplateNotFound(NotFound):
    code = "template-not-found"

    def __init__(self, template_id: uuid.UUID) -> None:
        super().__init__(f"No template {template_id}.")


class TemplateNameTaken(Conflict):
    code = "template-name-taken"
    title = "Template name already in use"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"The customer already has a template named '{name}' (names are compared without case); "
            "choose another name or change that template.",
            errors=field_errors("body", "name", msg="already in use"),
        )


class CustomerIdRequired(InvalidInput):
    code = "customer-id-required"

    def __init__(self) -> None:
        super().__init__(
            "Operators save a template for a customer: give its `customer_id`.",
            errors=field_errors("body", "customer_id", msg="required for operators", type="missing"),
        )


class CustomerIdNotYours(InvalidInput):
    code = "customer-id-not-allowed"

    def __init__(self) -> None:
        super().__init__(
            "Customer users save templates for their own customer only; leave `customer_id` out.",
            errors=field_errors("body", "customer_id", msg="not your customer; leave it out"),
        )
