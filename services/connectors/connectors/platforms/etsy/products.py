"""Etsy listings as shop products: a listing (getListingsByShop / getListing) with its inventory
(getListingInventory) becomes one `ProductVersion`.

- Each inventory product is a variant; its `external_id` is the inventory `product_id`, the id a
  receipt's transactions name (`transactions[].product_id`), so an order line finds its variant. A
  listing without variations has one inventory product, so one variant.
- Options come from the inventory product's `property_values` (`property_name` → its values joined);
  the price from its first offering that is not deleted, exactly (`amount` / `divisor`).
- Only an `active` listing is for sale; every other state (`inactive`, `draft`, `expired`,
  `sold_out`) is `active=False` with the state as `platform_status`. A listing in the state `removed`
  (getListing still answers some deleted listings) is gone."""

import datetime as dt
from decimal import Decimal
from typing import Any

from connectors.platforms.base import ProductVersion
from connectors.platforms.etsy.normalise import ReceiptUnreadable, money
from printbridge_shared.events.contracts import ShopVariant

# Every state getListingsByShop lists (its `state` parameter takes one at a time, default `active`).
STATES = ("active", "inactive", "draft", "expired", "sold_out")
SELLING = "active"
GONE = frozenset({"removed"})


class ProductUnreadable(ValueError):
    """A listing or inventory that is not as Etsy documents it (says which part)."""


def listing_id(listing: Any) -> str:
    if not isinstance(listing, dict):
        raise ProductUnreadable(f"listing: not an object: {listing!r}")
    value = listing.get("listing_id")
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ProductUnreadable(f"listing_id: not an Etsy id: {value!r}")
    return str(value)


def updated_at(listing: dict[str, Any]) -> dt.datetime:
    """When the listing last changed (`updated_timestamp`, older answers `last_modified_timestamp`)."""
    for name in ("updated_timestamp", "last_modified_timestamp"):
        value = listing.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return dt.datetime.fromtimestamp(int(value), dt.UTC)
    raise ProductUnreadable("listing: no updated_timestamp")


def _options(product: dict[str, Any]) -> dict[str, str]:
    options: dict[str, str] = {}
    for value in product.get("property_values") or []:
        if not isinstance(value, dict) or not value.get("property_name"):
            continue
        values = [str(v) for v in value.get("values") or [] if v is not None and str(v) != ""]
        if values:
            options[str(value["property_name"])] = ", ".join(values)
    return options


def _price(product: dict[str, Any], where: str) -> Decimal | None:
    offerings = [o for o in product.get("offerings") or [] if isinstance(o, dict) and not o.get("is_deleted")]
    if not offerings:
        return None
    try:
        return money(offerings[0].get("price"), f"{where}.offerings[0].price")[0]
    except ReceiptUnreadable as error:
        raise ProductUnreadable(str(error)) from None


def variants(inventory: Any, title: str) -> tuple[ShopVariant, ...]:
    """The inventory's products that are not deleted, as variants, in Etsy's order."""
    if not isinstance(inventory, dict) or not isinstance(inventory.get("products"), list):
        raise ProductUnreadable("inventory: no products list")
    found = []
    for index, product in enumerate(inventory["products"]):
        where = f"inventory.products[{index}]"
        if not isinstance(product, dict):
            raise ProductUnreadable(f"{where}: not an object")
        if product.get("is_deleted"):
            continue
        product_id = product.get("product_id")
        if (
            isinstance(product_id, bool)
            or not isinstance(product_id, int | str)
            or not str(product_id).isdigit()
        ):
            raise ProductUnreadable(f"{where}.product_id: not an Etsy id: {product_id!r}")
        options = _options(product)
        sku = product.get("sku")
        found.append(
            ShopVariant(
                external_id=str(product_id),
                sku=sku.strip() or None if isinstance(sku, str) else None,
                title=" / ".join(options.values()) or title,
                options=options,
                price=_price(product, where),
            )
        )
    return tuple(found)


def product_version(listing: Any, inventory: Any) -> ProductVersion:
    """A listing and its inventory as a product version."""
    external_id = listing_id(listing)
    title = listing.get("title")
    if not isinstance(title, str):
        raise ProductUnreadable(f"listing.title: not a text: {title!r}")
    state = str(listing.get("state") or "")
    listing_type = listing.get("listing_type")
    return ProductVersion(
        external_id=external_id,
        title=title,
        handle=None,
        product_type=listing_type if isinstance(listing_type, str) and listing_type else None,
        active=state == SELLING,
        platform_status=state,
        variants=variants(inventory, title),
        source_updated_at=updated_at(listing),
    )
