import uuid

from printbridge_shared.errors import Conflict, InvalidInput, NotFound, field_errors


class DraftNotFound(NotFound):
    code = "product-draft-not-found"

    def __init__(self, draft_id: uuid.UUID) -> None:
        super().__init__(f"No product draft {draft_id} (or not one you may see).")


class TemplateUnknown(InvalidInput):
    code = "template-not-found"

    def __init__(self, template_id: uuid.UUID) -> None:
        super().__init__(
            f"No template {template_id} of this customer: list them with GET /v1/templates.",
            errors=field_errors("body", "template_id", msg="no such template"),
        )


class CannotPublishHere(Conflict):
    code = "store-cannot-publish"

    def __init__(self, platform: str, status: str) -> None:
        super().__init__(
            f"Products cannot be created in this store ({platform}, {status}): only connected Shopify and "
            "WooCommerce stores take them."
        )


class AlreadyPublished(Conflict):
    code = "product-draft-published"

    def __init__(self) -> None:
        super().__init__("The draft is published already: its product is in the shop (external_product_id).")
