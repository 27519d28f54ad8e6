"""Fulfilment back to an Etsy shop: createReceiptShipment (`POST
/v3/application/shops/{shop_id}/receipts/{receipt_id}/tracking`, form-encoded `tracking_code`,
`carrier_name`, `send_bcc=false`; needs `transactions_w`), which marks the receipt shipped and mails the
buyer. The receipt's `shipments[]` tell whether it has the shipment already: one with the tracking
code means it was sent (a request sent again, an attempt whose answer was lost).

`carrier_name`: the carrier as Etsy names it when it is one of those Etsy's documentation shows in its
examples (`usps`, `ups`, `fedex`, `dhl`), else `other` (Etsy's word for a carrier not in its list); the
tracking code goes with it either way."""

from typing import Any

from connectors.platforms.base import FulfilmentRefused

WRITE_SCOPE = "transactions_w"
OTHER = "other"
CARRIERS = {"usps": "usps", "ups": "ups", "fedex": "fedex", "fedex express": "fedex", "dhl": "dhl"}
FIX = (
    "Check the receipt in Etsy (Shop Manager → Orders & Shipping): mark it shipped there with the tracking, "
    "or correct it and report the parcel's tracking again."
)


def carrier_name(company: str | None) -> str:
    return CARRIERS.get((company or "").strip().lower(), OTHER)


def shipments_with(receipt: Any, code: str) -> list[str]:
    """The ids of the receipt's shipments with tracking `code`."""
    shipments = receipt.get("shipments") if isinstance(receipt, dict) else None
    return [
        str(shipment.get("receipt_shipping_id"))
        for shipment in shipments or []
        if isinstance(shipment, dict) and shipment.get("tracking_code") == code
    ]


def refused(message: str) -> FulfilmentRefused:
    return FulfilmentRefused(f"Etsy refused the shipment: {message}", FIX)


def no_receipt(receipt_id: str, message: str) -> FulfilmentRefused:
    return FulfilmentRefused(
        f"Etsy has no receipt {receipt_id} in this shop ({message}).",
        "Nothing to send: the receipt is not in the shop any more; tell the buyer the tracking yourself.",
    )
