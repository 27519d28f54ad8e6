"""`productSet` as Shopify documents it (synchronous mode): one call creates a product with its options,
variants (option values, SKU, price), files and metafields, or, given an `identifier`, updates the product
it names (`id`) or upserts the one with that handle. Invalid input is answered with `userErrors` (field
path, message, `ProductSetUserErrorCode`) and changes nothing. A created product fires products/create,
an updated one products/update."""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from printbridge_sandbox.shopify.payloads import product_json
from printbridge_sandbox.shopify.state import Product, Shop, State, Variant, now, parse_gid
from printbridge_sandbox.shopify.webhooks import Webhooks

MAX_OPTIONS = 3
MAX_VARIANTS = 2048
HANDLE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class Checked:
    """The input as it will be applied, or the user errors that refuse it."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    options: list[tuple[str, list[str]]] = field(default_factory=list)
    variants: list[tuple[dict[str, str], str | None, Decimal]] = field(default_factory=list)

    def error(self, path: list[str], message: str, code: str) -> None:
        self.errors.append({"field": path, "message": message, "code": code})


def _options(given: list[dict[str, Any]], checked: Checked) -> None:
    if len(given) > MAX_OPTIONS:
        checked.error(
            ["input", "productOptions"],
            f"Can only specify a maximum of {MAX_OPTIONS} options",
            "OPTIONS_OVER_LIMIT",
        )
        return
    names: set[str] = set()
    for index, option in enumerate(given):
        path = ["input", "productOptions", str(index)]
        name = (option.get("name") or "").strip()
        if not name:
            checked.error([*path, "name"], "Option name can't be blank", "INVALID_INPUT")
            continue
        if name.lower() in names:
            checked.error([*path, "name"], f"Duplicated option name '{name}'", "DUPLICATED_OPTION_NAME")
            continue
        names.add(name.lower())
        values: list[str] = []
        for value_index, value in enumerate(option.get("values") or []):
            text = (value.get("name") or "").strip()
            if not text:
                checked.error(
                    [*path, "values", str(value_index), "name"],
                    "Option value can't be blank",
                    "INVALID_INPUT",
                )
            elif text.lower() in {v.lower() for v in values}:
                checked.error(
                    [*path, "values", str(value_index), "name"],
                    f"Duplicated option value '{text}' for option '{name}'",
                    "DUPLICATED_OPTION_VALUE",
                )
            else:
                values.append(text)
        if not values:
            checked.error(
                [*path, "values"], f"Option '{name}' must have at least one value", "OPTION_VALUES_MISSING"
            )
        checked.options.append((name, values))


def _variants(given: list[dict[str, Any]], checked: Checked) -> None:
    if len(given) > MAX_VARIANTS:
        checked.error(
            ["input", "variants"],
            f"Can only specify a maximum of {MAX_VARIANTS} variants",
            "VARIANTS_OVER_LIMIT",
        )
        return
    options = dict(checked.options)
    seen: set[tuple[str, ...]] = set()
    skus: set[str] = set()
    for index, variant in enumerate(given):
        path = ["input", "variants", str(index)]
        chosen: dict[str, str] = {}
        for value in variant.get("optionValues") or []:
            name, text = value.get("optionName"), value.get("name")
            if not name or not text:
                checked.error(
                    [*path, "optionValues"], "Option values need an optionName and a name", "INVALID_VARIANT"
                )
                continue
            if name not in options:
                checked.error(
                    [*path, "optionValues"], f"Option '{name}' does not exist", "OPTION_DOES_NOT_EXIST"
                )
            elif text not in options[name]:
                checked.error(
                    [*path, "optionValues"],
                    f"Option value '{text}' does not exist for option '{name}'",
                    "OPTION_VALUE_DOES_NOT_EXIST",
                )
            chosen[name] = text
        missing = [name for name in options if name not in chosen]
        if missing:
            checked.error(
                [*path, "optionValues"],
                f"The variant has no value for {', '.join(missing)}",
                "INVALID_VARIANT",
            )
        combination = tuple(chosen.get(name, "") for name in options)
        if combination in seen:
            checked.error(
                [*path, "optionValues"],
                f"The variant '{' / '.join(combination)}' already exists.",
                "INVALID_VARIANT",
            )
        seen.add(combination)
        try:
            price = Decimal(str(variant.get("price") if variant.get("price") is not None else "0"))
        except InvalidOperation:
            checked.error([*path, "price"], "Price is not a number", "INVALID_VARIANT")
            continue
        if price < 0:
            checked.error([*path, "price"], "Price must be greater than or equal to 0", "INVALID_VARIANT")
        sku = variant.get("sku") or None
        if sku is not None and sku in skus:
            checked.error([*path, "sku"], f"SKU '{sku}' is given to two variants", "INVALID_VARIANT")
        if sku is not None:
            skus.add(sku)
        checked.variants.append(({name: chosen[name] for name in options if name in chosen}, sku, price))


def check(shop: Shop, given: dict[str, Any], target: Product | None) -> Checked:
    """The input checked against Shopify's rules; `target` is the product an identifier named."""
    checked = Checked()
    title = given.get("title")
    if target is None and not (title or "").strip():
        checked.error(["input", "title"], "Title can't be blank", "INVALID_PRODUCT")
    elif title is not None and not title.strip():
        checked.error(["input", "title"], "Title can't be blank", "INVALID_PRODUCT")
    handle = given.get("handle")
    if handle is not None:
        if not HANDLE.match(handle):
            checked.error(["input", "handle"], "Handle is invalid", "INVALID_INPUT")
        elif any(p.handle == handle and p is not target for p in shop.products.values()):
            checked.error(
                ["input", "handle"],
                "Handle already in use. Please provide a new handle.",
                "HANDLE_NOT_UNIQUE",
            )
    options = given.get("productOptions")
    variants = given.get("variants")
    if options is not None:
        _options(options, checked)
    if variants is not None:
        if options is None and any(v.get("optionValues") for v in variants):
            checked.error(
                ["input", "productOptions"],
                "Product options input is required when updating variants",
                "PRODUCT_OPTIONS_INPUT_MISSING",
            )
        elif not variants and checked.options:
            checked.error(["input", "variants"], "Variants input is required", "VARIANTS_INPUT_MISSING")
        else:
            _variants(variants, checked)
    elif options:
        checked.error(["input", "variants"], "Variants input is required", "VARIANTS_INPUT_MISSING")
    for index, file in enumerate(given.get("files") or []):
        source = file.get("originalSource") or ""
        if not source.startswith(("https://", "http://")):
            checked.error(
                ["input", "files", str(index), "originalSource"], "Image URL is invalid", "INVALID_INPUT"
            )
    for index, metafield in enumerate(given.get("metafields") or []):
        if not metafield.get("key") or metafield.get("value") is None:
            checked.error(
                ["input", "metafields", str(index)],
                "A metafield needs a key and a value",
                "INVALID_METAFIELD",
            )
    return checked


