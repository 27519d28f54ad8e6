"""What every platform's connector provides, and what the core (stores, intake, polling) gives it.

A platform package (`platforms/shopify/`, `platforms/woocommerce/`, …) holds its client, its connect
flow, its webhook endpoint and its order normalisation. The core calls it through `PlatformConnector`;
the platform reports what it found wrong as `PlatformProblem`, which the core turns into the store's
status and problems (docs/connectors.md)."""

import datetime as dt
import email.utils
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from connectors.config import Settings
from printbridge_shared.errors import Conflict, InvalidInput, field_errors
from printbridge_shared.events.contracts import (
    Platform,
    ShopFulfillmentRequested,
    ShopProductPublishRequested,
    ShopVariant,
    StoreStatus,
)


def retry_after_seconds(value: str | None, default: float, now: dt.datetime | None = None) -> float:
    """`Retry-After` as seconds (RFC 9110 10.2.3: a number of seconds or an HTTP date); `default` when
    it is missing or unreadable."""
    if not value:
        return default
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


class PlatformProblem(Exception):
    """Something a platform call found wrong with the store: its status, a stable problem code, what it
    means and how to fix it (shown on GET /v1/stores/{id})."""

    def __init__(self, status: StoreStatus, code: str, message: str, fix: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fix = fix


class ConnectRefused(InvalidInput):
    """A shop that cannot be connected as given: `code` names the cause so a client can show it
    (`auth-failed`, `permission-missing`, `not-woocommerce`, `unreachable`, `url-not-allowed`, …)."""

    def __init__(self, code: str, detail: str, field: str) -> None:
        super().__init__(detail, errors=field_errors("body", field, msg=detail))
        self.code = code
        self.title = code.replace("-", " ").capitalize()


class ProductsNotSupported(Exception):
    """A platform without shop products to read or create (manual stores): the core never asks it."""


class ReconnectNotSupported(Conflict):
    code = "reconnect-not-supported"

    def __init__(self, platform: str) -> None:
        super().__init__(
            f"Stores on {platform} are connected with keys, not a grant: disconnect the store and connect "
            "it again with new keys."
        )


class WebhookSetupNotSupported(Conflict):
    code = "webhook-setup-not-supported"

    def __init__(self, platform: str) -> None:
        super().__init__(
            f"Printbridge registers the webhooks of stores on {platform} itself: there is nothing to enter "
            "in the shop."
        )


class CredentialsUpdateNotSupported(Conflict):
    code = "credentials-update-not-supported"

    def __init__(self, platform: str) -> None:
        super().__init__(
            f"Stores on {platform} take new credentials by reconnecting (or disconnecting and connecting "
            "again), not here."
        )


def request_handle(request_id: uuid.UUID) -> str:
    """The handle (Shopify) or slug (WooCommerce) of the product made for a publish request: the product
    is found again by it, so a request sent again makes no second product."""
    return f"pb-{request_id}"


class PublishRefused(Exception):
    """The shop refused to create a product (invalid fields, a plan limit, a missing permission): retrying
    the same request cannot help; the message is what the platform said."""


class FulfilmentRefused(Exception):
    """The shop refused to record the shipment (its userErrors, a 4xx about the order, nothing left to
    fulfil): retrying the same request cannot help. `reason` is what the platform said, `fix` what to do."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fix = fix


class FulfilmentNotSupported(Exception):
    """A platform without a shop to tell (manual stores): the core never asks it."""


class PlatformUnavailable(Exception):
    """A transient failure (5xx, 429 beyond our patience, a timeout): retry later, the store is fine."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class StoreRef:
    """The store as a platform call needs it (no ORM object crosses an I/O boundary)."""

    id: uuid.UUID
    customer_id: uuid.UUID
    platform: Platform
    shop_key: str
    name: str
    # The access the shop granted at its last connect (platforms that report it), space- or
    # comma-separated as the platform writes it.
    granted_scopes: str | None = None


@dataclass(frozen=True)
class Owner:
    """The customer a store is being connected for, as far as a platform may check it."""

    id: uuid.UUID
    name: str
    reference_id: str | None


@dataclass
class Connection:
    """The outcome of `POST /v1/stores` for one platform: either connected at once (keys verified by
    real calls) or pending, with the address the merchant opens to grant access."""

    shop_key: str
    name: str
    status: StoreStatus
    credentials: dict[str, Any] | None = None
    granted_scopes: str | None = None
    authorize_url: str | None = None
    # Kept with the single-use state between the start of an OAuth flow and its callback (e.g. PKCE).
    flow_secret: dict[str, Any] | None = None


@dataclass(frozen=True)
class OrderVersion:
    """One version of a shop order, normalised to the `shop_order.*` contract's fields (without
    store_id, customer_id and platform, which the core adds)."""

    fields: dict[str, Any]
    cancelled: bool = False
    cancel_reason: str | None = None

    @property
    def external_id(self) -> str:
        return str(self.fields["external_id"])

    @property
    def source_updated_at(self) -> dt.datetime:
        value: dt.datetime = self.fields["source_updated_at"]
        return value


@dataclass(frozen=True)
class ProductVersion:
    """A shop product as the platform holds it now, normalised to the `shop_product.synced` contract's
    fields (without store_id, customer_id, platform and revision, which the core adds). `active`: the
    shop sells it (not a draft, archived or unpublished); `platform_status` is the shop's own word."""

    external_id: str
    title: str
    active: bool
    platform_status: str
    variants: tuple[ShopVariant, ...]
    source_updated_at: dt.datetime
    handle: str | None = None
    product_type: str | None = None


SaveCredentials = Callable[[dict[str, Any]], Awaitable[None]]
Refresh = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
SingleFlightRefresh = Callable[[dict[str, Any], Refresh], Awaitable[dict[str, Any]]]


@dataclass
class PlatformContext:
    """What a platform's code may use: settings, the guarded HTTP client, and a way to persist changed
    credentials at once (a rotated refresh token must be stored before the new access token is used)."""

    settings: Settings
    http: httpx.AsyncClient
    save_credentials: SaveCredentials = field(default=lambda _c: _no_store())
    # For a store: the core's single-flight refresh (connectors/store/refresh.py).
    single_flight: SingleFlightRefresh | None = None

    async def refreshed(self, used: dict[str, Any], refresh: Refresh) -> dict[str, Any]:
        """New credentials for `used` (expired or refused), refreshed by `refresh` (given the current
        credentials) — for a store, once however many workers ask at once, and stored before they are
        returned (a rotated refresh token must survive whatever happens next)."""
        if self.single_flight is not None:
            return await self.single_flight(used, refresh)
        fresh = await refresh(used)
        await self.save_credentials(fresh)
        return fresh


async def _no_store() -> None:
    raise RuntimeError("this context cannot store credentials")


@dataclass(frozen=True)
class Fulfilled:
    """The shop has the shipment: the ids of what it recorded (`already`: it had them before this call,
    a request sent again or an attempt whose answer was lost)."""

    external_ids: tuple[str, ...]
    already: bool = False


class PlatformConnector(ABC):
    platform: ClassVar[Platform]
    # False for a platform with no shop to poll (manual stores: their orders are placed, not fetched):
    # the reconcile schedule leaves its stores out, and `POST /v1/stores/{id}/reconcile` refuses them.
    polled: ClassVar[bool] = True
    # Whether the platform has shop products to sync (`fetch_products`, `fetch_product`) and can create
    # one (`publish_product`); the core never calls those methods of a platform that says False.
    syncs_products: ClassVar[bool] = False
    publishes_products: ClassVar[bool] = False
    # Whether the platform has a shop to tell that an order shipped (`fulfil_order`,
    # `check_fulfilment`); the core never calls those methods of a platform that says False.
    fulfils_orders: ClassVar[bool] = False

    @abstractmethod
    async def connect(self, context: PlatformContext, store_id: uuid.UUID, request: Any) -> Connection:
        """Starts connecting the shop named in `request` (the platform's connect schema) as store
        `store_id`: verifies what can be verified now; raises `ConnectRefused` (422) with the cause."""

    def check_owner(self, owner: Owner, request: Any) -> None:
        """Called before `connect`, with no call to the platform yet: raises `ConnectRefused` when the
        shop in `request` may not be connected for `owner`. Most platforms accept any owner."""
        return None

    def webhook_setup(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> dict[str, Any] | None:
        """For platforms whose webhooks the producer enters by hand in the shop's admin: what to enter
        (`webhook_url`, `security_key`, `events`, `instructions`). None: the connector registers them."""
        return None

    def rotate_webhook_key(self, credentials: dict[str, Any]) -> dict[str, Any]:
        """The credentials with a new webhook security key (for platforms with a `webhook_setup`)."""
        raise WebhookSetupNotSupported(self.platform)

    async def update_credentials(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any], login: dict[str, str]
    ) -> dict[str, Any]:
        """Platforms connected with a user's login (Pressero): the credentials with the new `login`
        (`username`, `password`), verified by a real call; raises `ConnectRefused` when refused."""
        raise CredentialsUpdateNotSupported(self.platform)

    async def reconnect(
        self, context: PlatformContext, store: StoreRef, return_url: str | None
    ) -> Connection:
        """Starts granting access again for an existing store (OAuth platforms): a pending `Connection`
        whose callback refreshes the store's credentials. Key-based platforms refuse."""
        raise ReconnectNotSupported(store.platform)

    @abstractmethod
    def fetch_orders(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        since: dt.datetime | None,
    ) -> AsyncIterator[OrderVersion]:
        """Every order changed since `since` (all when None), oldest change first, within the platform's
        rate limits."""

    @abstractmethod
    async def fetch_order(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any], order_id: str
    ) -> OrderVersion | None:
        """One order as the shop has it now; None when the shop no longer has it."""

    @abstractmethod
    async def ensure_webhooks(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> dict[str, Any]:
        """Makes sure our webhook subscriptions exist (re-creating vanished or disabled ones); returns the
        credentials, changed where the subscriptions are kept in them."""

    @abstractmethod
    async def remove_webhooks(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> None:
        """Removes our webhook subscriptions from the shop (on disconnect)."""

    def fetch_products(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        since: dt.datetime | None,
    ) -> AsyncIterator[ProductVersion]:
        """Every product changed since `since` (all, in any status, when None), with all its variants,
        within the platform's rate limits. Only for platforms that `syncs_products`."""
        raise ProductsNotSupported(self.platform)

    async def fetch_product(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any], product_id: str
    ) -> ProductVersion | None:
        """One product as the shop has it now; None when the shop no longer has it."""
        raise ProductsNotSupported(self.platform)

    async def publish_product(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        draft: ShopProductPublishRequested,
    ) -> ProductVersion:
        """Creates the product in the shop, unless a product made for `draft.request_id` exists there
        already (then that one is returned): a repeated request never makes two products. Raises
        `PublishRefused` with the platform's words when the shop refuses it."""
        raise ProductsNotSupported(self.platform)

    async def fulfil_order(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        request: ShopFulfillmentRequested,
    ) -> Fulfilled:
        """Records in the shop that `request.lines` shipped with `request.tracking` (the shop mails the
        buyer), unless the shop has that shipment already (then it is found, not made again: a repeated
        request never ships twice). Raises `FulfilmentRefused` with the platform's words when the shop
        refuses it, `PlatformProblem` when the store is at fault (a missing permission, a revoked key),
        `PlatformUnavailable` when it may work later."""
        raise FulfilmentNotSupported(self.platform)

    async def check_fulfilment(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        request: ShopFulfillmentRequested,
    ) -> None:
        """A test order's dry run: returns when the shop would accept `fulfil_order` for the request (the
        credentials work and grant the write permission it needs), without changing anything in the shop;
        raises as `fulfil_order` does."""
        raise FulfilmentNotSupported(self.platform)

    async def probe_fulfilment(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> None:
        """Printbridge's own test order (a probe): returns when the shop would take a shipment at all —
        the credentials work and grant the write permission `fulfil_order` needs — reading and changing
        no order (the shop has none for a probe); raises `PlatformProblem` (the store is at fault, with
        the fix) or `PlatformUnavailable` as `fulfil_order` does."""
        raise FulfilmentNotSupported(self.platform)
