"""The Shopify connector: OAuth (authorization-code grant, expiring offline token), order polling through
the GraphQL Admin API, and the shop-specific webhook subscriptions Printbridge keeps."""

import datetime as dt
import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Any, ClassVar
from urllib.parse import urlencode

import structlog

from connectors.platforms.base import (
    Connection,
    Fulfilled,
    FulfilmentRefused,
    OrderVersion,
    PlatformConnector,
    PlatformContext,
    ProductVersion,
    PublishRefused,
    StoreRef,
    request_handle,
)
from connectors.platforms.shopify import fulfilment, normalise, problems, products
from connectors.platforms.shopify.client import ShopifyClient, Throttle
from connectors.platforms.shopify.exceptions import ReturnUrlNotAllowed, ShopifyNotConfigured
from connectors.platforms.shopify.schemas import ShopifyConnect
from connectors.platforms.shopify.shop import normalise_shop
from printbridge_shared.events.contracts import (
    Platform,
    ShopFulfillmentRequested,
    ShopProductPublishRequested,
    StoreStatus,
)

log = structlog.get_logger(__name__)

CALLBACK_PATH = "/v1/connectors/shopify/callback"
WEBHOOK_PATH = "/v1/webhooks/shopify"
WEBHOOK_TOPICS = (
    "ORDERS_CREATE",
    "ORDERS_UPDATED",
    "ORDERS_CANCELLED",
    "PRODUCTS_CREATE",
    "PRODUCTS_UPDATE",
    "PRODUCTS_DELETE",
    "APP_UNINSTALLED",
)
# The scope a subscription to each topic needs (none for APP_UNINSTALLED).
TOPIC_SCOPES = {"ORDERS": "read_orders", "PRODUCTS": "read_products"}
# A page's requested cost must stay under Shopify's 1000-point limit for one query: 10 orders with up
# to 10 line items each cost about 750; an order with more lines gets its remaining lines paged.
ORDERS_PAGE = 10
LINES_PAGE = 10
MORE_LINES_PAGE = 100
SUBSCRIPTIONS_PAGE = 100

ORDERS_QUERY = f"""
query PrintbridgeOrders($first: Int!, $after: String, $query: String) {{
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{
      node {{
        {normalise.ORDER_FIELDS}
        lineItems(first: {LINES_PAGE}) {{
          pageInfo {{ hasNextPage endCursor }}
          edges {{ node {{ {normalise.LINE_FIELDS} }} }}
        }}
      }}
    }}
  }}
}}
"""
ORDER_QUERY = f"""
query PrintbridgeOrder($id: ID!) {{
  order(id: $id) {{
    {normalise.ORDER_FIELDS}
    lineItems(first: {LINES_PAGE}) {{
      pageInfo {{ hasNextPage endCursor }}
      edges {{ node {{ {normalise.LINE_FIELDS} }} }}
    }}
  }}
}}
"""
ORDER_LINES_QUERY = f"""
query PrintbridgeOrderLines($id: ID!, $after: String) {{
  order(id: $id) {{
    lineItems(first: {MORE_LINES_PAGE}, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      edges {{ node {{ {normalise.LINE_FIELDS} }} }}
    }}
  }}
}}
"""
SUBSCRIPTIONS_QUERY = f"""
query PrintbridgeWebhooks($after: String) {{
  currentAppInstallation {{ accessScopes {{ handle }} }}
  webhookSubscriptions(first: {SUBSCRIPTIONS_PAGE}, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ id topic uri }} }}
  }}
}}
"""
SUBSCRIBE_MUTATION = """
mutation PrintbridgeSubscribe(
  $topic: WebhookSubscriptionTopic!, $subscription: WebhookSubscriptionInput!
) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}
"""
UNSUBSCRIBE_MUTATION = """
mutation PrintbridgeUnsubscribe($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}
"""


def scopes_of(granted: str | list[str]) -> set[str]:
    """The scopes a grant gives, with the reads its writes imply (`write_orders` → `read_orders`)."""
    names = granted.split(",") if isinstance(granted, str) else granted
    scopes = {name.strip() for name in names if name.strip()}
    return scopes | {"read_" + s.removeprefix("write_") for s in scopes if s.startswith("write_")}