def _handle(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "product"


def _unique_handle(shop: Shop, base: str) -> str:
    taken = {p.handle for p in shop.products.values()}
    handle, suffix = base, 1
    while handle in taken:
        handle, suffix = f"{base}-{suffix}", suffix + 1
    return handle


def product_set(
    state: State,
    webhooks: Webhooks,
    shop: Shop,
    given: dict[str, Any],
    identifier: dict[str, Any] | None,
) -> tuple[Product | None, list[dict[str, Any]]]:
    """Creates or updates a product; returns it, or the user errors (nothing changed then)."""
    target: Product | None = None
    if identifier:
        if given.get("id"):
            return None, [
                {
                    "field": ["input", "id"],
                    "message": "The id field is not allowed if identifier is provided",
                    "code": "ID_NOT_ALLOWED",
                }
            ]
        if identifier.get("id"):
            product_id = parse_gid(identifier["id"], "Product")
            target = shop.products.get(product_id) if product_id else None
            if target is None:
                return None, [
                    {
                        "field": ["identifier", "id"],
                        "message": "Product does not exist",
                        "code": "PRODUCT_DOES_NOT_EXIST",
                    }
                ]
        elif identifier.get("handle"):
            if given.get("handle") is not None and given["handle"] != identifier["handle"]:
                return None, [
                    {
                        "field": ["input", "handle"],
                        "message": (
                            "The identifier value does not match the value of the corresponding field in "
                            "the input"
                        ),
                        "code": "INPUT_MISMATCH",
                    }
                ]
            given = {**given, "handle": identifier["handle"]}
            target = next((p for p in shop.products.values() if p.handle == identifier["handle"]), None)
        else:
            return None, [
                {
                    "field": ["identifier"],
                    "message": "An identifier needs an id or a handle",
                    "code": "INVALID_INPUT",
                }
            ]
    elif given.get("id"):
        product_id = parse_gid(given["id"], "Product")
        target = shop.products.get(product_id) if product_id else None
        if target is None:
            return None, [
                {
                    "field": ["input", "id"],
                    "message": "Product does not exist",
                    "code": "PRODUCT_DOES_NOT_EXIST",
                }
            ]
    checked = check(shop, given, target)
    if checked.errors:
        return None, checked.errors
    moment = now()
    created = target is None
    if target is None:
        product_id = state.ids.next("Product")
        target = Product(
            id=product_id,
            title=given["title"].strip(),
            handle=given.get("handle") or _unique_handle(shop, _handle(given["title"])),
            status=given.get("status") or "ACTIVE",
            vendor=given.get("vendor") or shop.name,
            product_type=given.get("productType") or "",
            created_at=moment,
            updated_at=moment,
        )
        if given.get("variants") is None:
            target.variants = [_variant(state, target, {}, None, Decimal("0"), 1, moment)]
    else:
        for key, attribute in (
            ("title", "title"),
            ("handle", "handle"),
            ("status", "status"),
            ("vendor", "vendor"),
            ("productType", "product_type"),
        ):
            if given.get(key) is not None:
                setattr(target, attribute, given[key])
        target.updated_at = moment
    if given.get("descriptionHtml") is not None:
        target.description_html = given["descriptionHtml"]
    if given.get("productOptions") is not None:
        target.options = checked.options
    if given.get("variants") is not None:
        before = {tuple(v.options.items()): v for v in target.variants}
        target.variants = [
            _variant(state, target, options, sku, price, position, moment, before)
            for position, (options, sku, price) in enumerate(checked.variants, start=1)
        ]
    if given.get("files") is not None:
        target.image_urls = [file["originalSource"] for file in given["files"]]
    for metafield in given.get("metafields") or []:
        target.metafields[(metafield.get("namespace") or "custom", metafield["key"])] = str(
            metafield["value"]
        )
    shop.products[target.id] = target
    webhooks.emit(shop, "products/create" if created else "products/update", product_json(target))
    return target, []


def _variant(
    state: State,
    product: Product,
    options: dict[str, str],
    sku: str | None,
    price: Decimal,
    position: int,
    moment: Any,
    before: dict[tuple[tuple[str, str], ...], Variant] | None = None,
) -> Variant:
    """A variant; one with the same option values as a variant the product had keeps that one's id
    (productSet updates the variants it matches and replaces the rest)."""
    kept = (before or {}).get(tuple((dict(options) or {"Title": "Default Title"}).items()))
    return Variant(
        id=kept.id if kept is not None else state.ids.next("ProductVariant"),
        product_id=product.id,
        title=" / ".join(options.values()) or "Default Title",
        sku=sku,
        price=price,
        position=position,
        created_at=kept.created_at if kept is not None else moment,
        updated_at=moment,
        options=dict(options) or {"Title": "Default Title"},
    )
