"""Whether a spec fits its catalog product: the product exists and is active, every attribute has one of
its allowed values (an attribute with a single value may be left out: that value is taken), every file
is for one of its print areas, at an address the service may fetch. Every wrong field is named at once."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from mapping.catalog.repository import CatalogRepository
from mapping.models import CatalogProduct
from mapping.specs.exceptions import ProductNotInCatalog, ProductRetired, SpecInvalid
from printbridge_shared.outbound import UrlNotAllowed, check_url_shape

Problem = tuple[tuple[str, ...], str]  # where in the spec (e.g. ("attributes", "paper")) and what is wrong


@dataclass(frozen=True)
class ValidSpec:
    product: CatalogProduct
    attributes: dict[str, str]  # every attribute of the product, single-valued ones filled in
    files: dict[str, str]
    # A variant mapping's print areas whose file each order brings ({area: line property}); None when the
    # spec does not say (the products CSV): a mapping then keeps the ones it has.
    artwork_properties: dict[str, str] | None = None


def _listed(values: list[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def attribute_problems(product: CatalogProduct, attributes: Mapping[str, str]) -> list[Problem]:
    """What keeps `attributes` from fitting the product as it is now."""
    allowed = product.attributes
    problems: list[Problem] = []
    for name, value in attributes.items():
        if name not in allowed:
            has = f"its attributes are {_listed(sorted(allowed))}" if allowed else "it has no attributes"
            problems.append(
                (
                    ("attributes", name),
                    f"'{product.product_uid}' has no attribute '{name}' ({has}); remove it",
                )
            )
        elif value not in allowed[name]:
            problems.append(
                (("attributes", name), f"'{value}' is not allowed; choose one of {_listed(allowed[name])}")
            )
    for name, values in allowed.items():
        if name not in attributes and len(values) > 1:
            problems.append((("attributes", name), f"required; choose one of {_listed(values)}"))
    return problems


def area_problems(product: CatalogProduct, areas: list[str], field: str = "files") -> list[Problem]:
    """Areas (of `field`: files, or artwork properties) the product does not have."""
    names = [area["name"] for area in product.print_areas]
    has = f"its print areas are {_listed(names)}" if names else "it has no print areas"
    return [
        ((field, area), f"'{product.product_uid}' has no print area '{area}' ({has})")
        for area in areas
        if area not in names
    ]


def artwork_problems(
    product: CatalogProduct, artwork_properties: Mapping[str, str], files: Mapping[str, str]
) -> list[Problem]:
    """Artwork properties for areas the product does not have, or for areas that also have a file."""
    problems = area_problems(product, list(artwork_properties), "artwork_properties")
    problems += [
        (
            ("artwork_properties", area),
            f"either a fixed file or the order's artwork, not both: remove '{area}' from `files` or from "
            "`artwork_properties`",
        )
        for area in artwork_properties
        if area in files
    ]
    return problems


def url_problems(files: Mapping[str, str], *, allow_private: bool) -> list[Problem]:
    problems: list[Problem] = []
    for area, url in files.items():
        try:
            check_url_shape(url, allow_private=allow_private)
        except UrlNotAllowed as refused:
            problems.append((("files", area), f"{refused}; give the file's public https:// address"))
        except httpx.InvalidURL:
            problems.append((("files", area), "not a URL; give the file's public https:// address"))
    return problems


def resolved_attributes(product: CatalogProduct, attributes: Mapping[str, str]) -> dict[str, str]:
    """The attributes given, plus each single-valued attribute of the product that was left out."""
    defaults = {name: values[0] for name, values in product.attributes.items() if len(values) == 1}
    return defaults | dict(attributes)


def _errors(problems: list[Problem], at: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"loc": [*at, *loc], "msg": msg, "type": "value_error"} for loc, msg in problems]


async def validate(
    session: AsyncSession,
    *,
    product_uid: str,
    attributes: Mapping[str, str],
    files: Mapping[str, str],
    allow_private: bool,
    artwork_properties: Mapping[str, str] | None = None,
    at: tuple[str, ...] = ("body",),
) -> ValidSpec:
    """The spec with its product and all its attributes, or a 422 naming every field that does not fit
    (`at` is where the spec's fields sit in the request)."""
    product = await CatalogRepository(session).get(product_uid)
    return check_spec(
        product,
        product_uid=product_uid,
        attributes=attributes,
        files=files,
        allow_private=allow_private,
        artwork_properties=artwork_properties,
        at=at,
    )


def check_spec(
    product: CatalogProduct | None,
    *,
    product_uid: str,
    attributes: Mapping[str, str],
    files: Mapping[str, str],
    allow_private: bool,
    artwork_properties: Mapping[str, str] | None = None,
    at: tuple[str, ...] = ("body",),
) -> ValidSpec:
    """`validate` with the catalog product already looked up (None: not in the catalog), for callers
    that check many specs against products loaded at once (the CSV import). `artwork_properties`: a
    variant mapping's only (templates and the CSV give none)."""
    if product is None:
        raise ProductNotInCatalog(product_uid, at)
    if product.status != "active":
        raise ProductRetired(product_uid, at)
    problems = [
        *attribute_problems(product, attributes),
        *area_problems(product, list(files)),
        *url_problems(files, allow_private=allow_private),
        *artwork_problems(product, artwork_properties or {}, files),
    ]
    if problems:
        raise SpecInvalid(_errors(problems, at))
    artwork = None if artwork_properties is None else dict(artwork_properties)
    return ValidSpec(product, resolved_attributes(product, attributes), dict(files), artwork)
