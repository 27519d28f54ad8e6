"""Pressero site products as shop products. Pressero's admin API lists a site's products
(`GET /api/site/{siteDomain}/products/?pageNumber=&pageSize=&includeDeleted=`, `{Items, PageNumber,
PageSize, TotalItems}`) and reads one (`GET /api/site/{siteDomain}/products/{productId}`); field names as
public integrators read them (`ProductId`, `ProductName`, `UrlName`, `PrintersPartNum`,
`PublicPartNum`, `IsActive`, `IsDeleted`), case-insensitively.

- One variant per product, its id the product's (`ProductId`, the id an order item names): Pressero's
  options are pricing-engine attributes chosen at order time, not variants the API lists.
- SKU: the printer's part number (what order items carry as `PrinterPartNumber`), else the public one.
- No price: a Pressero price comes from the product's pricing engine for a quantity and options; the
  product list carries none.
- `IsActive` false: hidden from the storefront (`active=False`, `platform_status` `inactive`); a product
  `IsDeleted` is gone.
- No modification time is published: a product's version time is when it was read (the core publishes
  only what changed)."""

import datetime as dt
from typing import Any

from connectors.platforms.base import ProductVersion
from connectors.platforms.pressero.client import lower_keys
from printbridge_shared.events.contracts import ShopVariant


class ProductUnreadable(ValueError):
    """A product answer without the fields a product needs (says which)."""


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _flag(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return default


def deleted(product: Any) -> bool:
    return _flag(lower_keys(product).get("isdeleted"), False)


def product_version(product: Any, read_at: dt.datetime) -> ProductVersion:
    fields = lower_keys(product)
    product_id = _text(fields.get("productid"))
    if product_id is None:
        raise ProductUnreadable("a product without ProductId")
    title = _text(fields.get("productname")) or ""
    active = _flag(fields.get("isactive"), True)
    variant = ShopVariant(
        external_id=product_id,
        sku=_text(fields.get("printerspartnum")) or _text(fields.get("publicpartnum")),
        title=title,
    )
    return ProductVersion(
        external_id=product_id,
        title=title,
        handle=_text(fields.get("urlname")),
        active=active,
        platform_status="active" if active else "inactive",
        variants=(variant,),
        source_updated_at=read_at,
    )
