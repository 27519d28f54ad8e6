"""The Etsy connector: OAuth 2.0 with PKCE (the shop is known only when the seller comes back), receipts
polled by modification time, and a sweep of the open receipts that catches what Etsy changes without
moving `updated_timestamp` (cancellations, refunds). Etsy's webhooks are per app, set up once in Etsy's
developer portal: there is nothing to register per shop. docs/connectors-etsy.md describes it all."""

import datetime as dt
import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import structlog

from connectors.platforms.base import (
    Connection,
    Fulfilled,
    OrderVersion,
    PlatformConnector,
    PlatformContext,
    ProductVersion,
    StoreRef,
)
from connectors.platforms.etsy import fulfilment, normalise, pkce, problems, products
from connectors.platforms.etsy.client import Budget, EtsyClient, NotFound, Refused
from connectors.platforms.etsy.exceptions import EtsyNotConfigured
from connectors.platforms.etsy.schemas import EtsyConnect
from connectors.platforms.shopify.connector import check_return_url
from printbridge_shared.db import utcnow
from printbridge_shared.events.contracts import Platform, ShopFulfillmentRequested, StoreStatus

log = structlog.get_logger(__name__)

WEBHOOK_PATH = "/v1/webhooks/etsy"
PAGE = 100
# Listings per page (getListingsByShop allows up to 100).
LISTINGS_PAGE = 100
# Etsy's earliest accepted time for the receipt filters.
EARLIEST = 946684800
# The open-receipts sweep: how often per shop (in this process), and how far back.
SWEEP_EVERY = dt.timedelta(minutes=30)
SWEEP_WINDOW = dt.timedelta(days=60)
DEFAULT_NAME = "Etsy shop"


def pending_shop_key(store_id: uuid.UUID) -> str:
    """The shop is unknown until the callback: a placeholder that no shop id can equal."""
    return f"pending:{store_id}"


def receipts_path(shop_id: str) -> str:
    return f"/v3/application/shops/{shop_id}/receipts"


def listings_path(shop_id: str) -> str:
    return f"/v3/application/shops/{shop_id}/listings"


