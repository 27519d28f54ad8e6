"""Etsy Open API v3 endpoints the connector uses, under `/v3/application/…` (getMe,
getShopByOwnerUserId, getShop, getShopReceipts, getShopReceipt, createReceiptShipment, getListingsByShop,
getListing, getListingInventory), with the parameters, scopes and JSON of Etsy's OpenAPI specification."""

import inspect
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from printbridge_sandbox.etsy.guard import Caller, Guard, Refused, error
from printbridge_sandbox.etsy.payloads import inventory_json, listing_json, receipt_json, shop_json
from printbridge_sandbox.etsy.state import Listing, Receipt, Shipment, Shop, State

MIN_TIMESTAMP = 946_684_800
FORM = "application/x-www-form-urlencoded"
US_TRACKING_THRESHOLD = 1000
SORT_ON = {"created": "created", "updated": "updated", "receipt_id": "receipt_id"}
SORT_ORDER = {"asc": False, "ascending": False, "up": False, "desc": True, "descending": True, "down": True}
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
LISTING_STATES = ("active", "inactive", "sold_out", "draft", "expired")
LISTING_SORT_ON = ("created", "price", "updated", "score")
LISTING_INCLUDES = ("Shipping", "Shop", "Images", "User", "Translations", "Inventory")


def _int(raw: str | None, name: str, minimum: int, maximum: int | None = None) -> int | None:
    if raw is None:
        return None
    bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
    try:
        value = int(raw)
    except ValueError:
        raise error(400, f'Expected int {bound} for "{name}", got "{raw}".') from None
    if value < minimum or (maximum is not None and value > maximum):
        raise error(400, f'Expected int {bound} for "{name}", got "{raw}".')
    return value


def _enum(raw: str | None, name: str, allowed: dict[str, Any] | tuple[str, ...]) -> str | None:
    if raw is not None and raw not in allowed:
        raise error(400, f'Expected one of {", ".join(allowed)} for "{name}", got "{raw}".')
    return raw


def _bool(raw: str | None, name: str) -> bool | None:
    if raw is None:
        return None
    if raw.lower() not in BOOLEANS:
        raise error(400, f'Expected boolean for "{name}", got "{raw}".')
    return BOOLEANS[raw.lower()]


def _includes(request: Request) -> set[str]:
    """`includes` as repeated parameters or one comma-separated list; Etsy's enum, case as documented."""
    wanted = {part.strip() for raw in request.query_params.getlist("includes") for part in raw.split(",")}
    wanted.discard("")
    unknown = sorted(wanted - set(LISTING_INCLUDES))
    if unknown:
        raise error(400, f'Expected one of {", ".join(LISTING_INCLUDES)} for "includes", got "{unknown[0]}".')
    return wanted


def _id(raw: str, name: str) -> int:
    value = _int(raw, name, 1)
    assert value is not None
    return value


