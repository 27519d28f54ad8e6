import uuid

from printbridge_shared.errors import Conflict, InvalidInput, NotFound, field_errors


class TestRunNotFound(NotFound):
    __test__ = False
    code = "test-run-not-found"

    def __init__(self, run_id: uuid.UUID) -> None:
        super().__init__(f"There is no test order run {run_id}.")


class WrongLineKind(InvalidInput):
    """A shop's store takes a variant id; a manual store a SKU or a template."""

    code = "test-line-not-for-this-store"

    def __init__(self, field: str, platform: str) -> None:
        if platform == "manual":
            msg = "a manual store has no shop variants: name `sku` or `template_id`, or leave all out"
        else:
            msg = f"a {platform} store's test order names `external_variant_id`, or leave it out"
        super().__init__(
            f"The test order's line cannot be {field} for this store: {msg}.",
            errors=field_errors("body", field, msg=msg),
        )


class TestOrderNotClaimable(Conflict):
    __test__ = False
    code = "test-order-not-claimable"

    def __init__(self, order_id: uuid.UUID) -> None:
        super().__init__(
            f"Order {order_id} is a test order: it shows what production would get, but it is never "
            "produced, so it cannot be claimed or moved through production."
        )
