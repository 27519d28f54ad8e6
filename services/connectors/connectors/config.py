"""connectors' settings: the platforms' addresses and app credentials, the key that encrypts shop
credentials at rest, and how often stores are polled."""

from typing import ClassVar

from pydantic import Field, SecretStr

from printbridge_shared.config import ServiceSettings

# The least the whole product needs from a Shopify store, so that a store connected now needs no second
# consent later: orders (intake), products (sync, and publishing new ones: write implies read), and
# the fulfillment orders that merchants manage themselves (tracking back to the shop).
SHOPIFY_SCOPES = "read_orders,write_products,write_merchant_managed_fulfillment_orders"
# The same for an Etsy shop (docs/connectors-etsy.md says why each): receipts (intake) and marking them
# shipped with tracking, listings (sync and publishing), the shop itself (finding it at connect), and the
# buyer's e-mail address, which receipts carry only with email_r.
ETSY_SCOPES = "transactions_r transactions_w listings_r listings_w shops_r email_r"


class Settings(ServiceSettings):
    service_name: ClassVar[str] = "connectors"

    database_url: str | None = Field(None, validation_alias="PRINTBRIDGE_CONNECTORS_DATABASE_URL")
    allow_private_urls: bool = Field(
        False,
        description="Let outbound calls reach loopback and private addresses and plain http:// shop URLs "
        "(tests, the local sandbox, a shop on a LAN). Off in production.",
    )
    secret_keys: SecretStr | None = Field(
        None,
        description="Comma-separated Fernet keys that encrypt platform credentials at rest: the first "
        "encrypts, all decrypt (`printbridge secrets rotate` re-encrypts with the first). Unset: a key "
        "is created in <data_dir>/secret_keys on first start and used from there.",
    )
    reconcile_interval_s: float = Field(
        300.0, gt=0, description="How often each connected store is polled for orders no webhook brought."
    )
    product_sync_interval_s: float = Field(
        3600.0,
        gt=0,
        description="How often each connected store's products are synced (the changes since the last "
        "sync; a full read once a day finds products deleted in the shop).",
    )
    publish_attempts: int = Field(
        6,
        ge=1,
        description="How many times a product the shop could not take (5xx, unreachable) is tried before "
        "the request is answered with shop_product.publish_failed.",
    )
    publish_retry_base_s: float = Field(
        5.0,
        gt=0,
        description="The pause after a publish attempt failed for an unreachable shop; it doubles with each "
        "further attempt (at most 5 minutes).",
    )
    fulfilment_attempts: int = Field(
        8,
        ge=1,
        description="How many times a shipment the shop could not take (5xx, 429, unreachable) is tried "
        "before the request is answered with shop_fulfillment.failed.",
    )
    fulfilment_retry_base_s: float = Field(
        30.0,
        gt=0,
        description="The pause after a fulfilment attempt failed for an unreachable shop; it doubles with "
        "each further attempt (at most 30 minutes).",
    )
    shopify_client_id: str = Field("", description="Client ID of the Printbridge app in Shopify.")
    shopify_client_secret: SecretStr = Field(
        SecretStr(""), description="Client secret of the app; it also signs Shopify's webhooks."
    )
    shopify_previous_client_secret: SecretStr = Field(
        SecretStr(""),
        description="During a rotation of the client secret: the old one, which Shopify may sign webhooks "
        "with for up to an hour; remove it once the old secret is revoked.",
    )
    shopify_scopes: str = Field(SHOPIFY_SCOPES, description="Access scopes asked for when a shop connects.")
    shopify_api_version: str = Field("2026-10", description="The GraphQL Admin API version called.")
    shopify_admin_url: str = Field(
        "https://{shop}",
        description="Base of every Shopify call (OAuth and GraphQL); `{shop}` is the full "
        "name.myshopify.com, e.g. http://127.0.0.1:9101/shops/{shop} for the sandbox.",
    )

    etsy_keystring: str = Field("", description="Keystring (API key, also the OAuth client_id) of the app.")
    etsy_shared_secret: SecretStr = Field(
        SecretStr(""), description="Shared secret of the app: every call sends `x-api-key: keystring:secret`."
    )
    etsy_scopes: str = Field(ETSY_SCOPES, description="Scopes asked for when an Etsy shop connects.")
    etsy_webhook_secret: SecretStr = Field(
        SecretStr(""),
        description="The `whsec_…` signing secret of the app's webhook endpoint in Etsy's developer portal.",
    )
    etsy_api_url: str = Field("https://openapi.etsy.com", description="Base of Etsy's Open API v3 calls.")
    etsy_connect_url: str = Field(
        "https://www.etsy.com/oauth/connect", description="Where a merchant grants access to an Etsy shop."
    )

    def shopify_base(self, shop: str) -> str:
        return self.shopify_admin_url.replace("{shop}", shop).rstrip("/")