def missing_scopes(wanted: str, granted: str | list[str]) -> list[str]:
    have = scopes_of(granted)
    return sorted(scope for scope in scopes_of(wanted) if scope not in have)


def topic_scope(topic: str) -> str | None:
    return TOPIC_SCOPES.get(topic.split("_", 1)[0])


def _nodes(connection: Any) -> list[Any]:
    return [edge["node"] for edge in (connection or {}).get("edges") or []]


def _changed_since(since: dt.datetime | None) -> str | None:
    """The search query for what changed since `since` (orders and products alike)."""
    if since is None:
        return None
    return f"updated_at:>='{since.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}'"


async def _connection_nodes(
    client: ShopifyClient, document: str, variables: dict[str, Any], field: str
) -> AsyncIterator[Any]:
    """Every node of the top-level connection `field`, page after page (`after` = the last endCursor)."""
    after: str | None = None
    while True:
        data = await client.graphql(document, {**variables, "after": after})
        connection = data.get(field) or {}
        for node in _nodes(connection):
            yield node
        page = connection.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            return
        after = page.get("endCursor")


async def _rest_of(
    client: ShopifyClient, node: dict[str, Any], field: str, document: str, owner: str
) -> list[Any]:
    """The nodes of `node`'s nested connection `field`: the first page came with it, the rest are paged
    with `document` (which reads `owner(id:)`'s `field` after a cursor)."""
    connection = node.get(field) or {}
    found = _nodes(connection)
    page = connection.get("pageInfo") or {}
    while page.get("hasNextPage"):
        data = await client.graphql(document, {"id": node["id"], "after": page.get("endCursor")})
        connection = (data.get(owner) or {}).get(field) or {}
        found.extend(_nodes(connection))
        page = connection.get("pageInfo") or {}
    return found


