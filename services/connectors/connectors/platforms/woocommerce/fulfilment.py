"""Fulfilment back to a WooCommerce shop (REST v3): the order is set `completed` (`PUT /orders/{id}`)
and gets a customer note naming the carrier, the tracking number and its link (`POST
/orders/{id}/notes` with `customer_note: true`: WooCommerce mails it to the buyer). WooCommerce has no
shipments of its own, so the note is the shipment: an order already completed with a note naming the
tracking number has it (a request sent again, an attempt whose answer was lost), and only what is
missing of the two is done."""

from typing import Any

from connectors.platforms.base import FulfilmentRefused, PlatformProblem
from connectors.platforms.woocommerce.client import WooApiError
from printbridge_shared.events.contracts import ShopFulfillmentRequested

COMPLETED = "completed"
# WooCommerce's answer to an order id it does not have: 404 to a read, 400 to an update (the CRUD
# controller's `update_item`), after the key's write permission was checked.
INVALID_ORDER_ID = "woocommerce_rest_shop_order_invalid_id"
# An id no WooCommerce order has (post and order ids start at 1): the probe's write goes to it.
NO_ORDER_ID = 0
FIX = (
    "Check the order in WooCommerce (Orders): complete it there and add a note to the customer with the "
    "tracking, or correct it and report the parcel's tracking again."
)


def note_text(request: ShopFulfillmentRequested) -> str:
    tracking = request.tracking
    text = "Your order has shipped"
    if tracking.company:
        text += f" with {tracking.company}"
    text += f". Tracking number: {tracking.number}."
    if tracking.url:
        text += f" Track your parcel: {tracking.url}"
    return text


def notes_naming(notes: Any, number: str) -> list[str]:
    """The ids of the customer notes that name tracking `number`."""
    if not isinstance(notes, list):
        return []
    return [
        str(note.get("id"))
        for note in notes
        if isinstance(note, dict) and note.get("customer_note") and number in str(note.get("note") or "")
    ]


def store_problem(
    error: WooApiError,
    key_read_only: PlatformProblem,
    key_revoked: PlatformProblem,
    api_missing: PlatformProblem,
) -> PlatformProblem | None:
    """The store's problem a 4xx names, if it names one: the key may not read or write ("The API key
    provided does not have read/write permissions."), it authenticates nobody any more (any other 401:
    WordPress answers `woocommerce_rest_cannot_*` with 401 only to a caller who is not logged in, as a
    revoked key over HTTPS is), its user may not (403), or the shop no longer serves the REST API."""
    if error.status == 401 and "permission" in error.message:
        return key_read_only
    if error.status == 401:
        return key_revoked
    if error.status == 403:
        return key_read_only
    if error.status == 404 and error.code == "rest_no_route":
        return api_missing
    return None


def refused_or_problem(
    error: WooApiError,
    order_id: str,
    key_read_only: PlatformProblem,
    key_revoked: PlatformProblem,
    api_missing: PlatformProblem,
) -> PlatformProblem | FulfilmentRefused:
    """What a 4xx to a fulfilment call means: the key may not write or no longer works (the store's
    problem), or WooCommerce refused the change to this order (its words)."""
    problem = store_problem(error, key_read_only, key_revoked, api_missing)
    if problem is not None:
        return problem
    if error.status == 404 or error.code == INVALID_ORDER_ID:
        return FulfilmentRefused(
            f"WooCommerce has no order {order_id} any more ({error.message}).",
            "Nothing to send: the order was deleted in the shop; tell the buyer the tracking yourself.",
        )
    return FulfilmentRefused(
        f"WooCommerce refused the update: {error.message} ({error.code or error.status}).", FIX
    )


def probe_problem(
    error: WooApiError,
    key_read_only: PlatformProblem,
    key_revoked: PlatformProblem,
    api_missing: PlatformProblem,
) -> PlatformProblem | FulfilmentRefused:
    """What a 4xx to a probe's call means: the store's problem, or an answer WooCommerce does not give
    to these calls (a plugin in the way), with its words."""
    problem = store_problem(error, key_read_only, key_revoked, api_missing)
    if problem is not None:
        return problem
    return FulfilmentRefused(
        f"WooCommerce answered Printbridge's check of the REST API key unexpectedly: {error.message} "
        f"({error.code or error.status}).",
        "Check that the shop's REST API answers as WooCommerce does (a security or REST plugin may change "
        "its answers; WooCommerce → Status → Logs), then place a test order again.",
    )
