"""The Pressero connector: a site connected with the account's API credentials (verified by a real token
request) for the customer whose reference id is the site's integration id; webhooks entered by the
producer in Pressero's admin (we show the address and make the security key); orders pulled through
the API, only their approved items; `Orders/Search` polled for what webhooks missed.
docs/connectors-pressero.md describes the flow and every problem code."""

import datetime as dt
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import structlog

from connectors.platforms.base import (
    Connection,
    ConnectRefused,
    Fulfilled,
    FulfilmentRefused,
    OrderVersion,
    Owner,
    PlatformConnector,
    PlatformContext,
    PlatformProblem,
    PlatformUnavailable,
    ProductVersion,
    StoreRef,
)
from connectors.platforms.pressero import fulfilment, products
from connectors.platforms.pressero.client import (
    NotPressero,
    PresseroApiError,
    PresseroClient,
    TokenRefused,
    lower_keys,
)
from connectors.platforms.pressero.normalise import NotAnOrder, order_version
from connectors.platforms.pressero.schemas import PresseroConnect
from printbridge_shared.events.contracts import Platform, ShopFulfillmentRequested, StoreStatus
from printbridge_shared.outbound import UrlNotAllowed, check_url_shape

log = structlog.get_logger(__name__)

WEBHOOK_PATH = "/v1/webhooks/pressero/"
EVENTS = ("OrderPlaced", "OrderItemApproved", "OrderItemDenied", "OrderUpdated")
CONNECT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# Items are approved after the order was placed, sometimes days later, and the search filters by order
# date: each poll lists the orders placed this long before its start (what is unchanged publishes
# nothing), never before the store was connected.
APPROVAL_WINDOW = dt.timedelta(days=14)
CONNECT_OVERLAP = dt.timedelta(minutes=15)
DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$")


def credentials_refused(detail: str) -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.auth_error,
        "credentials_refused",
        f"Pressero refuses the store's API credentials ({detail}): the admin user's password changed, the "
        "user was removed or lost its rights, or the account's API access ended.",
        "Check the user in Pressero (Admin > Users) and the account's API subscription, then give the "
        "store the current password (and user name) with PUT /v1/stores/{id}/credentials; the store "
        "keeps its webhook address and security key.",
    )


def api_forbidden(detail: str) -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.permission_missing,
        "orders_forbidden",
        f"Pressero does not let the store's user read orders ({detail}).",
        "Give the admin user (or the ConsumerID's permissions) access to orders in Pressero; the next "
        "reconcile clears this problem.",
    )


def products_forbidden(detail: str) -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.permission_missing,
        "products_forbidden",
        f"Pressero does not let the store's user read the site's products ({detail}).",
        "Give the admin user (or the ConsumerID's permissions) access to the site's products in Pressero; "
        "the next reconcile that works clears this problem and products are synced again.",
    )


def url_not_allowed(detail: str) -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.unreachable,
        "url_not_allowed",
        f"The Pressero admin address is not one Printbridge calls ({detail}).",
        "Connect the site again with the https:// admin address of your data centre.",
    )


def not_pressero(detail: str) -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.unreachable,
        "not_pressero",
        f"The admin address no longer answers as Pressero's API does ({detail}).",
        "Check the data centre's admin address; the next reconcile clears this problem once it answers.",
    )


def normalise_admin_url(raw: str, *, allow_private: bool) -> str:
    """`https://admin.chi.v6.pressero.com`: scheme and host lower-case, default port dropped, and no
    `/api…` or trailing slash (an address copied from the API docs works too)."""
    text = raw.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise ConnectRefused("url-invalid", f"{raw!r} is not a web address: {exc}", "admin_url") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConnectRefused(
            "url-invalid", f"{raw!r} is not an address such as https://admin.chi.v6.pressero.com", "admin_url"
        )
    try:
        check_url_shape(url, allow_private=allow_private)
    except UrlNotAllowed as exc:
        raise ConnectRefused("url-not-allowed", str(exc), "admin_url") from None
    path = url.path
    for marker in ("/docs/api", "/api"):  # an address copied from the API or its documentation
        if marker in path.lower():
            path = path[: path.lower().index(marker)]
            break
    default_port = 443 if url.scheme == "https" else 80
    port = f":{url.port}" if url.port and url.port != default_port else ""
    return f"{url.scheme}://{url.host.lower()}{port}{path.rstrip('/')}"


