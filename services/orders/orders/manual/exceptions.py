import uuid

from printbridge_shared.errors import Conflict


class StoreNotManual(Conflict):
    code = "store-not-manual"

    def __init__(self, store_id: uuid.UUID, platform: str) -> None:
        super().__init__(
            f"Store {store_id} is a {platform} store: its orders come from the shop. Place manual orders "
            'into a manual store (POST /v1/stores with platform "manual").'
        )


class StoreDisconnected(Conflict):
    code = "store-disconnected"

    def __init__(self, store_id: uuid.UUID) -> None:
        super().__init__(
            f"Store {store_id} is disconnected and takes no new orders; place them into a connected "
            "manual store."
        )