class Api:
    def __init__(self, state: State, guard: Guard) -> None:
        self.state = state
        self.guard = guard

    def own_shop(self, caller: Caller, raw_shop_id: str) -> Shop:
        shop = self.state.shops.get(_id(raw_shop_id, "shop_id"))
        if shop is None:
            raise error(404, f"Could not find a shop with shop_id = {raw_shop_id}")
        if caller.user_id != shop.user_id:
            raise error(403, "The authenticated user does not own this shop.")
        return shop

    def receipt(self, shop: Shop, raw_receipt_id: str) -> Receipt:
        receipt = shop.receipts.get(_id(raw_receipt_id, "receipt_id"))
        if receipt is None:
            raise error(404, f"Could not find a receipt with receipt_id = {raw_receipt_id}")
        return receipt

    def receipt_json(self, receipt: Receipt) -> dict[str, Any]:
        return receipt_json(receipt, self.state.users[receipt.seller_user_id])

    def me(self, caller: Caller) -> Any:
        shop = self.state.shop_of_user(caller.user_id or 0)
        return {"user_id": caller.user_id, "shop_id": shop.shop_id if shop else None}

    def shop_by_owner(self, request: Request, raw_user_id: str) -> Any:
        user = self.state.users.get(_id(raw_user_id, "user_id"))
        if user is None:
            raise error(404, f"Could not find a shop for user_id = {raw_user_id}")
        return shop_json(self.state.shops[user.shop_id], user, str(request.base_url).rstrip("/"))

    def shop(self, request: Request, raw_shop_id: str) -> Any:
        shop = self.state.shops.get(_id(raw_shop_id, "shop_id"))
        if shop is None:
            raise error(404, f"Could not find a shop with shop_id = {raw_shop_id}")
        return shop_json(shop, self.state.users[shop.user_id], str(request.base_url).rstrip("/"))

    def receipts(self, caller: Caller, request: Request, raw_shop_id: str) -> Any:
        shop = self.own_shop(caller, raw_shop_id)
        query = request.query_params
        bounds = {
            name: _int(query.get(name), name, MIN_TIMESTAMP)
            for name in ("min_created", "max_created", "min_last_modified", "max_last_modified")
        }
        limit = _int(query.get("limit"), "limit", 1, 100) or 25
        offset = _int(query.get("offset"), "offset", 0) or 0
        sort_on = _enum(query.get("sort_on"), "sort_on", SORT_ON) or "created"
        descending = SORT_ORDER[_enum(query.get("sort_order"), "sort_order", SORT_ORDER) or "desc"]
        flags: dict[str, Callable[[Receipt], bool]] = {
            "was_paid": lambda r: r.is_paid,
            "was_shipped": lambda r: r.is_shipped,
            "was_delivered": lambda r: r.is_delivered,
            "was_canceled": lambda r: r.canceled,
        }
        wanted = {name: _bool(query.get(name), name) for name in flags}
        found = [
            r
            for r in shop.receipts.values()
            if (bounds["min_created"] is None or r.created >= bounds["min_created"])
            and (bounds["max_created"] is None or r.created <= bounds["max_created"])
            and (bounds["min_last_modified"] is None or r.updated >= bounds["min_last_modified"])
            and (bounds["max_last_modified"] is None or r.updated <= bounds["max_last_modified"])
            and all(value is None or flags[name](r) == value for name, value in wanted.items())
        ]
        found.sort(key=lambda r: (getattr(r, sort_on), r.receipt_id), reverse=descending)
        return {
            "count": len(found),
            "results": [self.receipt_json(r) for r in found[offset : offset + limit]],
        }

    async def create_shipment(self, caller: Caller, request: Request, shop_id: str, receipt_id: str) -> Any:
        """createReceiptShipment: the form's `tracking_code` and `carrier_name` (both or neither),
        `send_bcc`, `note_to_buyer`. Only a form body is read: JSON sent instead (a common mistake,
        etsy/open-api #135, #157) leaves the receipt marked shipped without tracking, as on Etsy."""
        shop = self.own_shop(caller, shop_id)
        receipt = self.receipt(shop, receipt_id)
        form: dict[str, str] = {}
        if request.headers.get("content-type", "").split(";")[0].strip().lower() == FORM:
            form = dict(parse_qsl((await request.body()).decode(errors="replace"), keep_blank_values=True))
        send_bcc = _bool(form.get("send_bcc"), "send_bcc") or False
        if receipt.canceled:
            raise error(400, "Cannot submit tracking for a canceled receipt.")
        carrier, code = form.get("carrier_name", ""), form.get("tracking_code", "")
        if bool(carrier) != bool(code):
            raise error(400, "tracking_code and carrier_name must be given together.")
        if not code and tracking_required(receipt):
            raise error(400, "A tracking number is required")
        mark_shipped(self.state, receipt, carrier, code, form.get("note_to_buyer") or None, send_bcc)
        return self.receipt_json(receipt)

    def listings(self, caller: Caller, request: Request, raw_shop_id: str) -> Any:
        """getListingsByShop: one `state` at a time (default active), sorted on `sort_on` (default
        created; `score` always descending) then by listing id, `limit`/`offset` paging."""
        shop = self.own_shop(caller, raw_shop_id)
        query = request.query_params
        state = _enum(query.get("state"), "state", LISTING_STATES) or "active"
        limit = _int(query.get("limit"), "limit", 1, 100) or 25
        offset = _int(query.get("offset"), "offset", 0) or 0
        sort_on = _enum(query.get("sort_on"), "sort_on", LISTING_SORT_ON) or "created"
        descending = SORT_ORDER[_enum(query.get("sort_order"), "sort_order", SORT_ORDER) or "desc"]
        keys: dict[str, Callable[[Listing], Any]] = {
            "created": lambda x: (x.created, x.listing_id),
            "updated": lambda x: (x.updated, x.listing_id),
            "price": lambda x: (min(p.price for p in x.products), x.listing_id),
            "score": lambda x: (x.listing_id,),
        }
        found = sorted(
            (listing for listing in shop.listings.values() if listing.state == state),
            key=keys[sort_on],
            reverse=descending or sort_on == "score",
        )
        inventory = "Inventory" in _includes(request)
        return {
            "count": len(found),
            "results": [self._listing_json(shop, x, inventory) for x in found[offset : offset + limit]],
        }

    @staticmethod
    def _listing_json(shop: Shop, listing: Listing, inventory: bool) -> dict[str, Any]:
        """A listing, with `inventory` attached when `includes=Inventory` asked for it (only the Inventory
        association is modelled; the others are accepted and left out)."""
        body = listing_json(shop, listing)
        if inventory:
            body["inventory"] = inventory_json(shop, listing)
        return body

    def listing(self, caller: Caller, request: Request, raw_listing_id: str) -> Any:
        """getListing: any state for the shop's owner; a listing that is not active is hidden (404)
        from everyone else, as on etsy.com."""
        listing_id = _id(raw_listing_id, "listing_id")
        for shop in self.state.shops.values():
            listing = shop.listings.get(listing_id)
            if listing is not None and (listing.state == "active" or shop.user_id == caller.user_id):
                return self._listing_json(shop, listing, "Inventory" in _includes(request))
        raise error(404, f"Could not find a listing with listing_id = {raw_listing_id}")

    def inventory(self, caller: Caller, raw_listing_id: str) -> Any:
        listing_id = _id(raw_listing_id, "listing_id")
        for shop in self.state.shops.values():
            if listing_id in shop.listings:
                if shop.user_id != caller.user_id:
                    raise error(403, "The authenticated user does not own this listing.")
                return inventory_json(shop, shop.listings[listing_id])
        raise error(404, f"Could not find a listing with listing_id = {raw_listing_id}")


