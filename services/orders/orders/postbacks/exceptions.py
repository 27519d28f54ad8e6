import uuid

from printbridge_shared.errors import Conflict, InvalidInput, NotFound, field_errors


class PostbackEndpointNotFound(NotFound):
    code = "postback-endpoint-not-found"

    def __init__(self, endpoint_id: uuid.UUID) -> None:
        super().__init__(f"No postback endpoint with id {endpoint_id}.")


class PostbackDeliveryNotFound(NotFound):
    code = "postback-delivery-not-found"

    def __init__(self, delivery_id: uuid.UUID) -> None:
        super().__init__(f"No postback delivery with id {delivery_id}.")


class PostbackUrlRefused(InvalidInput):
    code = "postback-url-refused"

    def __init__(self, why: str) -> None:
        super().__init__(
            f"url is not an address postbacks are sent to: {why}.",
            errors=field_errors("body", "url", msg=why),
        )


class DeliveryStillPending(Conflict):
    code = "postback-delivery-pending"
    title = "Delivery still pending"

    def __init__(self, delivery_id: uuid.UUID) -> None:
        super().__init__(
            f"Delivery {delivery_id} is still pending: it is sent (or tried again) by itself; redeliver a "
            "delivered or failed one."
        )