class ShopifyConnector(PlatformConnector):
    platform: ClassVar[Platform] = Platform.shopify
    syncs_products: ClassVar[bool] = True
    publishes_products: ClassVar[bool] = True
    fulfils_orders: ClassVar[bool] = True

    def __init__(self) -> None:
        # Each shop's cost bucket as this process last saw it: a poll starts by waiting if it is low.
        self.throttles: dict[str, Throttle] = {}

    def client(
        self, context: PlatformContext, shop: str, credentials: dict[str, Any] | None = None, **options: Any
    ) -> ShopifyClient:
        return ShopifyClient(context, shop, credentials, throttles=self.throttles, **options)

    # Connecting -------------------------------------------------------------------------------------

    @staticmethod
    def configured(context: PlatformContext) -> None:
        settings = context.settings
        if not settings.shopify_client_id:
            raise ShopifyNotConfigured("PRINTBRIDGE_SHOPIFY_CLIENT_ID")
        if not settings.shopify_client_secret.get_secret_value():
            raise ShopifyNotConfigured("PRINTBRIDGE_SHOPIFY_CLIENT_SECRET")

    @staticmethod
    def authorize_url(context: PlatformContext, shop: str, state: str) -> str:
        settings = context.settings
        query = urlencode(
            {
                "client_id": settings.shopify_client_id,
                "scope": settings.shopify_scopes,
                "redirect_uri": settings.public_url + CALLBACK_PATH,
                "state": state,
            }
        )
        return f"{settings.shopify_base(shop)}/admin/oauth/authorize?{query}"

    def _pending(self, context: PlatformContext, shop: str) -> Connection:
        state = secrets.token_urlsafe(32)
        return Connection(
            shop_key=shop,
            name=shop.removesuffix(".myshopify.com"),
            status=StoreStatus.pending,
            authorize_url=self.authorize_url(context, shop, state),
            flow_secret={"state": state},
        )

    async def connect(self, context: PlatformContext, store_id: uuid.UUID, request: Any) -> Connection:
        """Pending, with the address where the merchant grants access; nothing is called yet."""
        self.configured(context)
        if not isinstance(request, ShopifyConnect):
            raise TypeError(f"the Shopify connector connects a ShopifyConnect, not {type(request).__name__}")
        shop = normalise_shop(request.shop)
        check_return_url(context, request.return_url)
        return self._pending(context, shop)

    async def reconnect(
        self, context: PlatformContext, store: StoreRef, return_url: str | None
    ) -> Connection:
        self.configured(context)
        check_return_url(context, return_url)
        return self._pending(context, store.shop_key)

    # Orders -----------------------------------------------------------------------------------------

    async def fetch_orders(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        since: dt.datetime | None,
    ) -> AsyncIterator[OrderVersion]:
        client = self.client(context, store.shop_key, credentials)
        variables = {"first": ORDERS_PAGE, "query": _changed_since(since)}
        async for node in _connection_nodes(client, ORDERS_QUERY, variables, "orders"):
            lines = await self._all_lines(client, node)
            try:
                yield normalise.from_graphql(node, lines)
            except normalise.OrderUnreadable as error:
                log.warning(
                    "shopify_order_unreadable", shop=store.shop_key, order=node.get("id"), error=str(error)
                )

    async def fetch_order(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any], order_id: str
    ) -> OrderVersion | None:
        client = self.client(context, store.shop_key, credentials)
        data = await client.graphql(ORDER_QUERY, {"id": f"gid://shopify/Order/{order_id}"})
        node = data.get("order")
        if not node:
            return None
        return normalise.from_graphql(node, await self._all_lines(client, node))

    async def _all_lines(self, client: ShopifyClient, node: dict[str, Any]) -> list[Any]:
        return await _rest_of(client, node, "lineItems", ORDER_LINES_QUERY, "order")

    # Products ---------------------------------------------------------------------------------------

    async def fetch_products(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        since: dt.datetime | None,
    ) -> AsyncIterator[ProductVersion]:
        client = self.client(context, store.shop_key, credentials)
        variables = {"first": products.PRODUCTS_PAGE, "query": _changed_since(since)}
        async for node in _connection_nodes(client, products.PRODUCTS_QUERY, variables, "products"):
            try:
                yield products.from_graphql(node, await self._all_variants(client, node))
            except products.ProductUnreadable as error:
                log.warning(
                    "shopify_product_unreadable",
                    shop=store.shop_key,
                    product=node.get("id"),
                    error=str(error),
                )

    async def fetch_product(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any], product_id: str
    ) -> ProductVersion | None:
        client = self.client(context, store.shop_key, credentials)
        data = await client.graphql(products.PRODUCT_QUERY, {"id": f"gid://shopify/Product/{product_id}"})
        node = data.get("product")
        if not node:
            return None
        return products.from_graphql(node, await self._all_variants(client, node))

    async def publish_product(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        draft: ShopProductPublishRequested,
    ) -> ProductVersion:
        """The product made for the request, found by its handle; else created with `productSet`
        (upserting by that handle, so a call sent again after a lost answer makes no second one)."""
        client = self.client(context, store.shop_key, credentials)
        handle = request_handle(draft.request_id)
        data = await client.graphql(products.PRODUCT_BY_HANDLE_QUERY, {"identifier": {"handle": handle}})
        node = data.get("productByIdentifier")
        if not node:
            data = await client.graphql(
                products.PRODUCT_SET_MUTATION,
                {"input": products.product_set_input(draft, handle), "identifier": {"handle": handle}},
            )
            answer = data.get("productSet") or {}
            if answer.get("userErrors"):
                raise PublishRefused(products.user_errors_text(answer["userErrors"]))
            node = answer.get("product")
            if not node:
                raise PublishRefused("Shopify made no product and said nothing about why.")
        log.info("shopify_product_published", shop=store.shop_key, product=node.get("id"))
        return products.from_graphql(node, await self._all_variants(client, node))

    async def _all_variants(self, client: ShopifyClient, node: dict[str, Any]) -> list[Any]:
        return await _rest_of(client, node, "variants", products.PRODUCT_VARIANTS_QUERY, "product")

    # Fulfilment -------------------------------------------------------------------------------------

    async def _order_for_fulfilment(
        self, client: ShopifyClient, request: ShopFulfillmentRequested
    ) -> dict[str, Any]:
        data = await client.graphql(
            fulfilment.FULFILLMENT_ORDERS_QUERY, {"id": fulfilment.order_gid(request.external_order_id)}
        )
        order = data.get("order")
        if not isinstance(order, dict):
            raise FulfilmentRefused(
                f"Shopify has no order {request.external_order_number or request.external_order_id} "
                "any more.",
                "Nothing to send: the order was deleted in the shop; tell the buyer the tracking yourself.",
            )
        fulfillment_orders = await _rest_of(
            client, order, "fulfillmentOrders", fulfilment.MORE_FULFILLMENT_ORDERS_QUERY, "order"
        )
        for fo in fulfillment_orders:
            fo["lineItems"] = {
                "edges": [
                    {"node": item}
                    for item in await _rest_of(
                        client, fo, "lineItems", fulfilment.MORE_FO_LINES_QUERY, "fulfillmentOrder"
                    )
                ]
            }
        order["fulfillmentOrders"] = {"edges": [{"node": fo} for fo in fulfillment_orders]}
        return order

    async def fulfil_order(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        request: ShopFulfillmentRequested,
    ) -> Fulfilled:
        """One `fulfillmentCreate` per fulfillment order that carries the request's lines, naming its
        fulfillment order line items; nothing when the order has a fulfillment with the tracking number
        or nothing of the lines remains (see fulfilment.py)."""
        client = self.client(context, store.shop_key, credentials)
        number = request.tracking.number
        order = await self._order_for_fulfilment(client, request)
        before = fulfilment.shipped_before(order, number)
        if before:
            return Fulfilled(tuple(before), already=True)
        plan = fulfilment.plan(request, order)
        if plan.unknown:
            raise FulfilmentRefused(
                f"Shopify's order {request.external_order_number or request.external_order_id} has no "
                f"fulfillment order line item for the order line items {', '.join(plan.unknown)}.",
                fulfilment.RESHIP_FIX,
            )
        if not plan.groups:
            return Fulfilled(tuple(fulfilment.live_fulfillments(order)), already=True)
        made: list[str] = []
        for fo_id, items in plan.groups.items():
            data = await client.graphql(
                fulfilment.FULFILLMENT_CREATE_MUTATION,
                {"fulfillment": fulfilment.fulfillment_input(request, fo_id, items)},
            )
            answer = data.get("fulfillmentCreate") or {}
            errors = answer.get("userErrors") or []
            created = answer.get("fulfillment")
            if not errors and isinstance(created, dict):
                made.append(str(created.get("id")))
                continue
            # A call whose answer was lost after Shopify made the fulfillment, sent again, is refused:
            # what the shop has now decides.
            again = await self._order_for_fulfilment(client, request)
            found = [f for f in fulfilment.shipped_before(again, number) if f not in made]
            if not found or fo_id in fulfilment.plan(request, again).groups:
                raise fulfilment.refused(errors)
            made.extend(found)
        log.info("shopify_order_fulfilled", shop=store.shop_key, order=request.external_order_id, ids=made)
        return Fulfilled(tuple(made))

    async def check_fulfilment(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        request: ShopFulfillmentRequested,
    ) -> None:
        """The token works, grants `write_merchant_managed_fulfillment_orders`, and the order's
        fulfillment orders carry the request's lines."""
        client = self.client(context, store.shop_key, credentials)
        await self._may_fulfil(client)
        order = await self._order_for_fulfilment(client, request)
        unknown = fulfilment.plan(request, order).unknown
        if unknown:
            raise FulfilmentRefused(
                f"Shopify's order {request.external_order_number or request.external_order_id} has no "
                f"fulfillment order line item for the order line items {', '.join(unknown)}.",
                fulfilment.RESHIP_FIX,
            )

    async def probe_fulfilment(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> None:
        """The token works and grants `write_merchant_managed_fulfillment_orders`: one query of the app's
        access scopes, no order read."""
        await self._may_fulfil(self.client(context, store.shop_key, credentials))

    async def _may_fulfil(self, client: ShopifyClient) -> None:
        data = await client.graphql(fulfilment.SCOPES_QUERY)
        installation = data.get("currentAppInstallation") or {}
        scopes = [scope.get("handle") for scope in installation.get("accessScopes") or []]
        if fulfilment.FULFILMENT_SCOPE not in scopes:
            raise problems.scope_missing([fulfilment.FULFILMENT_SCOPE])

    # Webhooks ---------------------------------------------------------------------------------------

    @staticmethod
    def webhook_address(context: PlatformContext) -> str:
        return context.settings.public_url + WEBHOOK_PATH

    async def _subscriptions(self, client: ShopifyClient) -> tuple[list[str], list[dict[str, Any]]]:
        """The granted scopes and every webhook subscription of this app on the shop."""
        scopes: list[str] = []
        subscriptions: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            data = await client.graphql(SUBSCRIPTIONS_QUERY, {"after": after})
            installation = data.get("currentAppInstallation") or {}
            scopes = [s.get("handle", "") for s in installation.get("accessScopes") or []]
            connection = data.get("webhookSubscriptions") or {}
            subscriptions.extend(_nodes(connection))
            page = connection.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                return scopes, subscriptions
            after = page.get("endCursor")

    async def subscribe(self, client: ShopifyClient, topics: list[str]) -> dict[str, str]:
        """Creates a subscription per topic; returns the topics that failed, each with why."""
        failed: dict[str, str] = {}
        for topic in topics:
            data = await client.graphql(
                SUBSCRIBE_MUTATION,
                {
                    "topic": topic,
                    "subscription": {"uri": self.webhook_address(client.context), "format": "JSON"},
                },
            )
            result = data.get("webhookSubscriptionCreate") or {}
            errors = result.get("userErrors") or []
            if errors or not result.get("webhookSubscription"):
                failed[topic] = "; ".join(str(e.get("message")) for e in errors) or "not created"
        return failed

    async def register_webhooks(self, client: ShopifyClient, granted: str) -> None:
        """Our subscriptions exist afterwards, or `webhooks_missing` says which could not be created.
        Topics the grant lacks the scope for are left out: `scope_missing` says that already."""
        _scopes, subscriptions = await self._subscriptions(client)
        address = self.webhook_address(client.context)
        present = {s.get("topic") for s in subscriptions if s.get("uri") == address}
        have = scopes_of(granted)
        missing = [
            topic for topic in WEBHOOK_TOPICS if topic not in present and topic_scope(topic) in have | {None}
        ]
        failed = await self.subscribe(client, missing)
        if failed:
            raise problems.webhooks_missing(", ".join(f"{t}: {why}" for t, why in failed.items()))

    async def ensure_webhooks(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> dict[str, Any]:
        """The granted scopes still cover what Printbridge needs, and every subscription of ours exists
        (Shopify deletes one that keeps failing): the missing ones are created again."""
        client = self.client(context, store.shop_key, credentials)
        scopes, subscriptions = await self._subscriptions(client)
        lacking = missing_scopes(context.settings.shopify_scopes, scopes)
        if lacking:
            raise problems.scope_missing(lacking)
        address = self.webhook_address(context)
        present = {s.get("topic") for s in subscriptions if s.get("uri") == address}
        missing = [topic for topic in WEBHOOK_TOPICS if topic not in present]
        if missing:
            log.info("shopify_webhooks_recreated", shop=store.shop_key, topics=missing)
            failed = await self.subscribe(client, missing)
            if failed:
                raise problems.webhooks_missing(", ".join(f"{t}: {why}" for t, why in failed.items()))
        return client.credentials

    async def remove_webhooks(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> None:
        client = self.client(context, store.shop_key, credentials, persist=False)
        _scopes, subscriptions = await self._subscriptions(client)
        address = self.webhook_address(context)
        for subscription in subscriptions:
            if subscription.get("uri") == address:
                await client.graphql(UNSUBSCRIBE_MUTATION, {"id": subscription["id"]})


def check_return_url(context: PlatformContext, return_url: str | None) -> None:
    """Only an address under PRINTBRIDGE_PUBLIC_URL: the callback must not send a merchant elsewhere."""
    if return_url is None:
        return
    base = context.settings.public_url.rstrip("/")
    if not (return_url == base or return_url.startswith(base + "/") or return_url.startswith(base + "?")):
        raise ReturnUrlNotAllowed(base)
