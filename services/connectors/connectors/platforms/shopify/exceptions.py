from connectors.platforms.base import ConnectRefused
from printbridge_shared.errors import ServiceUnavailable


class ShopifyNotConfigured(ServiceUnavailable):
    code = "shopify-not-configured"
    title = "Shopify is not configured"

    def __init__(self, setting: str) -> None:
        super().__init__(
            f"Shopify shops cannot be connected yet: set {setting} (from the Printbridge app in the Shopify "
            "Partner or Dev Dashboard) and restart.",
            setting=setting,
        )


class ReturnUrlNotAllowed(ConnectRefused):
    def __init__(self, base: str) -> None:
        super().__init__(
            "return-url-not-allowed",
            f"return_url must be an address under {base} (PRINTBRIDGE_PUBLIC_URL).",
            "return_url",
        )
