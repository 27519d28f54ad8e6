"""The control API's routes under `/_sandbox/etsy` (docs/sandbox-etsy.md): thin wrappers over `Control`,
async so that a paid receipt's webhook delivery starts on the server's event loop."""

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request, Response

from printbridge_sandbox.etsy import schemas
from printbridge_sandbox.etsy.control import Control
from printbridge_sandbox.etsy.payloads import listing_json
from printbridge_sandbox.etsy.state import App, Shop, User


def app_json(app: App) -> dict[str, Any]:
    return {
        "keystring": app.keystring,
        "shared_secret": app.shared_secret,
        "name": app.name,
        "redirect_uris": app.redirect_uris,
        "webhook_url": app.webhook_url,
        "webhook_secret": app.webhook_secret,
        "qps": app.qps,
        "qpd": app.qpd,
    }


def seller_json(user: User, shop: Shop) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "login_name": user.login_name,
        "email": user.primary_email,
        "shop_id": shop.shop_id,
        "shop_name": shop.shop_name,
        "currency_code": shop.currency_code,
    }


def router(control: Control) -> APIRouter:
    routes = APIRouter(prefix="/_sandbox/etsy", tags=["sandbox: Etsy"])
    state = control.state

    @routes.post("/apps", status_code=201)
    async def register_app(given: schemas.AppIn) -> dict[str, Any]:
        return app_json(control.register_app(given))

    @routes.get("/apps")
    async def list_apps() -> list[dict[str, Any]]:
        return [app_json(app) for app in state.apps.values()]

    @routes.patch("/apps/{keystring}")
    async def update_app(keystring: str, patch: schemas.AppPatch) -> dict[str, Any]:
        return app_json(control.update_app(keystring, patch))

    @routes.post("/sellers", status_code=201)
    async def create_seller(given: schemas.SellerIn) -> dict[str, Any]:
        return seller_json(*control.create_seller(given))

    @routes.get("/sellers")
    async def list_sellers() -> list[dict[str, Any]]:
        return [seller_json(user, state.shops[user.shop_id]) for user in state.users.values()]

    @routes.put("/consent")
    async def consent(given: schemas.ConsentIn) -> dict[str, Any]:
        if given.user_id is not None:
            control.user(given.user_id)
        state.consent.user_id, state.consent.approve = given.user_id, given.approve
        return {"user_id": given.user_id, "approve": given.approve}

    @routes.post("/sellers/{user_id}/change_password")
    async def change_password(user_id: int) -> dict[str, int]:
        control.user(user_id)
        return {"revoked": control.oauth.revoke_user(user_id)}

    @routes.post("/actions/expire_access_tokens")
    async def expire_access_tokens(given: schemas.UserRef) -> dict[str, int]:
        now, expired = state.clock.now(), 0
        for token in state.access_tokens.values():
            if (given.user_id is None or token.user_id == given.user_id) and token.expires_at > now:
                token.expires_at, expired = now, expired + 1
        return {"expired": expired}

    @routes.post("/actions/advance_clock")
    async def advance_clock(given: schemas.ClockIn) -> dict[str, float]:
        state.clock.offset += given.seconds
        return {"now": state.clock.now()}

    @routes.put("/clock")
    async def freeze_clock(given: schemas.FreezeIn) -> dict[str, Any]:
        state.clock.freeze(given.frozen)
        return {"now": state.clock.now(), "frozen": state.clock.frozen_at is not None}

    @routes.post("/actions/release_held")
    async def release_held() -> dict[str, int]:
        count = len(state.held)
        control.webhooks.release_held()
        return {"released": count}

    @routes.post("/shops/{shop_id}/listings", status_code=201)
    async def create_listing(shop_id: int, given: schemas.ListingIn) -> dict[str, Any]:
        shop = control.shop(shop_id)
        listing = control.create_listing(shop, given)
        body = listing_json(shop, listing)
        body["products"] = [{"product_id": p.product_id, "sku": p.sku} for p in listing.products]
        return body

    @routes.patch("/shops/{shop_id}/listings/{listing_id}")
    async def update_listing(shop_id: int, listing_id: int, patch: schemas.ListingPatch) -> dict[str, Any]:
        shop = control.shop(shop_id)
        listing = control.update_listing(control.listing(shop, listing_id), patch)
        body = listing_json(shop, listing)
        body["products"] = [{"product_id": p.product_id, "sku": p.sku} for p in listing.products]
        return body

    @routes.delete("/shops/{shop_id}/listings/{listing_id}", status_code=204)
    async def delete_listing(shop_id: int, listing_id: int) -> Response:
        control.delete_listing(control.shop(shop_id), listing_id)
        return Response(status_code=204)

    @routes.post("/shops/{shop_id}/receipts", status_code=201)
    async def place_receipt(shop_id: int, given: schemas.ReceiptIn, request: Request) -> dict[str, Any]:
        control.seen_at(request)
        return control.receipt_json(control.place_receipt(control.shop(shop_id), given))

    @routes.get("/shops/{shop_id}/receipts")
    async def list_receipts(shop_id: int) -> list[dict[str, Any]]:
        return [control.receipt_json(r) for r in control.shop(shop_id).receipts.values()]

    @routes.get("/shops/{shop_id}/receipts/{receipt_id}")
    async def get_receipt(shop_id: int, receipt_id: int) -> dict[str, Any]:
        return control.receipt_json(control.receipt(control.shop(shop_id), receipt_id))

    @routes.post("/shops/{shop_id}/receipts/{receipt_id}/pay")
    async def pay(shop_id: int, receipt_id: int, request: Request) -> dict[str, Any]:
        control.seen_at(request)
        return control.receipt_json(control.pay(control.receipt(control.shop(shop_id), receipt_id)))

    @routes.patch("/shops/{shop_id}/receipts/{receipt_id}")
    async def update_receipt(shop_id: int, receipt_id: int, patch: schemas.ReceiptPatch) -> dict[str, Any]:
        receipt = control.receipt(control.shop(shop_id), receipt_id)
        return control.receipt_json(control.update_receipt(receipt, patch))

    @routes.post("/shops/{shop_id}/receipts/{receipt_id}/cancel")
    async def cancel(shop_id: int, receipt_id: int) -> dict[str, Any]:
        return control.receipt_json(control.cancel(control.receipt(control.shop(shop_id), receipt_id)))

    @routes.post("/shops/{shop_id}/receipts/{receipt_id}/ship")
    async def ship(shop_id: int, receipt_id: int, given: schemas.ShipIn) -> dict[str, Any]:
        receipt = control.receipt(control.shop(shop_id), receipt_id)
        return control.receipt_json(control.ship(receipt, given))

    @routes.get("/shops/{shop_id}/receipts/{receipt_id}/shipments")
    async def shipments(shop_id: int, receipt_id: int) -> dict[str, Any]:
        """Whether the receipt is shipped, and its shipments with what the app sent beside them."""
        receipt = control.receipt(control.shop(shop_id), receipt_id)
        return {
            "is_shipped": receipt.is_shipped,
            "status": receipt.status,
            "shipments": [asdict(shipment) for shipment in receipt.shipments],
        }

    @routes.get("/deliveries")
    async def deliveries() -> list[dict[str, Any]]:
        return [
            {
                "number": d.number,
                "webhook_id": d.webhook_id,
                "keystring": d.keystring,
                "url": d.url,
                "event_type": d.event_type,
                "shop_id": d.shop_id,
                "receipt_id": d.receipt_id,
                "status": d.status,
                "duplicate_of": d.duplicate_of,
                "wrong_signature": d.wrong_signature,
                "body": d.body.decode(),
                "attempts": [asdict(a) for a in d.attempts],
            }
            for d in state.deliveries
        ]

    @routes.get("/calls")
    async def calls(since: int = 0) -> list[dict[str, Any]]:
        return [asdict(call) for call in state.calls if call.number > since]

    @routes.get("/misbehaviour")
    async def get_misbehaviour() -> dict[str, Any]:
        return asdict(state.misbehaviour)

    @routes.put("/misbehaviour")
    async def set_misbehaviour(given: schemas.MisbehaviourIn) -> dict[str, Any]:
        for name, value in given.model_dump(exclude_unset=True).items():
            if value is not None:
                setattr(state.misbehaviour, name, value)
        return asdict(state.misbehaviour)

    @routes.patch("/settings")
    async def settings(given: schemas.SettingsIn) -> dict[str, Any]:
        for name, value in given.model_dump(exclude_unset=True).items():
            if value is not None:
                setattr(control.settings, name, value)
        return {key: getattr(control.settings, key) for key in vars(control.settings)}

    @routes.post("/reset", status_code=204)
    async def reset() -> Response:
        control.reset()
        for key, value in control.initial_settings.items():
            setattr(control.settings, key, value)
        return Response(status_code=204)

    return routes