def normalise_site_domain(raw: str) -> str:
    """The site's domain alone (`print.acme.com`): no scheme, path or trailing dot, lower-case."""
    text = raw.strip().lower()
    if "://" in text:
        text = text.split("://", 1)[1]
    text = text.split("/", 1)[0].rstrip(".")
    if not DOMAIN.fullmatch(text) or ("." not in text and not text.startswith("localhost")):
        raise ConnectRefused(
            "site-domain-invalid",
            f"{raw!r} is not a site domain such as print.acme.com (the storefront's address in Pressero).",
            "site_domain",
        )
    return text


def same_reference(left: str, right: str) -> bool:
    """Reference ids are unique regardless of case in Printbridge, so they are compared that way."""
    return left.strip().casefold() == right.strip().casefold()


def delivery_url(context: PlatformContext, store_id: uuid.UUID) -> str:
    return f"{context.settings.public_url}{WEBHOOK_PATH}{store_id}"


def _login(credentials: dict[str, Any]) -> dict[str, str]:
    return {
        "UserName": credentials["username"],
        "Password": credentials["password"],
        "SubscriberId": credentials["subscriber_id"],
        "ConsumerID": credentials["consumer_id"],
    }


def _of_site(fields: dict[str, Any], site: str) -> bool:
    """Orders are the subscriber's, across its sites: one is this store's when its `Domain` is the
    site's (data without a domain is taken to be the site's)."""
    domain = fields.get("domain")
    return not isinstance(domain, str) or not domain.strip() or domain.strip().lower() == site


