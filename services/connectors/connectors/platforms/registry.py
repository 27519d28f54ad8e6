"""The connector of each platform, as the core (stores, intake, polling) finds it."""

from connectors.platforms.base import PlatformConnector
from connectors.platforms.etsy.connector import EtsyConnector
from connectors.platforms.manual.connector import ManualConnector
from connectors.platforms.pressero.connector import PresseroConnector
from connectors.platforms.shopify.connector import ShopifyConnector
from connectors.platforms.woocommerce.connector import WooCommerceConnector
from printbridge_shared.errors import InvalidInput, field_errors
from printbridge_shared.events.contracts import Platform

# Each platform package adds its connector here.
CONNECTORS: dict[Platform, PlatformConnector] = {
    Platform.shopify: ShopifyConnector(),
    Platform.woocommerce: WooCommerceConnector(),
    Platform.manual: ManualConnector(),
    Platform.pressero: PresseroConnector(),
    Platform.etsy: EtsyConnector(),
}


class PlatformNotSupported(InvalidInput):
    code = "platform-not-supported"

    def __init__(self, platform: str) -> None:
        supported = ", ".join(sorted(CONNECTORS)) or "none yet"
        super().__init__(
            f"Stores on {platform} cannot be connected yet; supported: {supported}.",
            errors=field_errors("body", "platform", msg="not supported yet"),
        )


def polled_platforms() -> list[Platform]:
    """The platforms whose stores the reconcile schedule polls."""
    return [platform for platform, connector in CONNECTORS.items() if connector.polled]


def product_platforms() -> list[Platform]:
    """The platforms whose stores' products are synced."""
    return [platform for platform, connector in CONNECTORS.items() if connector.syncs_products]


def connector_for(platform: Platform) -> PlatformConnector:
    try:
        return CONNECTORS[platform]
    except KeyError:
        raise PlatformNotSupported(platform) from None
