"""One order line → the production item it is, or the holds that say why it cannot be produced yet.
Pure: everything it needs from the projections comes in a `Lookup`, loaded by the service for a whole
batch of orders at once."""

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from orders.files.service import requirements_of
from orders.models import CatalogProductView, Order, OrderLine, TemplateView, VariantMappingView
from orders.resolution.holds import FILE_HOLDS, Hold, HoldCode
from printbridge_shared.outbound import UrlNotAllowed, check_url_shape

# A file that came with the order, by print area: its address and the catalog's print area it is for.
GivenFiles = Mapping[str, tuple[str, dict[str, Any]]]
ToCheck = list[tuple[str, str, dict[str, Any]]]


@dataclass(frozen=True)
class Lookup:
    """The projections' rows a batch of orders may resolve through (removed ones left out)."""

    mappings_by_variant: Mapping[tuple[uuid.UUID, str], VariantMappingView] = field(default_factory=dict)
    # (customer, SKU) → the mappings of that SKU in the customer's stores (a manual order's `sku`; a
    # shop line mapping does not know by id, in its own store).
    mappings_by_sku: Mapping[tuple[uuid.UUID, str], list[VariantMappingView]] = field(default_factory=dict)
    catalog: Mapping[str, CatalogProductView] = field(default_factory=dict)
    templates: Mapping[uuid.UUID, TemplateView] = field(default_factory=dict)
    # The checks of files that came with orders (a manual line's files, a shop line's artwork): (order,
    # line position, print area) → the result ({url, requirements, status, problem, message, fix,
    # checked_at}).
    order_files: Mapping[tuple[uuid.UUID, int, str], Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Resolution:
    """What a line came to: an `item` when it can be produced; otherwise `holds`, or `waiting` (a file
    is still being checked: neither producible nor on hold yet). `to_check`: files that came with the
    order and have no check yet, by print area: (url, the area's requirements)."""

    item: dict[str, Any] | None = None
    holds: tuple[Hold, ...] = ()
    waiting: str | None = None
    to_check: tuple[tuple[str, str, dict[str, Any]], ...] = ()


def variant_key(line: OrderLine) -> str | None:
    """The shop's variant id the mapping is kept under: the line's variant, or — for a product without
    variants (WooCommerce simple products, Pressero) — the product's own id."""
    return line.external_variant_id or line.external_product_id


def resolve_line(order: Order, line: OrderLine, lookup: Lookup) -> Resolution:
    if order.platform == "manual":
        return _manual(order, line, lookup)
    key = variant_key(line)
    mapping = lookup.mappings_by_variant.get((order.store_id, key)) if key else None
    if mapping is None and line.sku:
        same_sku = [
            found
            for found in lookup.mappings_by_sku.get((order.customer_id, line.sku), [])
            if found.store_id == order.store_id
        ]
        mapping = same_sku[0] if len(same_sku) == 1 else None
    if mapping is None:
        return _unmapped(line)
    return _through_mapping(order, line, mapping, lookup)


def _describe(line: OrderLine) -> str:
    named = f"'{line.title}'" + (f" ({line.variant_title})" if line.variant_title else "")
    return named + (f", SKU {line.sku}" if line.sku else "")


def _unmapped(line: OrderLine) -> Resolution:
    return _hold(
        line,
        HoldCode.unmapped_item,
        f"{_describe(line)} is not mapped to a product of the catalog",
        "map the shop variant to a catalog product (PUT /v1/shop-variants/{id}/mapping, or the products "
        "CSV); the order is released when the mapping is made",
    )


def _hold(line: OrderLine, code: HoldCode, message: str, fix: str) -> Resolution:
    return Resolution(holds=(Hold(code, line.position, message, fix),))


def _through_mapping(
    order: Order, line: OrderLine, mapping: VariantMappingView, lookup: Lookup
) -> Resolution:
    variant = f"shop variant {mapping.shop_variant_id}"
    if mapping.status == "inactive":
        return _hold(
            line,
            HoldCode.inactive_product,
            f"{_describe(line)} is a draft, archived or unpublished product in the shop",
            "publish the product in the shop again (the order is released when the shop says so), or "
            "cancel the order",
        )
    product = lookup.catalog.get(mapping.product_uid or "")
    fix_spec = f"change the mapping of {variant} (PUT /v1/shop-variants/{mapping.shop_variant_id}/mapping)"
    files: Mapping[str, Mapping[str, Any]] = mapping.files
    area_holds: dict[str, Hold] = {}
    to_check: ToCheck = []
    if mapping.artwork_properties and product is not None:
        artwork, area_holds = _artwork(line, mapping.artwork_properties, product, fix_spec)
        checked, to_check = _order_files(order, line, artwork, lookup)
        files = {**mapping.files, **checked}
    resolved = _spec(
        line,
        product_uid=mapping.product_uid or "",
        attributes=mapping.attributes,
        files=files,
        issues=set(mapping.issues),
        product=product,
        source={"kind": "mapping", "shop_variant_id": str(mapping.shop_variant_id)},
        fix_spec=fix_spec,
        area_holds=area_holds,
    )
    return dataclasses.replace(resolved, to_check=tuple(to_check))


def _artwork(
    line: OrderLine, artwork_properties: Mapping[str, str], product: CatalogProductView, fix_spec: str
) -> tuple[dict[str, tuple[str, dict[str, Any]]], dict[str, Hold]]:
    """The order's artwork for the print areas its mapping says come with the order: the value of the
    line's property of the name the mapping gives (the exact name; the first such property), an order
    file to check. An area whose property is missing or empty, or whose value is no http(s) address
    (which the file checker's guarded client would refuse anyway), holds the line instead."""
    given: dict[str, tuple[str, dict[str, Any]]] = {}
    holds: dict[str, Hold] = {}
    otherwise = f"or map the variant with a fixed file: {fix_spec}"
    for area in product.print_areas:
        name, prop = area["name"], artwork_properties.get(area["name"])
        if prop is None:
            continue
        url = next((str(p.get("value") or "") for p in line.properties or [] if p.get("name") == prop), "")
        url = url.strip()
        if not url:
            holds[name] = Hold(
                HoldCode.spec_mismatch,
                line.position,
                f"the order's line has no '{prop}' property with the artwork for '{name}'",
                f"the shop's customiser must send it; {otherwise}",
            )
            continue
        try:
            check_url_shape(url, allow_private=True)  # plain http and private hosts: the checker's to judge
        except (UrlNotAllowed, httpx.InvalidURL) as refused:
            holds[name] = Hold(
                HoldCode.file_unreachable,
                line.position,
                f"the '{name}' artwork of {_describe(line)} (its '{prop}' property) is not a file's address: "
                f"{refused}",
                f"the shop's customiser must send the artwork's public https:// address; {otherwise}",
            )
            continue
        given[name] = (url, area)
    return given, holds


def _order_files(
    order: Order, line: OrderLine, given: GivenFiles, lookup: Lookup
) -> tuple[dict[str, Mapping[str, Any]], ToCheck]:
    """The checks held of the files that came with the line, by print area; a file without one — or
    whose check is of another address, or of the print area before the catalog changed it (stale) — is
    pending and to be checked."""
    checked: dict[str, Mapping[str, Any]] = {}
    to_check: ToCheck = []
    for name, (url, area) in given.items():
        result = lookup.order_files.get((order.id, line.position, name))
        if result is None or (result.get("url"), result.get("requirements")) != (url, requirements_of(area)):
            to_check.append((name, url, area))
            result = {"url": url, "status": "pending"}
        checked[name] = result
    return checked, to_check


def _spec(
    line: OrderLine,
    *,
    product_uid: str,
    attributes: Mapping[str, str],
    files: Mapping[str, Mapping[str, Any]],
    issues: set[str],
    product: CatalogProductView | None,
    source: dict[str, str],
    fix_spec: str,
    area_holds: Mapping[str, Hold] | None = None,
) -> Resolution:
    """A spec kept by mapping (a variant's mapping, a template): its status as mapping judged it, and
    the catalog product as orders knows it now (it may have been retired since). `area_holds`: print
    areas already found wanting (an order's artwork missing, or at no web address), whose files are not
    looked at."""
    if product is None:
        # Mapping knew the product when it judged the spec; orders has not heard of it yet.
        return Resolution(waiting=f"the catalog product '{product_uid}' is not yet known to orders")
    holds: list[Hold] = []
    if "product_retired" in issues or (product is not None and product.status != "active"):
        holds.append(
            Hold(
                HoldCode.product_retired,
                line.position,
                f"the catalog product '{product_uid}' of {_describe(line)} is retired",
                f"choose another product: {fix_spec}",
            )
        )
    if "spec_invalid" in issues:
        holds.append(
            Hold(
                HoldCode.spec_mismatch,
                line.position,
                f"the production spec of {_describe(line)} no longer fits the catalog product "
                f"'{product_uid}' (its attributes or print areas changed)",
                fix_spec,
            )
        )
    waiting = None
    for area in [area["name"] for area in product.print_areas]:
        result = files.get(area)
        if area_holds and area in area_holds:
            holds.append(area_holds[area])
        elif result is None:
            holds.append(
                Hold(
                    HoldCode.spec_mismatch,
                    line.position,
                    f"{_describe(line)} has no print file for the '{area}' print area",
                    f"add a file for '{area}': {fix_spec}",
                )
            )
        elif result.get("status") == "failed":
            code = FILE_HOLDS.get(str(result.get("problem")), HoldCode.file_unreachable)
            holds.append(
                Hold(
                    code,
                    line.position,
                    f"the '{area}' print file of {_describe(line)} failed its check: {result.get('message')}",
                    f"{result.get('fix') or 'upload a file that fits'}; the order is released when the "
                    "file passes (fixed at its address, it is checked again)",
                )
            )
        elif result.get("status") != "passed":
            waiting = f"the '{area}' print file of {_describe(line)} is being checked"
    if holds:
        return Resolution(holds=tuple(holds))
    if waiting:
        return Resolution(waiting=waiting)
    return Resolution(item=_item(line, product, attributes, files, source))


def _item(
    line: OrderLine,
    product: CatalogProductView,
    attributes: Mapping[str, str],
    files: Mapping[str, Mapping[str, Any]],
    source: dict[str, str],
) -> dict[str, Any]:
    return {
        "product_uid": product.product_uid,
        "product_type": product.type,
        "quantity": line.quantity,
        "attributes": dict(attributes),
        "files": {area: str(result["url"]) for area, result in files.items()},
        "source": source,
    }


def _manual(order: Order, line: OrderLine, lookup: Lookup) -> Resolution:
    """A manual order's line names its product directly: a saved template, a shop SKU of the customer
    (resolved through that variant's mapping), or a catalog product with its options and files."""
    if line.template_id is not None:
        template = lookup.templates.get(line.template_id)
        if template is None or template.customer_id != order.customer_id:
            return _hold(
                line,
                HoldCode.unmapped_item,
                f"{_describe(line)} names template {line.template_id}, which does not exist (any more)",
                "order by another template (GET /v1/templates), or cancel the order",
            )
        return _spec(
            line,
            product_uid=template.product_uid or "",
            attributes=template.attributes,
            files=template.files,
            issues=set() if template.status == "ok" else {template.status},
            product=lookup.catalog.get(template.product_uid or ""),
            source={"kind": "template", "template_id": str(template.template_id)},
            fix_spec=f"change template {template.template_id} (PATCH /v1/templates/{template.template_id})",
        )
    if line.product_uid is None and line.sku is not None:
        found = lookup.mappings_by_sku.get((order.customer_id, line.sku), [])
        if len(found) != 1:
            several = f"{len(found)} mapped shop variants" if found else "no mapped shop variant"
            return _hold(
                line,
                HoldCode.unmapped_item,
                f"SKU {line.sku} names {several} of this customer",
                "order by product_uid or template_id, or map exactly one shop variant with this SKU",
            )
        return _through_mapping(order, line, found[0], lookup)
    return _catalog_line(order, line, lookup)


def _catalog_line(order: Order, line: OrderLine, lookup: Lookup) -> Resolution:
    product = lookup.catalog.get(line.product_uid or "")
    fix = "correct the order's line (cancel it and order again)"
    if product is None:
        return _hold(
            line,
            HoldCode.spec_mismatch,
            f"{_describe(line)} names product '{line.product_uid}', which the catalog does not have",
            f"{fix} with a product_uid of GET /v1/catalog/products",
        )
    if product.status != "active":
        return _hold(
            line,
            HoldCode.product_retired,
            f"the catalog product '{product.product_uid}' of {_describe(line)} is retired",
            f"{fix} with another product",
        )
    attributes, problems = _attributes(product, line.options or {})
    areas = {area["name"] for area in product.print_areas}
    files = line.files or {}
    listed = ", ".join(sorted(areas))
    problems += [
        f"the product has no print area '{area}' (it has: {listed})" for area in files if area not in areas
    ]
    problems += [f"no print file for the '{area}' print area" for area in sorted(areas) if area not in files]
    if problems:
        return Resolution(
            holds=tuple(
                Hold(HoldCode.spec_mismatch, line.position, f"{_describe(line)}: {problem}", fix)
                for problem in problems
            )
        )
    given = {area["name"]: (files[area["name"]], area) for area in product.print_areas}
    checked, to_check = _order_files(order, line, given, lookup)
    resolved = _spec(
        line,
        product_uid=product.product_uid,
        attributes=attributes,
        files=checked,
        issues=set(),
        product=product,
        source={"kind": "catalog"},
        fix_spec="send the order with a file that fits (cancel it and order again)",
    )
    return dataclasses.replace(resolved, to_check=tuple(to_check))


def _attributes(product: CatalogProductView, given: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The line's options as the product's attributes (one allowed value may be left out), and what is
    wrong with them."""
    attributes: dict[str, str] = {}
    problems: list[str] = []
    for name, value in given.items():
        allowed = product.attributes.get(name)
        if allowed is None:
            problems.append(
                f"the product has no attribute '{name}' (it has: {', '.join(product.attributes)})"
            )
        elif value not in allowed:
            problems.append(f"'{value}' is not a value of '{name}' (allowed: {', '.join(allowed)})")
        else:
            attributes[name] = value
    for name, allowed in product.attributes.items():
        if name in given:
            continue
        if len(allowed) == 1:
            attributes[name] = allowed[0]
        else:
            problems.append(f"attribute '{name}' is missing (one of: {', '.join(allowed)})")
    return attributes, problems
