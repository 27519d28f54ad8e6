from printbridge_shared.errors import ServiceUnavailable


class EtsyNotConfigured(ServiceUnavailable):
    code = "etsy-not-configured"
    title = "Etsy is not configured"

    def __init__(self, setting: str) -> None:
        super().__init__(
            f"Etsy shops cannot be connected yet: set {setting} (from the Printbridge app in Etsy's "
            "developer portal, Your apps → the app's keys) and restart.",
            setting=setting,
        )