class PresseroConnector(PlatformConnector):
    platform = Platform.pressero
    # The site's products (Admin API `site/{domain}/products`); no product webhooks: the schedule reads them.
    syncs_products = True
    # Shipments with tracking (`Orders/Shipments`, integrator-derived: fulfilment.py).
    fulfils_orders = True

    def client(self, context: PlatformContext, credentials: dict[str, Any]) -> PresseroClient:
        """A client whose new tokens are stored at once (with the credentials they belong to)."""

        async def save_token(token: str) -> None:
            credentials["token"] = token
            await context.save_credentials(dict(credentials))

        return PresseroClient(
            context.http,
            credentials["admin_url"],
            _login(credentials),
            token=credentials.get("token"),
            save_token=save_token,
        )

    # Connecting -------------------------------------------------------------------------------------

    def check_owner(self, owner: Owner, request: Any) -> None:
        if not isinstance(request, PresseroConnect):
            raise TypeError(f"a Pressero connect request, not {type(request).__name__}")
        integration_id = request.integration_id.strip()
        if not owner.reference_id or not owner.reference_id.strip():
            raise ConnectRefused(
                "reference-id-missing",
                f"Customer {owner.name!r} has no reference id in Printbridge, and a Pressero site is "
                f"connected only for the customer whose reference id equals the site's integration id "
                f"({integration_id!r}). Set the customer's reference id to {integration_id!r} in "
                "Printbridge (or set the integration id in Pressero to the reference id the customer "
                "gets), then connect again.",
                "integration_id",
            )
        if not same_reference(owner.reference_id, integration_id):
            raise ConnectRefused(
                "integration-id-mismatch",
                f"The integration id {integration_id!r} set up in Pressero is not the reference id of "
                f"customer {owner.name!r} ({owner.reference_id.strip()!r}). Make them equal: set the "
                "customer's reference id in Printbridge, or the integration id in Pressero, then connect "
                "again.",
                "integration_id",
            )

    async def connect(self, context: PlatformContext, store_id: uuid.UUID, request: Any) -> Connection:
        if not isinstance(request, PresseroConnect):
            raise TypeError(f"a Pressero connect request, not {type(request).__name__}")
        admin_url = normalise_admin_url(request.admin_url, allow_private=context.settings.allow_private_urls)
        site = normalise_site_domain(request.site_domain)
        credentials: dict[str, Any] = {
            "admin_url": admin_url,
            "site_domain": site,
            "subscriber_id": request.subscriber_id.strip(),
            "consumer_id": request.consumer_id.strip(),
            "username": request.username.strip(),
            "password": request.password.get_secret_value(),
            "integration_id": request.integration_id.strip(),
            "currency": request.currency.strip().upper() if request.currency else None,
        }
        client = PresseroClient(context.http, admin_url, _login(credentials), timeout=CONNECT_TIMEOUT)
        try:
            token = await client.authenticate()
        except TokenRefused as exc:
            raise ConnectRefused(
                "auth-failed",
                f"Pressero refused the credentials ({exc}): check the subscriber id, consumer id, user name "
                "and password (an admin user; the account must subscribe to the Pressero API).",
                "username",
            ) from None
        except NotPressero as exc:
            raise ConnectRefused(
                "not-pressero",
                f"{admin_url} does not answer as a Pressero admin host ({exc}); give your data centre's "
                "admin address, e.g. https://admin.chi.v6.pressero.com.",
                "admin_url",
            ) from None
        except PlatformUnavailable as exc:
            raise ConnectRefused("unreachable", str(exc), "admin_url") from None
        except UrlNotAllowed as exc:
            raise ConnectRefused("url-not-allowed", str(exc), "admin_url") from None
        now = dt.datetime.now(dt.UTC)
        credentials |= {
            "token": token,
            "webhook_key": new_webhook_key(),
            "orders_from": now.isoformat(),
        }
        return Connection(shop_key=site, name=site, status=StoreStatus.connected, credentials=credentials)

    async def update_credentials(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any], login: dict[str, str]
    ) -> dict[str, Any]:
        """The admin user's new name or password, verified by a token request (the store keeps its
        webhook address and security key)."""
        updated = {**credentials, **login}
        client = PresseroClient(context.http, updated["admin_url"], _login(updated), timeout=CONNECT_TIMEOUT)
        try:
            token = await client.authenticate()
        except TokenRefused as exc:
            raise ConnectRefused(
                "auth-failed",
                f"Pressero refused the credentials ({exc}): check the user name and password (an admin "
                "user of the account the store was connected with).",
                "password",
            ) from None
        except (NotPressero, PlatformUnavailable, UrlNotAllowed) as exc:
            raise ConnectRefused("unreachable", f"Pressero could not be asked: {exc}", "password") from None
        return {**updated, "token": token}

    # Webhooks: entered by the producer in Pressero ---------------------------------------------------

    def webhook_setup(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> dict[str, Any] | None:
        url = delivery_url(context, store.id)
        return {
            "webhook_url": url,
            "security_key": credentials["webhook_key"],
            "events": list(EVENTS),
            "instructions": (
                "In Pressero's admin open Preferences > Webhooks (it appears once the account has the "
                "Pressero API and Aleyant support has enabled webhooks) and create a webhook: URL "
                f"{url}, Security Key as shown, events {', '.join(EVENTS)}. Orders also arrive without "
                "it (polled every few minutes), only later."
            ),
        }

    def rotate_webhook_key(self, credentials: dict[str, Any]) -> dict[str, Any]:
        return {**credentials, "webhook_key": new_webhook_key()}

    async def ensure_webhooks(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> dict[str, Any]:
        """Nothing to check: the webhook lives in Pressero's admin, out of our reach (polling covers it)."""
        return credentials

    async def remove_webhooks(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> None:
        """Nothing to remove from here: the producer deletes the webhook in Pressero's admin (until then
        its deliveries get `not_connected`)."""

    # Orders -----------------------------------------------------------------------------------------

    async def fetch_order(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any], order_id: str
    ) -> OrderVersion | None:
        """The order with its approved items as the API has it now (details + items); None when the
        account has no such order, it is another site's, or none of its items is approved."""
        client = self.client(context, credentials)
        number = str(order_id).strip()
        if not number.isdigit():
            return None
        try:
            details = await client.call("GET", f"v2/orders/{number}/Details")
            items = await client.call("GET", f"v2/orders/{number}/items")
        except PresseroApiError as error:
            if error.status == 404:
                return None
            raise problem_for(error) from None
        except (TokenRefused, NotPressero, UrlNotAllowed) as exc:
            raise problem_for(exc) from None
        if isinstance(items, dict):
            items = lower_keys(items).get("items")
        if not _of_site(lower_keys(details), store.shop_key):
            return None
        return order_version(details, items, credentials.get("currency"))

    # Fulfilment -------------------------------------------------------------------------------------

    async def fulfil_order(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        request: ShopFulfillmentRequested,
    ) -> Fulfilled:
        """One shipment (`Orders/Shipments`) of the request's items that have none with its tracking
        yet (fulfilment.py)."""
        client = self.client(context, credentials)
        number = request.external_order_id.strip()
        tracking = request.tracking.number
        if not number.isdigit():
            raise fulfilment.no_order(number)
        try:
            details = lower_keys(await client.call("GET", f"v2/orders/{number}/Details"))
            items = await client.call("GET", f"v2/orders/{number}/items")
            if isinstance(items, dict):
                items = lower_keys(items).get("items")
            if not _of_site(details, store.shop_key):
                raise fulfilment.no_order(number)
            by_guid, unknown = fulfilment.item_numbers(request, number, items)
            if unknown:
                raise FulfilmentRefused(
                    f"Pressero's order {number} has no items {', '.join(unknown)}.", fulfilment.FIX
                )
            before: list[str] = []
            pending: list[str] = []
            for guid, item_number in by_guid.items():
                shipments = await client.call("GET", f"v2/orders/{number}/item/{item_number}/Shipments")
                found = fulfilment.shipments_with(shipments, tracking)
                before += [shipment for shipment in found if shipment not in before]
                if not found:
                    pending.append(guid)
            if not pending:
                return Fulfilled(tuple(before), already=True)
            body = fulfilment.shipment_body(
                request,
                str(details.get("orderid") or ""),
                pending,
                dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                details.get("shippingmethod"),
            )
            answer = lower_keys(await client.call("POST", "V2/Orders/Shipments", json=body))
        except (PresseroApiError, TokenRefused, NotPressero, UrlNotAllowed) as exc:
            raise fulfilment_error(exc, number) from None
        shipment = answer.get("shipmentid")
        made = [*before, str(shipment)] if shipment is not None else before
        log.info("pressero_order_shipped", store_id=str(store.id), order=number, shipments=made)
        return Fulfilled(tuple(made))

    async def check_fulfilment(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        request: ShopFulfillmentRequested,
    ) -> None:
        """The credentials get a token and read the order and its items."""
        client = self.client(context, credentials)
        number = request.external_order_id.strip()
        if not number.isdigit():
            raise fulfilment.no_order(number)
        try:
            await client.authenticate()
            details = lower_keys(await client.call("GET", f"v2/orders/{number}/Details"))
            items = await client.call("GET", f"v2/orders/{number}/items")
        except (PresseroApiError, TokenRefused, NotPressero, UrlNotAllowed) as exc:
            raise fulfilment_error(exc, number) from None
        if not _of_site(details, store.shop_key):
            raise fulfilment.no_order(number)
        if isinstance(items, dict):
            items = lower_keys(items).get("items")
        unknown = fulfilment.item_numbers(request, number, items)[1]
        if unknown:
            raise FulfilmentRefused(
                f"Pressero's order {number} has no items {', '.join(unknown)}.", fulfilment.FIX
            )

    async def probe_fulfilment(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> None:
        """The credentials get a token; no order is read. (Pressero has no call that shows what its user
        may do without doing it: a user refused shipments later is the real shipment's answer.)"""
        try:
            await self.client(context, credentials).authenticate()
        except (TokenRefused, NotPressero, UrlNotAllowed) as exc:
            raise problem_for(exc) from None

    async def fetch_orders(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        since: dt.datetime | None,
    ) -> AsyncIterator[OrderVersion]:
        """The site's orders placed within the approval window before `since` (never before the store
        was connected), from `Orders/Search`'s item rows, oldest change first."""
        now = dt.datetime.now(dt.UTC)
        floor = dt.datetime.fromisoformat(credentials["orders_from"]) - CONNECT_OVERLAP
        start = max(floor, since - APPROVAL_WINDOW) if since is not None else floor
        client = self.client(context, credentials)
        orders: dict[str, list[dict[str, Any]]] = {}
        try:
            async for row in client.search_rows(start, now + dt.timedelta(days=1)):
                fields = lower_keys(row)
                if _of_site(fields, store.shop_key) and fields.get("ordernumber") is not None:
                    orders.setdefault(str(fields["ordernumber"]), []).append(row)
        except (PresseroApiError, TokenRefused, NotPressero, UrlNotAllowed) as exc:
            raise problem_for(exc) from None
        versions = []
        for number, rows in orders.items():
            try:
                version = order_version(rows[0], rows, credentials.get("currency"))
            except NotAnOrder as exc:
                log.warning("pressero_order_unreadable", store_id=str(store.id), order=number, error=str(exc))
                continue
            if version is not None:
                versions.append(version)
        for version in sorted(versions, key=lambda v: v.source_updated_at):
            yield version

    # Products ---------------------------------------------------------------------------------------

    async def fetch_products(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        since: dt.datetime | None,
    ) -> AsyncIterator[ProductVersion]:
        """Every product of the site, whatever `since` says: Pressero's list has no modification filter
        or time (the core publishes only what changed)."""
        client = self.client(context, credentials)
        read_at = dt.datetime.now(dt.UTC)
        try:
            async for product in client.site_products(store.shop_key):
                if products.deleted(product):
                    continue
                try:
                    yield products.product_version(product, read_at)
                except products.ProductUnreadable as exc:
                    log.warning("pressero_product_unreadable", store_id=str(store.id), error=str(exc))
        except (PresseroApiError, TokenRefused, NotPressero, UrlNotAllowed) as exc:
            raise product_problem_for(exc) from None

    async def fetch_product(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any], product_id: str
    ) -> ProductVersion | None:
        """One product of the site; None when Pressero does not have it (404) or it is deleted."""
        client = self.client(context, credentials)
        identifier = str(product_id).strip()
        if not identifier or not re.fullmatch(r"[A-Za-z0-9-]+", identifier):
            return None
        try:
            product = await client.call("GET", f"site/{store.shop_key}/products/{identifier}")
        except PresseroApiError as error:
            if error.status == 404:
                return None
            raise product_problem_for(error) from None
        except (TokenRefused, NotPressero, UrlNotAllowed) as exc:
            raise product_problem_for(exc) from None
        if not isinstance(product, dict) or products.deleted(product):
            return None
        return products.product_version(product, dt.datetime.now(dt.UTC))


def fulfilment_error(exc: Exception, order_number: str) -> Exception:
    """What a failed fulfilment call means: the order is gone or the shipment refused (Pressero's
    words), or a problem of the store (`problem_for`)."""
    if isinstance(exc, PresseroApiError) and exc.status == 404:
        return fulfilment.no_order(order_number)
    if isinstance(exc, PresseroApiError) and exc.status not in (401, 403):
        return fulfilment.refused(exc.message)
    return problem_for(exc)


def new_webhook_key() -> str:
    return secrets.token_urlsafe(32)


def problem_for(exc: Exception) -> PlatformProblem | PlatformUnavailable:
    if isinstance(exc, TokenRefused):
        return credentials_refused(str(exc))
    if isinstance(exc, UrlNotAllowed):
        return url_not_allowed(str(exc))
    if isinstance(exc, NotPressero):
        return not_pressero(str(exc))
    if isinstance(exc, PresseroApiError) and exc.status == 401:  # even with a token just issued
        return credentials_refused(exc.message)
    if isinstance(exc, PresseroApiError) and exc.status == 403:
        return api_forbidden(exc.message)
    return PlatformUnavailable(f"Pressero answered {exc}")


def product_problem_for(exc: Exception) -> PlatformProblem | PlatformUnavailable:
    """As `problem_for`, but a 403 names the products the user may not read."""
    if isinstance(exc, PresseroApiError) and exc.status == 403:
        return products_forbidden(exc.message)
    return problem_for(exc)
