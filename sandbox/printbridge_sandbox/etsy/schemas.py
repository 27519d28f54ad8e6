"""The control API's JSON bodies (`/_sandbox/etsy`): strict, so a misspelt field is a 422 naming it."""

import re
from decimal import Decimal
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

Price = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
COUNTRY = re.compile(r"^[A-Z]{2}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


def check_redirect_uri(value: str) -> str:
    """Etsy requires https; the sandbox also takes http on the loopback host for local runs."""
    parts = urlsplit(value)
    if parts.fragment or not parts.netloc:
        raise ValueError("an absolute URL without a fragment")
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS):
        return value
    raise ValueError("must be https (http only on 127.0.0.1, localhost or [::1])")


def check_webhook_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("an absolute http(s) URL")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppIn(Strict):
    keystring: str | None = Field(None, pattern=r"^[a-z0-9]{8,64}$", description="generated when not given")
    shared_secret: str | None = Field(None, pattern=r"^[a-z0-9]{8,64}$")
    name: str = "Printbridge"
    redirect_uris: list[str] = []
    webhook_url: str | None = None
    webhook_secret: str | None = Field(None, pattern=r"^whsec_[A-Za-z0-9+/]{16,}={0,2}$")
    qps: int | None = Field(None, ge=1, le=100_000)
    qpd: int | None = Field(None, ge=1, le=10_000_000)

    @field_validator("redirect_uris")
    @classmethod
    def _redirects(cls, value: list[str]) -> list[str]:
        return [check_redirect_uri(uri) for uri in value]

    @field_validator("webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        return check_webhook_url(value)


class AppPatch(Strict):
    name: str | None = None
    redirect_uris: list[str] | None = None
    webhook_url: str | None = None
    qps: int | None = Field(None, ge=1, le=100_000)
    qpd: int | None = Field(None, ge=1, le=10_000_000)

    @field_validator("redirect_uris")
    @classmethod
    def _redirects(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [check_redirect_uri(uri) for uri in value]

    @field_validator("webhook_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        return check_webhook_url(value)


class SellerIn(Strict):
    login_name: str | None = Field(None, min_length=1, max_length=60)
    email: str = "seller@example.com"
    first_name: str = "Sam"
    last_name: str = "Seller"
    shop_name: str = Field(pattern=r"^[A-Za-z0-9]{4,20}$", description="Etsy: 4 to 20 letters and digits")
    currency_code: str = Field("USD", pattern=CURRENCY.pattern)
    country_iso: str = Field("US", pattern=COUNTRY.pattern)


class InventoryProductIn(Strict):
    sku: str = Field(min_length=1, max_length=32)
    price: Price
    quantity: int = Field(1, ge=0, le=999)
    property_values: list[dict[str, object]] = []


class ListingIn(Strict):
    title: str = Field(min_length=1, max_length=140)
    state: str = Field("active", pattern=r"^(active|inactive|sold_out|draft|expired)$")
    products: list[InventoryProductIn] = Field(min_length=1, max_length=100)


class ListingPatch(Strict):
    """What changes; what is left out stays. `products` replaces the whole inventory."""

    title: str | None = Field(None, min_length=1, max_length=140)
    state: str | None = Field(None, pattern=r"^(active|inactive|sold_out|draft|expired)$")
    products: list[InventoryProductIn] | None = Field(None, min_length=1, max_length=100)


class VariationIn(Strict):
    property_id: int = Field(513, ge=0, description="Etsy uses 54 for personalization")
    value_id: int | None = None
    formatted_name: str = Field(min_length=1)
    formatted_value: str


class TransactionIn(Strict):
    listing_id: int | None = Field(None, description="a listing of the shop; with sku, takes its product")
    sku: str | None = None
    title: str | None = None
    quantity: int = Field(1, ge=1, le=999)
    price: Price | None = None
    shipping_cost: Price = Decimal("0")
    variations: list[VariationIn] = []


class ReceiptIn(Strict):
    paid: bool = True
    buyer_email: str | None = "buyer@example.com"
    name: str = "Jamie Lee"
    first_line: str = "221 Baker Street"
    second_line: str | None = None
    city: str = "Portland"
    state: str | None = "OR"
    zip: str = "97205"
    country_iso: str = Field("US", pattern=COUNTRY.pattern)
    message_from_buyer: str | None = None
    is_gift: bool = False
    gift_message: str = ""
    total_shipping_cost: Price = Decimal("0")
    total_tax_cost: Price = Decimal("0")
    discount_amt: Price = Decimal("0")
    transactions: list[TransactionIn] = Field(min_length=1, max_length=100)
    created_timestamp: int | None = Field(None, ge=946_684_800, description="backdate the receipt")


class ReceiptPatch(Strict):
    buyer_email: str | None = None
    name: str | None = None
    first_line: str | None = None
    second_line: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country_iso: str | None = Field(None, pattern=COUNTRY.pattern)
    message_from_buyer: str | None = None
    is_delivered: bool | None = None


class ShipIn(Strict):
    carrier_name: str = ""
    tracking_code: str = ""


class ConsentIn(Strict):
    user_id: int | None = Field(description="the seller signed in to etsy.com; null: nobody")
    approve: bool = True


class MisbehaviourIn(Strict):
    fail_next_calls: int | None = Field(None, ge=0)
    fail_status: int | None = Field(None, ge=500, le=599)
    exhaust_second: int | None = Field(None, ge=0)
    exhaust_day: int | None = Field(None, ge=0)
    cancel_keeps_update_timestamp: bool | None = None
    webhook_duplicate: int | None = Field(None, ge=0)
    webhook_drop: int | None = Field(None, ge=0)
    webhook_hold_back: int | None = Field(None, ge=0)
    webhook_wrong_signature: int | None = Field(None, ge=0)
    webhook_delay_seconds: float | None = Field(None, ge=0, le=60)


class SettingsIn(Strict):
    access_token_ttl: int | None = Field(None, ge=1)
    refresh_token_ttl: int | None = Field(None, ge=1)
    authorization_code_ttl: int | None = Field(None, ge=1)
    refresh_grace_seconds: float | None = Field(None, ge=0)
    webhook_retry_scale: float | None = Field(None, ge=0)
    webhook_timeout_seconds: float | None = Field(None, gt=0)


class ClockIn(Strict):
    seconds: float = Field(gt=0, le=400 * 86_400)


class FreezeIn(Strict):
    frozen: bool


class UserRef(Strict):
    user_id: int | None = Field(None, description="only this seller's tokens; default: every token")
