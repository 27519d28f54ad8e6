"""What the control API (routes: control_api.py) does: what a seller, a buyer or Etsy itself would do
(register an app, open a shop, list products, place, pay, change, cancel and ship receipts, sign in and
consent, change a password) and what tests need (time, reset). Bad input gets problem+json naming the
field."""

import secrets
from decimal import Decimal
from typing import Any

from fastapi import Request

from printbridge_sandbox.etsy import schemas
from printbridge_sandbox.etsy.api import mark_shipped
from printbridge_sandbox.etsy.oauth import OAuth
from printbridge_sandbox.etsy.payloads import receipt_json
from printbridge_sandbox.etsy.settings import EtsySettings
from printbridge_sandbox.etsy.state import (
    App,
    InventoryProduct,
    Listing,
    Receipt,
    Shop,
    State,
    Transaction,
    User,
    Variation,
)
from printbridge_sandbox.etsy.webhooks import Webhooks, new_secret
from printbridge_shared.errors import Conflict, InvalidInput, NotFound, field_errors


def cents(value: Decimal) -> int:
    return int(value * 100)


class Control:
    """The operations behind the control API (also used by `python -m printbridge_sandbox` to seed)."""

    def __init__(self, state: State, settings: EtsySettings, oauth: OAuth, webhooks: Webhooks) -> None:
        self.state = state
        self.settings = settings
        self.oauth = oauth
        self.webhooks = webhooks
        self.initial_settings = {key: getattr(settings, key) for key in vars(settings)}
        # The API's base URL as the outside sees it (webhook resource_url): fixed by `create_app`'s
        # `public_url`, else the address the control call that paid a receipt came to.
        self.public_url: str | None = None
        self.api_base = "http://127.0.0.1:9103"

    def seen_at(self, request: Request) -> None:
        self.api_base = self.public_url or str(request.base_url).rstrip("/")

    def register_app(self, given: schemas.AppIn) -> App:
        keystring = given.keystring or secrets.token_hex(12)
        if keystring in self.state.apps:
            raise Conflict(f"an app with keystring {keystring!r} is registered already")
        app = App(
            keystring=keystring,
            shared_secret=given.shared_secret or secrets.token_hex(5),
            name=given.name,
            redirect_uris=given.redirect_uris,
            webhook_url=given.webhook_url,
            webhook_secret=given.webhook_secret or new_secret(),
            qps=given.qps or self.settings.default_qps,
            qpd=given.qpd or self.settings.default_qpd,
        )
        self.state.apps[keystring] = app
        return app

    def app(self, keystring: str) -> App:
        app = self.state.apps.get(keystring)
        if app is None:
            raise NotFound(f"no app with keystring {keystring!r}; register it with POST /_sandbox/etsy/apps")
        return app

    def update_app(self, keystring: str, patch: schemas.AppPatch) -> App:
        app = self.app(keystring)
        for name, value in patch.model_dump(exclude_unset=True).items():
            if value is not None or name == "webhook_url":  # null removes the webhook endpoint only
                setattr(app, name, value)
        return app

    def create_seller(self, given: schemas.SellerIn) -> tuple[User, Shop]:
        taken = {shop.shop_name.lower() for shop in self.state.shops.values()}
        if given.shop_name.lower() in taken:
            raise Conflict(f"a shop named {given.shop_name!r} exists already (names are unique on Etsy)")
        moment = self.state.clock.seconds()
        user_id, shop_id = self.state.ids.next("user"), self.state.ids.next("shop")
        user = User(
            user_id=user_id,
            login_name=given.login_name or given.shop_name.lower(),
            primary_email=given.email,
            first_name=given.first_name,
            last_name=given.last_name,
            shop_id=shop_id,
        )
        shop = Shop(
            shop_id=shop_id,
            user_id=user_id,
            shop_name=given.shop_name,
            title=given.shop_name,
            currency_code=given.currency_code,
            country_iso=given.country_iso,
            created=moment,
            updated=moment,
        )
        self.state.users[user_id] = user
        self.state.shops[shop_id] = shop
        return user, shop

    def user(self, user_id: int) -> User:
        user = self.state.users.get(user_id)
        if user is None:
            raise NotFound(f"no seller with user_id {user_id}; create one with POST /_sandbox/etsy/sellers")
        return user

    def shop(self, shop_id: int) -> Shop:
        shop = self.state.shops.get(shop_id)
        if shop is None:
            raise NotFound(f"no shop {shop_id}; create a seller with POST /_sandbox/etsy/sellers")
        return shop

    def _inventory(self, given: list[schemas.InventoryProductIn]) -> list[InventoryProduct]:
        """New inventory products, each with a new product_id (Etsy gives every product of an updated
        inventory a new id)."""
        return [
            InventoryProduct(
                product_id=self.state.ids.next("product"),
                sku=product.sku,
                price=cents(product.price),
                quantity=product.quantity,
                property_values=product.property_values,
            )
            for product in given
        ]

    def create_listing(self, shop: Shop, given: schemas.ListingIn) -> Listing:
        moment = self.state.clock.seconds()
        listing = Listing(
            listing_id=self.state.ids.next("listing"),
            title=given.title,
            state=given.state,
            products=self._inventory(given.products),
            created=moment,
            updated=moment,
        )
        shop.listings[listing.listing_id] = listing
        return listing

    def listing(self, shop: Shop, listing_id: int) -> Listing:
        listing = shop.listings.get(listing_id)
        if listing is None:
            raise NotFound(f"no listing {listing_id} in shop {shop.shop_id}")
        return listing

    def update_listing(self, listing: Listing, patch: schemas.ListingPatch) -> Listing:
        """What the seller changes (title, state, the whole inventory); `updated_timestamp` moves."""
        if patch.title is not None:
            listing.title = patch.title
        if patch.state is not None:
            listing.state = patch.state
        if patch.products is not None:
            listing.products = self._inventory(patch.products)
        listing.updated = max(listing.updated + 1, self.state.clock.seconds())
        return listing

    def delete_listing(self, shop: Shop, listing_id: int) -> None:
        """deleteListing: gone for good (getListing answers 404)."""
        self.listing(shop, listing_id)
        del shop.listings[listing_id]

    def _transaction(self, shop: Shop, index: int, given: schemas.TransactionIn, moment: int) -> Transaction:
        where = ("body", "transactions", str(index))
        listing_id, product_id, sku, title, price = None, None, given.sku, given.title, given.price
        if given.listing_id is not None:
            listing = shop.listings.get(given.listing_id)
            if listing is None:
                raise InvalidInput(
                    f"no listing {given.listing_id} in shop {shop.shop_id}",
                    errors=field_errors(*where, "listing_id", msg="a listing of this shop"),
                )
            matching = [p for p in listing.products if given.sku is None or p.sku == given.sku]
            if not matching:
                raise InvalidInput(
                    f"listing {listing.listing_id} has no product with sku {given.sku!r}",
                    errors=field_errors(*where, "sku", msg="one of the listing's SKUs"),
                )
            product = matching[0]
            listing_id, product_id, sku = listing.listing_id, product.product_id, product.sku
            title = title or listing.title
            price = price if price is not None else Decimal(product.price) / 100
        if title is None or price is None:
            raise InvalidInput(
                "a transaction without a listing needs title and price",
                errors=field_errors(*where, "title" if title is None else "price", msg="required"),
            )
        return Transaction(
            transaction_id=self.state.ids.next("transaction"),
            title=title,
            listing_id=listing_id,
            product_id=product_id,
            sku=sku,
            quantity=given.quantity,
            price=cents(price),
            shipping_cost=cents(given.shipping_cost),
            variations=[Variation(**v.model_dump()) for v in given.variations],
            created=moment,
        )

    def place_receipt(self, shop: Shop, given: schemas.ReceiptIn) -> Receipt:
        moment = given.created_timestamp or self.state.clock.seconds()
        transactions = [self._transaction(shop, i, t, moment) for i, t in enumerate(given.transactions)]
        receipt = Receipt(
            receipt_id=self.state.ids.next("receipt"),
            shop_id=shop.shop_id,
            seller_user_id=shop.user_id,
            buyer_user_id=self.state.ids.next("user"),
            buyer_email=given.buyer_email,
            name=given.name,
            first_line=given.first_line,
            second_line=given.second_line,
            city=given.city,
            state=given.state,
            zip=given.zip,
            country_iso=given.country_iso,
            message_from_buyer=given.message_from_buyer,
            is_gift=given.is_gift,
            gift_message=given.gift_message,
            currency_code=shop.currency_code,
            total_shipping_cost=cents(given.total_shipping_cost),
            total_tax_cost=cents(given.total_tax_cost),
            discount_amt=cents(given.discount_amt),
            transactions=transactions,
            created=moment,
            updated=moment,
        )
        shop.receipts[receipt.receipt_id] = receipt
        if given.paid:
            self.pay(receipt, moment)
        return receipt

    def receipt(self, shop: Shop, receipt_id: int) -> Receipt:
        receipt = shop.receipts.get(receipt_id)
        if receipt is None:
            raise NotFound(f"no receipt {receipt_id} in shop {shop.shop_id}")
        return receipt

    def pay(self, receipt: Receipt, moment: int | None = None) -> Receipt:
        if receipt.is_paid:
            raise Conflict(f"receipt {receipt.receipt_id} is paid already")
        if receipt.canceled:
            raise Conflict(f"receipt {receipt.receipt_id} is canceled")
        moment = moment or self.state.clock.seconds()
        receipt.is_paid = True
        receipt.updated = max(receipt.updated, moment)
        for transaction in receipt.transactions:
            transaction.paid = moment
        self.webhooks.order_paid(receipt, self.api_base)
        return receipt

    def update_receipt(self, receipt: Receipt, patch: schemas.ReceiptPatch) -> Receipt:
        for name, value in patch.model_dump(exclude_unset=True).items():
            setattr(receipt, name, value)
        receipt.updated = self.state.clock.seconds()
        return receipt

    def cancel(self, receipt: Receipt) -> Receipt:
        if receipt.canceled:
            raise Conflict(f"receipt {receipt.receipt_id} is canceled already")
        receipt.canceled = True
        if not self.state.misbehaviour.cancel_keeps_update_timestamp:
            receipt.updated = self.state.clock.seconds()
        return receipt

    def ship(self, receipt: Receipt, given: schemas.ShipIn) -> Receipt:
        if receipt.canceled:
            raise Conflict(f"receipt {receipt.receipt_id} is canceled")
        mark_shipped(self.state, receipt, given.carrier_name, given.tracking_code)
        return receipt

    def receipt_json(self, receipt: Receipt) -> dict[str, Any]:
        return receipt_json(receipt, self.state.users[receipt.seller_user_id])

    def reset(self) -> None:
        """Forgets sellers, shops, tokens, deliveries and misbehaviour; keeps the apps and settings."""
        self.webhooks.cancel_all()
        apps = self.state.apps
        for app in apps.values():
            app.second_window.clear()
            app.day_window.clear()
        fresh = State()
        fresh.apps = apps
        for name in vars(fresh):
            setattr(self.state, name, getattr(fresh, name))