def tracking_required(receipt: Receipt) -> bool:
    """Etsy refuses to mark shipped without tracking where it requires tracking: shipments to India and
    US orders over $10 (the grand total in the receipt's currency's minor units)."""
    return receipt.country_iso == "IN" or (
        receipt.country_iso == "US" and receipt.grandtotal > US_TRACKING_THRESHOLD
    )


def mark_shipped(
    state: State,
    receipt: Receipt,
    carrier: str,
    code: str,
    note_to_buyer: str | None = None,
    send_bcc: bool = False,
) -> None:
    moment = state.clock.seconds()
    if carrier:
        receipt.shipments.append(
            Shipment(state.ids.next("shipment"), carrier, code, moment, note_to_buyer, send_bcc)
        )
    receipt.is_shipped = True
    for transaction in receipt.transactions:
        transaction.shipped = moment
    receipt.updated = moment


def router(api: Api) -> APIRouter:
    routes = APIRouter(prefix="/v3/application", include_in_schema=False)
    guard = api.guard

    async def serve(
        request: Request, scope: str | None, run: Callable[[Caller], Any], token: bool = True
    ) -> Response:
        caller: Caller | None = None
        try:
            caller = guard.check(request, scope, token_required=token)
            result = run(caller)
            if inspect.isawaitable(result):
                result = await result
            response: Response = JSONResponse(result, headers=caller.headers)
        except Refused as refused:
            response = refused.response()
        guard.log(request, response.status_code, caller, request.headers.get("x-api-key", "").split(":")[0])
        return response

    @routes.get("/users/me")
    async def get_me(request: Request) -> Response:
        return await serve(request, "shops_r", api.me)

    @routes.get("/users/{user_id}/shops")
    async def get_shop_by_owner(request: Request, user_id: str) -> Response:
        return await serve(request, None, lambda _c: api.shop_by_owner(request, user_id), token=False)

    @routes.get("/shops/{shop_id}")
    async def get_shop(request: Request, shop_id: str) -> Response:
        return await serve(request, None, lambda _c: api.shop(request, shop_id), token=False)

    @routes.get("/shops/{shop_id}/receipts")
    async def get_receipts(request: Request, shop_id: str) -> Response:
        return await serve(request, "transactions_r", lambda c: api.receipts(c, request, shop_id))

    @routes.get("/shops/{shop_id}/receipts/{receipt_id}")
    async def get_receipt(request: Request, shop_id: str, receipt_id: str) -> Response:
        return await serve(
            request,
            "transactions_r",
            lambda c: api.receipt_json(api.receipt(api.own_shop(c, shop_id), receipt_id)),
        )

    @routes.post("/shops/{shop_id}/receipts/{receipt_id}/tracking")
    async def create_shipment(request: Request, shop_id: str, receipt_id: str) -> Response:
        return await serve(
            request, "transactions_w", lambda c: api.create_shipment(c, request, shop_id, receipt_id)
        )

    @routes.get("/shops/{shop_id}/listings")
    async def get_listings(request: Request, shop_id: str) -> Response:
        return await serve(request, "listings_r", lambda c: api.listings(c, request, shop_id))

    @routes.get("/listings/{listing_id}")
    async def get_listing(request: Request, listing_id: str) -> Response:
        return await serve(request, "listings_r", lambda c: api.listing(c, request, listing_id), token=False)

    @routes.get("/listings/{listing_id}/inventory")
    async def get_inventory(request: Request, listing_id: str) -> Response:
        return await serve(request, "listings_r", lambda c: api.inventory(c, listing_id))

    return routes
