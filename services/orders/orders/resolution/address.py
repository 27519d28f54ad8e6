"""Can a parcel be addressed with it: the parts every carrier needs of a shipping address."""

import uuid
from typing import Any

from orders.resolution.holds import Hold, HoldCode
from printbridge_shared.countries import COUNTRY_CODES, WITHOUT_POSTCODE


def address_holds(order_id: uuid.UUID, address: dict[str, Any] | None) -> list[Hold]:
    fix = (
        f"correct the shipping address (PATCH /v1/orders/{order_id} with shipping_address); the order is "
        "released then"
    )
    if not address:
        return [Hold(HoldCode.address_invalid, None, "the order has no shipping address", fix)]
    missing = []
    if not any(address.get(part) for part in ("first_name", "last_name", "company")):
        missing.append("a name (first_name, last_name or company)")
    for part in ("address1", "city"):
        if not (address.get(part) or "").strip():
            missing.append(part)
    country = (address.get("country_code") or "").upper()
    if country not in COUNTRY_CODES:
        missing.append("country_code (ISO 3166-1 alpha-2, e.g. DE)")
    elif country not in WITHOUT_POSTCODE and not (address.get("zip") or "").strip():
        missing.append("zip")
    if not missing:
        return []
    return [Hold(HoldCode.address_invalid, None, "the shipping address lacks " + ", ".join(missing), fix)]