class EtsyConnector(PlatformConnector):
    platform: ClassVar[Platform] = Platform.etsy
    # Listings and their inventory (`listings_r`); no listing webhooks: the core's schedule reads them.
    syncs_products: ClassVar[bool] = True
    # Receipts marked shipped with tracking (`transactions_w`).
    fulfils_orders: ClassVar[bool] = True

    def __init__(self) -> None:
        # The app's daily budget as this process last saw it, and when each shop was last swept.
        self.budget = Budget()
        self.swept_at: dict[str, dt.datetime] = {}

    def client(
        self, context: PlatformContext, credentials: dict[str, Any] | None = None, **options: Any
    ) -> EtsyClient:
        return EtsyClient(context, credentials, budget=self.budget, **options)

    # Connecting -------------------------------------------------------------------------------------

    @staticmethod
    def configured(context: PlatformContext) -> None:
        settings = context.settings
        if not settings.etsy_keystring:
            raise EtsyNotConfigured("PRINTBRIDGE_ETSY_KEYSTRING")
        if not settings.etsy_shared_secret.get_secret_value():
            raise EtsyNotConfigured("PRINTBRIDGE_ETSY_SHARED_SECRET")

    @staticmethod
    def _pending(context: PlatformContext, shop_key: str, name: str, named: bool) -> Connection:
        settings = context.settings
        state, verifier = secrets.token_urlsafe(32), pkce.new_verifier()
        url = pkce.authorize_url(
            settings.etsy_connect_url,
            settings.etsy_keystring,
            settings.public_url + pkce.CALLBACK_PATH,
            settings.etsy_scopes,
            state,
            verifier,
        )
        return Connection(
            shop_key=shop_key,
            name=name,
            status=StoreStatus.pending,
            authorize_url=url,
            flow_secret={"state": state, "code_verifier": verifier, "named": named},
        )

    async def connect(self, context: PlatformContext, store_id: uuid.UUID, request: Any) -> Connection:
        """Pending, with the address where the seller grants access; nothing is called yet."""
        self.configured(context)
        if not isinstance(request, EtsyConnect):
            raise TypeError(f"the Etsy connector connects an EtsyConnect, not {type(request).__name__}")
        check_return_url(context, request.return_url)
        return self._pending(context, pending_shop_key(store_id), DEFAULT_NAME, request.name is not None)

    async def reconnect(
        self, context: PlatformContext, store: StoreRef, return_url: str | None
    ) -> Connection:
        self.configured(context)
        check_return_url(context, return_url)
        return self._pending(context, store.shop_key, store.name, True)

    async def find_shop(self, client: EtsyClient) -> dict[str, Any] | None:
        """The shop of the user who granted access (getShopByOwnerUserId: one Shop; a `{count,
        results}` list is read too); None when the user has no shop."""
        try:
            body = await client.get(f"/v3/application/users/{client.credentials['user_id']}/shops")
        except NotFound:
            return None
        if isinstance(body, dict) and isinstance(body.get("results"), list):
            body = body["results"][0] if body["results"] else None
        if not isinstance(body, dict) or body.get("shop_id") is None:
            return None
        return body

    # Orders -----------------------------------------------------------------------------------------

    async def fetch_orders(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        since: dt.datetime | None,
    ) -> AsyncIterator[OrderVersion]:
        """Receipts modified since `since`, oldest change first (offset paging on `sort_on=updated`;
        a receipt seen twice within the poll is yielded once), then — every `SWEEP_EVERY` — the open
        paid receipts of the last `SWEEP_WINDOW` (what the intake knows already publishes nothing)."""
        now = utcnow()
        if self.budget.low(now):
            raise self.budget.problem(now)
        client = self.client(context, credentials)
        params: dict[str, Any] = {"sort_on": "updated", "sort_order": "asc"}
        if since is not None:
            params["min_last_modified"] = max(EARLIEST, int(since.timestamp()))
        seen: set[tuple[str, dt.datetime]] = set()
        async for version in self._pages(client, store, params):
            key = (version.external_id, version.source_updated_at)
            if key not in seen:
                seen.add(key)
                yield version
        last_sweep = self.swept_at.get(store.shop_key)
        if since is None or (last_sweep is not None and now - last_sweep < SWEEP_EVERY):
            return
        sweep = {"was_paid": "true", "was_shipped": "false", "sort_on": "created", "sort_order": "asc"}
        sweep["min_created"] = str(max(EARLIEST, int((now - SWEEP_WINDOW).timestamp())))
        async for version in self._pages(client, store, sweep):
            if (version.external_id, version.source_updated_at) not in seen:
                yield version
        self.swept_at[store.shop_key] = now

    async def _pages(
        self, client: EtsyClient, store: StoreRef, params: dict[str, Any]
    ) -> AsyncIterator[OrderVersion]:
        offset = 0
        while True:
            try:
                body = await client.get(
                    receipts_path(store.shop_key), {**params, "limit": PAGE, "offset": offset}
                )
            except NotFound as missing:
                raise problems.shop_unavailable(str(missing)) from None
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, list):
                raise problems.shop_unavailable("the receipts answer has no results")
            for receipt in results:
                version = self._read(store, receipt)
                if version is not None:
                    yield version
            offset += len(results)
            count = body.get("count")
            if len(results) < PAGE or (isinstance(count, int) and offset >= count):
                return

    @staticmethod
    def _read(store: StoreRef, receipt: Any) -> OrderVersion | None:
        try:
            return normalise.receipt_version(receipt)
        except normalise.ReceiptUnreadable as error:
            receipt_id = receipt.get("receipt_id") if isinstance(receipt, dict) else None
            log.warning("etsy_receipt_unreadable", shop=store.shop_key, receipt=receipt_id, error=str(error))
            return None

    async def fetch_order(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any], order_id: str
    ) -> OrderVersion | None:
        """getShopReceipt; None when Etsy does not have it or it is no order (not paid)."""
        client = self.client(context, credentials)
        try:
            receipt = await client.get(f"{receipts_path(store.shop_key)}/{order_id}")
        except NotFound:
            return None
        return self._read(store, receipt)

    # Fulfilment -------------------------------------------------------------------------------------

    async def _receipt(self, client: EtsyClient, store: StoreRef, request: ShopFulfillmentRequested) -> Any:
        try:
            return await client.get(f"{receipts_path(store.shop_key)}/{request.external_order_id}")
        except NotFound as missing:
            raise fulfilment.no_receipt(request.external_order_id, str(missing)) from None

    async def fulfil_order(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        request: ShopFulfillmentRequested,
    ) -> Fulfilled:
        """createReceiptShipment with the tracking code and carrier, unless the receipt has a shipment
        with that code already (fulfilment.py)."""
        client = self.client(context, credentials)
        code = request.tracking.number
        before = fulfilment.shipments_with(await self._receipt(client, store, request), code)
        if before:
            return Fulfilled(tuple(before), already=True)
        form = {
            "tracking_code": code,
            "carrier_name": fulfilment.carrier_name(request.tracking.company),
            "send_bcc": "false",
        }
        path = f"{receipts_path(store.shop_key)}/{request.external_order_id}/tracking"
        try:
            receipt = await client.post_form(path, form)
        except NotFound as missing:
            raise fulfilment.no_receipt(request.external_order_id, str(missing)) from None
        except Refused as refused:
            raise fulfilment.refused(refused.message) from None
        made = fulfilment.shipments_with(receipt, code)
        log.info("etsy_receipt_shipped", shop=store.shop_key, receipt=request.external_order_id, ids=made)
        return Fulfilled(tuple(made))

    async def check_fulfilment(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        request: ShopFulfillmentRequested,
    ) -> None:
        """The grant includes `transactions_w` and the token reads the receipt."""
        self._granted_write(store)
        await self._receipt(self.client(context, credentials), store, request)

    async def probe_fulfilment(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> None:
        """The grant includes `transactions_w` and the token reads the shop (getShop, with the token: a
        revoked grant is refused there, after one refresh, as `token_revoked`); no receipt is read."""
        self._granted_write(store)
        try:
            await self.client(context, credentials).get(f"/v3/application/shops/{store.shop_key}")
        except NotFound as missing:
            raise problems.shop_unavailable(str(missing)) from None

    @staticmethod
    def _granted_write(store: StoreRef) -> None:
        if store.granted_scopes is not None and fulfilment.WRITE_SCOPE not in store.granted_scopes.split():
            raise problems.access_refused(f"the shop did not grant {fulfilment.WRITE_SCOPE}")

    # Products ---------------------------------------------------------------------------------------

    async def fetch_products(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        since: dt.datetime | None,
    ) -> AsyncIterator[ProductVersion]:
        """The shop's listings in every state, each with its inventory. Etsy has no filter on the
        modification time: each state is read newest change first (`sort_on=updated`, `desc`); with
        `since`, listings older than it are passed over (no inventory call) and the paging of a state
        stops after a page that ends older than it — unless Etsy's answers were not in that order, then
        the state is read to its end."""
        now = utcnow()
        if self.budget.low(now):
            raise self.budget.problem(now)
        client = self.client(context, credentials)
        seen: set[str] = set()
        for state in products.STATES:
            async for listing in self._listings(client, store, state, since):
                listing_id = products.listing_id(listing)
                if listing_id in seen:  # moved to another state while the shop was being read
                    continue
                seen.add(listing_id)
                version = await self._version(client, store, listing)
                if version is not None:
                    yield version

    async def _listings(
        self, client: EtsyClient, store: StoreRef, state: str, since: dt.datetime | None
    ) -> AsyncIterator[dict[str, Any]]:
        params = {
            "state": state,
            "sort_on": "updated",
            "sort_order": "desc",
            "limit": LISTINGS_PAGE,
            "includes": "Inventory",
        }
        offset, newest_first, previous = 0, True, None
        while True:
            try:
                body = await client.get(listings_path(store.shop_key), {**params, "offset": offset})
            except NotFound as missing:
                raise problems.shop_unavailable(str(missing)) from None
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, list):
                raise problems.shop_unavailable("the listings answer has no results")
            for listing in results:
                try:
                    updated = products.updated_at(listing)
                    products.listing_id(listing)
                except products.ProductUnreadable as error:
                    log.warning("etsy_listing_unreadable", shop=store.shop_key, error=str(error))
                    continue
                if previous is not None and updated > previous:
                    newest_first = False
                previous = updated
                if since is None or updated >= since:
                    yield listing
            offset += len(results)
            count = body.get("count")
            if len(results) < LISTINGS_PAGE or (isinstance(count, int) and offset >= count):
                return
            if since is not None and newest_first and previous is not None and previous < since:
                return  # newest first so far, and this page ended before `since`: the rest is older

    async def _version(
        self, client: EtsyClient, store: StoreRef, listing: dict[str, Any]
    ) -> ProductVersion | None:
        """The listing with its inventory — the one `includes=Inventory` attached, else getListingInventory;
        None when it went meanwhile or is unreadable (logged)."""
        listing_id = products.listing_id(listing)
        inventory = listing.get("inventory")
        if not isinstance(inventory, dict) or not isinstance(inventory.get("products"), list):
            try:
                inventory = await client.get(f"/v3/application/listings/{listing_id}/inventory")
            except NotFound:
                return None
        try:
            return products.product_version(listing, inventory)
        except products.ProductUnreadable as error:
            log.warning("etsy_listing_unreadable", shop=store.shop_key, listing=listing_id, error=str(error))
            return None

    async def fetch_product(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any], product_id: str
    ) -> ProductVersion | None:
        """getListing and its inventory; None when Etsy does not have it (404, `removed`) or it is not
        this shop's."""
        if not str(product_id).isdigit():
            return None
        client = self.client(context, credentials)
        try:
            listing = await client.get(f"/v3/application/listings/{product_id}", {"includes": "Inventory"})
        except NotFound:
            return None
        if (
            not isinstance(listing, dict)
            or str(listing.get("shop_id")) != store.shop_key
            or listing.get("state") in products.GONE
        ):
            return None
        return await self._version(client, store, listing)

    # Webhooks: per app in Etsy's developer portal, nothing per shop ---------------------------------

    async def ensure_webhooks(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> dict[str, Any]:
        return credentials

    async def remove_webhooks(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> None:
        return None
