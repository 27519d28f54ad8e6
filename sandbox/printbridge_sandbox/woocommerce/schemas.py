"""The control API's bodies (`/_sandbox/woocommerce/…`): what a test says a shop has or does."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from printbridge_sandbox.woocommerce.state import Permission, Reachability

OrderStatus = Literal[
    "pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "checkout-draft"
]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SiteCreate(Body):
    slug: str | None = Field(
        None,
        pattern=r"^[a-z0-9][a-z0-9-]{0,62}$",
        description="Path segment of the site; generated if absent.",
    )
    scheme: Literal["https", "http"] = Field(
        "https", description="The scheme of the home URL; an https site answers plain HTTP with a 301."
    )
    woocommerce: bool = Field(True, description="False: plain WordPress, no wc/* namespaces.")
    name: str = "Sandbox Shop"
    timezone: str = Field("UTC", description="IANA zone of the site: `date_created` is in it, `_gmt` in UTC.")
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    allow_http_callback: bool = Field(
        False, description="Not WooCommerce: let wc-auth post keys to an http:// callback_url."
    )
    pretty_permalinks: bool = Field(True, description="False: /wp-json/ is a 404, only ?rest_route= works.")
    home_url: AnyHttpUrl | None = Field(
        None, description="The home URL the site reports and signs with; default: this server's base URL."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name like Europe/Berlin") from exc
        return value


class KeyCreate(Body):
    permissions: Permission = Permission.read_write
    description: str = "Printbridge"


class KeyUpdate(Body):
    """What WooCommerce → Settings → Advanced → REST API lets an admin change on an existing key."""

    permissions: Permission | None = None
    description: str | None = None


class Address(Body):
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    address_1: str = ""
    address_2: str = ""
    city: str = ""
    state: str = ""
    postcode: str = ""
    country: str = ""
    email: str | None = None
    phone: str | None = None


class MetaIn(Body):
    key: str = Field(min_length=1)
    value: Any
    display_key: str | None = None
    display_value: Any = None


class LineItemIn(Body):
    product_id: int | None = Field(None, ge=1, description="A product of the site; its sku and price apply.")
    variation_id: int | None = Field(None, ge=1, description="A variation of the site; sets product_id too.")
    sku: str | None = None
    name: str | None = None
    quantity: int = Field(1, ge=1)
    price: Decimal | None = Field(
        None, ge=0, decimal_places=2, description="Unit price; default the product's."
    )
    total_tax: Decimal = Field(Decimal(0), ge=0, decimal_places=2)
    meta_data: list[MetaIn] = []


class ShippingLineIn(Body):
    method_id: str = "flat_rate"
    method_title: str = "Flat rate"
    total: Decimal = Field(ge=0, decimal_places=2)


class OrderCreate(Body):
    status: OrderStatus = "processing"
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    billing: Address = Address()
    shipping: Address = Address()
    line_items: list[LineItemIn] = Field(min_length=1)
    shipping_lines: list[ShippingLineIn] = []
    meta_data: list[MetaIn] = []
    customer_id: int = Field(0, ge=0)
    customer_note: str = ""
    payment_method: str = "bacs"
    payment_method_title: str = "Direct bank transfer"
    transaction_id: str = ""
    created_via: str = "checkout"
    date_created_gmt: datetime | None = Field(None, description="Backdate the order (UTC when naive).")


class OrderUpdate(Body):
    status: OrderStatus | Literal["trash"] | None = None
    billing: Address | None = None
    shipping: Address | None = None
    line_items: list[LineItemIn] | None = Field(None, min_length=1, description="Replaces every line item.")
    meta_data: list[MetaIn] | None = Field(None, description="Set by key: existing keys updated, new added.")
    customer_note: str | None = None
    transaction_id: str | None = None
    date_modified_gmt: datetime | None = Field(None, description="Pretend the change happened then.")


class AttributeIn(Body):
    name: str = Field(min_length=1)
    options: list[str] = Field(min_length=1)


class VariationAttributeIn(Body):
    name: str = Field(min_length=1)
    option: str


class VariationIn(Body):
    sku: str = ""
    regular_price: Decimal | None = Field(None, ge=0, decimal_places=2)
    attributes: list[VariationAttributeIn] = []
    meta_data: list[MetaIn] = []


class ProductCreate(Body):
    name: str = Field(min_length=1)
    slug: str | None = Field(None, pattern=r"^[a-z0-9-]+$")
    type: Literal["simple", "variable"] = "simple"
    status: Literal["publish", "draft", "pending", "private"] = "publish"
    sku: str = ""
    regular_price: Decimal | None = Field(None, ge=0, decimal_places=2)
    attributes: list[AttributeIn] = []
    variations: list[VariationIn] = Field([], description="Only for type=variable.")
    meta_data: list[MetaIn] = []


class ProductUpdate(Body):
    name: str | None = Field(None, min_length=1)
    status: Literal["publish", "draft", "pending", "private"] | None = None
    sku: str | None = None
    regular_price: Decimal | None = Field(None, ge=0, decimal_places=2)
    meta_data: list[MetaIn] | None = None
    add_variations: list[VariationIn] = []
    remove_variation_ids: list[int] = []


class MisbehaviourSet(Body):
    duplicate_deliveries: int | None = Field(
        None, ge=0, description="Send each of the next N deliveries twice."
    )
    out_of_order_deliveries: int | None = Field(
        None, ge=0, description="Hold the next N deliveries, then send them newest first."
    )
    drop_deliveries: int | None = Field(None, ge=0, description="Silently lose the next N deliveries.")
    delivery_delay_s: float | None = Field(None, ge=0, le=600, description="Wait this long before each one.")
    response_delay_s: float | None = Field(None, ge=0, le=600, description="Wait this long before answering.")
    fail_next_calls: int | None = Field(
        None, ge=0, description="Answer the next N REST calls with fail_status."
    )
    fail_status: Literal[429, 500, 502, 503, 504] | None = None
    retry_after_s: int | None = Field(None, ge=0, description="Retry-After of the 429/503 answers.")
    reachability: Reachability | None = None
    hang_seconds: float | None = Field(None, gt=0, le=600)
    max_delivery_failures: int | None = Field(None, ge=0)
    woocommerce: bool | None = Field(None, description="False: WooCommerce deactivated, plain WordPress.")
    pretty_permalinks: bool | None = Field(None, description="False: permalinks set to Plain.")
    strip_authorization: bool | None = Field(None, description="The host drops the Authorization header.")


class WaitFor(Body):
    timeout_s: float = Field(10.0, gt=0, le=120)
