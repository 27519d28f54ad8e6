"""The WooCommerce connector: a shop connected with a read/write REST API key pair, verified by real
calls; our webhooks registered with a secret of our own; orders polled by modification time.
docs/connectors-woocommerce.md describes the flow and every problem code."""

import datetime as dt
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
    OrderVersion,
    PlatformConnector,
    PlatformContext,
    PlatformProblem,
    PlatformUnavailable,
    ProductVersion,
    PublishRefused,
    StoreRef,
    request_handle,
)
from connectors.platforms.woocommerce import fulfilment, products
from connectors.platforms.woocommerce.client import (
    BASIC,
    PRETTY,
    QUERY,
    REST_ROUTE,
    WooApiError,
    WooClient,
)
from connectors.platforms.woocommerce.normalise import NotAnOrder, order_version
from connectors.platforms.woocommerce.schemas import WooCommerceConnect
from connectors.platforms.woocommerce.site import normalise_site_url
from printbridge_shared.events.contracts import (
    Platform,
    ShopFulfillmentRequested,
    ShopProductPublishRequested,
    StoreStatus,
)
from printbridge_shared.outbound import UrlNotAllowed

log = structlog.get_logger(__name__)

TOPICS = (
    "order.created",
    "order.updated",
    "order.deleted",
    "product.created",
    "product.updated",
    "product.deleted",
)
WEBHOOK_NAME = "Printbridge"
WEBHOOK_PATH = "/v1/webhooks/woocommerce/"
# Connecting happens inside POST /v1/stores: each call is short, and a shop that asks us to wait long
# (429) is answered as unreachable rather than holding the request.
CONNECT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
CONNECT_MAX_WAIT_S = 3.0


def key_revoked() -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.auth_error,
        "key_revoked",
        "WooCommerce refuses the store's REST API key (401): it was revoked, deleted with its WordPress "
        "user, or its secret changed.",
        "In WooCommerce → Settings → Advanced → REST API create a new key with Read/Write permissions, then "
        "disconnect this store and connect the shop again with the new key.",
    )


def key_read_only(refused: str = "manage webhooks") -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.permission_missing,
        "key_read_only",
        f"WooCommerce refuses to let the store's key {refused}: the key is read-only or its WordPress "
        "user may not manage WooCommerce.",
        "Give the key Read/Write permissions (WooCommerce → Settings → Advanced → REST API) and a user with "
        "the Shop manager or Administrator role; the next reconcile re-creates the webhooks.",
    )


def api_missing() -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.unreachable,
        "api_missing",
        "The shop no longer answers WooCommerce's REST API (404 on /wp-json/wc/v3): WooCommerce was "
        "deactivated, the permalinks were set to Plain, or a security plugin blocks /wp-json/.",
        "Activate WooCommerce, set Settings → Permalinks to anything but Plain, and allow /wp-json/ through "
        "security plugins; the next reconcile clears this problem.",
    )


def url_not_allowed() -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.unreachable,
        "url_not_allowed",
        "The shop's address now resolves to a private or local address, which Printbridge does not call.",
        "Point the shop's domain at its public address (or, for a shop on a LAN, set "
        "PRINTBRIDGE_ALLOW_PRIVATE_URLS=true).",
    )


def delivery_url(context: PlatformContext, store_id: uuid.UUID) -> str:
    return f"{context.settings.public_url}{WEBHOOK_PATH}{store_id}"


def _api_problem(error: WooApiError, *, writing: bool = False) -> PlatformProblem | PlatformUnavailable:
    """What a 4xx from a connected shop means for the store."""
    if error.status == 401 and writing:
        return key_read_only()
    if error.status == 401:
        return key_revoked()
    if error.status == 403:
        return key_read_only() if writing else _permission_problem(error)
    if error.status == 404 and error.code == "rest_no_route":
        return api_missing()
    return PlatformUnavailable(f"WooCommerce answered {error}")


def _permission_problem(error: WooApiError) -> PlatformProblem:
    return PlatformProblem(
        StoreStatus.permission_missing,
        "orders_forbidden",
        f"WooCommerce does not let the store's key read orders ({error.code or error.status}).",
        "Give the key Read/Write permissions and a WordPress user with the Shop manager or Administrator "
        "role (WooCommerce → Settings → Advanced → REST API).",
    )


def _since_param(since: dt.datetime) -> str:
    return since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _publish_error(error: WooApiError) -> PlatformProblem | PublishRefused:
    """What a 4xx to a product write means: the key may not write (a problem of the store, reported
    there), or WooCommerce refused the product itself (its words)."""
    if error.status == 401 and "write permission" in error.message:
        return key_read_only("create products")
    if error.status == 401 and error.code != "woocommerce_rest_cannot_create":
        return key_revoked()
    if error.status in (401, 403):
        return key_read_only("create products")
    if error.status == 404 and error.code == "rest_no_route":
        return api_missing()
    return PublishRefused(f"WooCommerce refused the product: {error.message} ({error.code or error.status})")


class WooCommerceConnector(PlatformConnector):
    platform = Platform.woocommerce
    syncs_products = True
    publishes_products = True
    fulfils_orders = True

    def client(self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]) -> WooClient:
        return WooClient(
            context.http,
            store.shop_key,
            credentials["consumer_key"],
            credentials["consumer_secret"],
            api=credentials.get("api", PRETTY),
            auth=credentials.get("auth", BASIC),
        )

    # Connecting -------------------------------------------------------------------------------------

    async def connect(self, context: PlatformContext, store_id: uuid.UUID, request: Any) -> Connection:
        if not isinstance(request, WooCommerceConnect):
            raise TypeError(f"a WooCommerce connect request, not {type(request).__name__}")
        site = normalise_site_url(request.url, allow_private=context.settings.allow_private_urls)
        client = WooClient(
            context.http,
            site,
            request.consumer_key.get_secret_value().strip(),
            request.consumer_secret.get_secret_value().strip(),
            timeout=CONNECT_TIMEOUT,
            max_wait_s=CONNECT_MAX_WAIT_S,
        )
        try:
            name = await self._site_name(client)
            await self._check_keys_with_fallback(client)
            secret = secrets.token_urlsafe(32)
            webhook_ids = await self._register_all(client, delivery_url(context, store_id), secret)
        except UrlNotAllowed as exc:
            raise ConnectRefused("url-not-allowed", str(exc), "url") from None
        return Connection(
            shop_key=site,
            name=name,
            status=StoreStatus.connected,
            credentials={
                "consumer_key": client.consumer_key,
                "consumer_secret": client.consumer_secret,
                "webhook_secret": secret,
                "webhook_ids": webhook_ids,
                "api": client.api,
                "auth": client.auth,
            },
            granted_scopes="read_write",
        )

    async def _site_name(self, client: WooClient) -> str:
        """The site's REST index must list the `wc/v3` namespace (at `/wp-json/`, or with plain
        permalinks at `/?rest_route=/`, which then serves every call); its `name` names the store."""
        index = await self._index(client)
        if index is None:
            client.api = REST_ROUTE
            index = await self._index(client)
            if index is None:
                client.api = PRETTY
                raise ConnectRefused(
                    "not-woocommerce",
                    f"{client.site_url} is not a WooCommerce shop: neither {client.site_url}/wp-json/ nor "
                    f"{client.site_url}/?rest_route=/ lists the wc/v3 REST API (is WooCommerce active?).",
                    "url",
                )
        name = index.get("name")
        return str(name).strip()[:200] if isinstance(name, str) and name.strip() else client.site_url

    async def _index(self, client: WooClient) -> dict[str, Any] | None:
        """The REST index where `client.api` says it is, when it lists `wc/v3`."""
        url, params = client.index_request()
        try:
            response = await client.http.get(url, params=params, timeout=CONNECT_TIMEOUT)
        except httpx.TimeoutException:
            raise ConnectRefused(
                "unreachable", f"{client.site_url} did not answer within 10 seconds.", "url"
            ) from None
        except httpx.TransportError as exc:
            raise ConnectRefused(
                "unreachable", f"{client.site_url} cannot be reached: {exc}", "url"
            ) from None
        if response.status_code >= 500:
            raise ConnectRefused(
                "unreachable", f"{client.site_url} answered {response.status_code} to {response.url}.", "url"
            )
        if response.is_redirect:
            raise ConnectRefused(
                "not-woocommerce",
                f"{response.url} redirects to {response.headers.get('Location')}: give the shop's own "
                "address (as WordPress → Settings → General names it).",
                "url",
            )
        try:
            index = response.json() if response.status_code == 200 else None
        except ValueError:
            return None
        namespaces = index.get("namespaces") if isinstance(index, dict) else None
        if not isinstance(namespaces, list) or "wc/v3" not in namespaces:
            return None
        return index if isinstance(index, dict) else None

    async def _check_keys_with_fallback(self, client: WooClient) -> None:
        """An authenticated read. Over HTTPS a 401 to Basic auth may be a host that drops the
        Authorization header: the key pair is tried once more in the query string, WooCommerce's
        documented way around it, and kept as the store's way when it works."""
        try:
            await self._check_keys(client)
        except ConnectRefused as refused:
            if refused.code != "auth-failed" or not client.over_https:
                raise
            client.auth = QUERY
            try:
                await self._check_keys(client)
            except ConnectRefused:
                client.auth = BASIC
                raise refused from None

    async def _check_keys(self, client: WooClient) -> None:
        try:
            await client.send("GET", "orders", {"per_page": 1})
        except PlatformUnavailable as exc:
            raise ConnectRefused("unreachable", str(exc), "url") from None
        except WooApiError as error:
            if error.status == 401 and "permission" in error.message.lower():
                raise ConnectRefused(
                    "permission-missing",
                    f"The key may not read orders ({error.message}); create a key with Read/Write "
                    "permissions.",
                    "consumer_key",
                ) from None
            if error.status == 401:
                raise ConnectRefused(
                    "auth-failed",
                    f"WooCommerce refused the key ({error.message}); check the consumer key and secret "
                    "(WooCommerce → Settings → Advanced → REST API).",
                    "consumer_key",
                ) from None
            if error.status == 403:
                raise ConnectRefused(
                    "permission-missing",
                    f"The key's user may not read orders ({error.message}); use a key of a Shop manager or "
                    "Administrator with Read/Write permissions.",
                    "consumer_key",
                ) from None
            raise ConnectRefused(
                "not-woocommerce",
                f"{client.site_url} does not answer WooCommerce's orders API ({error}).",
                "url",
            ) from None

    async def _register_all(self, client: WooClient, url: str, secret: str) -> dict[str, int]:
        created: dict[str, int] = {}
        try:
            for topic in TOPICS:
                created[topic] = await self._create_webhook(client, topic, url, secret)
        except (WooApiError, PlatformUnavailable) as exc:
            await self._delete_quietly(client, created.values())
            if isinstance(exc, PlatformUnavailable):
                raise ConnectRefused("unreachable", str(exc), "url") from None
            if exc.status in (401, 403):
                raise ConnectRefused(
                    "permission-missing",
                    f"The key may not create webhooks ({exc.message}): it is read-only or its user may not "
                    "manage WooCommerce. Create a key with Read/Write permissions.",
                    "consumer_key",
                ) from None
            raise ConnectRefused(
                "webhook-refused",
                f"WooCommerce did not accept our webhook at {url} ({exc.message}); the shop must reach "
                "PRINTBRIDGE_PUBLIC_URL and get 200 for its ping.",
                "url",
            ) from None
        except BaseException:
            await self._delete_quietly(client, created.values())
            raise
        return created

    async def _create_webhook(self, client: WooClient, topic: str, url: str, secret: str) -> int:
        response = await client.send(
            "POST",
            "webhooks",
            json={
                "name": f"{WEBHOOK_NAME} {topic}",
                "topic": topic,
                "delivery_url": url,
                "secret": secret,
                "status": "active",
            },
        )
        webhook = response.json()
        return int(webhook["id"])

    async def _delete_quietly(self, client: WooClient, webhook_ids: Any) -> None:
        for webhook_id in list(webhook_ids):
            try:
                await client.send("DELETE", f"webhooks/{webhook_id}", {"force": "true"})
            except (WooApiError, PlatformUnavailable, UrlNotAllowed) as exc:
                log.warning("woocommerce_webhook_cleanup_failed", webhook_id=webhook_id, error=str(exc))

    # Polling ----------------------------------------------------------------------------------------

    async def fetch_orders(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        since: dt.datetime | None,
    ) -> AsyncIterator[OrderVersion]:
        """Orders modified after `since`, by id (a stable order while the shop changes under the pages);
        the intake decides between versions by their modification time. WooCommerce's default `any`
        leaves trashed orders out, so a second listing asks for `status=trash` (after the first poll
        only: orders trashed before the store was connected are none of our business)."""
        client = self.client(context, store, credentials)
        params: dict[str, str | int] = {"orderby": "id", "order": "asc"}
        if since is not None:
            params |= {"modified_after": _since_param(since), "dates_are_gmt": "true"}
        listings = [params]
        if since is not None:
            listings.append({**params, "status": "trash"})
        try:
            for listing in listings:
                async for version in self._listed(client, store, listing):
                    yield version
        except WooApiError as error:
            raise _api_problem(error) from None
        except UrlNotAllowed:
            raise url_not_allowed() from None

    async def _listed(
        self, client: WooClient, store: StoreRef, params: dict[str, str | int]
    ) -> AsyncIterator[OrderVersion]:
        async for page in client.pages("orders", params):
            for order in page:
                try:
                    yield order_version(order)
                except NotAnOrder as exc:
                    log.warning(
                        "woocommerce_order_unreadable",
                        store_id=str(store.id),
                        order_id=str(order.get("id")) if isinstance(order, dict) else None,
                        error=str(exc),
                    )

    async def fetch_order(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any], order_id: str
    ) -> OrderVersion | None:
        """One order as the shop has it now; None when the shop no longer has it."""
        client = self.client(context, store, credentials)
        try:
            order = await client.get_json(f"orders/{int(order_id)}")
        except WooApiError as error:
            if error.status == 404 and error.code != "rest_no_route":
                return None
            raise _api_problem(error) from None
        except UrlNotAllowed:
            raise url_not_allowed() from None
        return order_version(order)

    # Products ---------------------------------------------------------------------------------------

    async def fetch_products(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        since: dt.datetime | None,
    ) -> AsyncIterator[ProductVersion]:
        """Products in any status but the bin, modified after `since`, by id; a variable product's
        variations read with it."""
        client = self.client(context, store, credentials)
        params: dict[str, str | int] = {"orderby": "id", "order": "asc", "status": "any"}
        if since is not None:
            params |= {"modified_after": _since_param(since), "dates_are_gmt": "true"}
        try:
            async for page in client.pages("products", params):
                for product in page:
                    try:
                        yield products.product_version(product, await self._variations(client, product))
                    except products.ProductUnreadable as exc:
                        log.warning(
                            "woocommerce_product_unreadable",
                            store_id=str(store.id),
                            product_id=str(product.get("id")) if isinstance(product, dict) else None,
                            error=str(exc),
                        )
        except WooApiError as error:
            raise _api_problem(error) from None
        except UrlNotAllowed:
            raise url_not_allowed() from None

    async def fetch_product(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any], product_id: str
    ) -> ProductVersion | None:
        """One product as the shop has it now; None when it is gone (deleted, or in the bin)."""
        client = self.client(context, store, credentials)
        try:
            product = await client.get_json(f"products/{int(product_id)}")
            if not isinstance(product, dict) or product.get("status") == products.GONE:
                return None
            return products.product_version(product, await self._variations(client, product))
        except WooApiError as error:
            if error.status == 404 and error.code != "rest_no_route":
                return None
            raise _api_problem(error) from None
        except UrlNotAllowed:
            raise url_not_allowed() from None

    async def publish_product(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        draft: ShopProductPublishRequested,
    ) -> ProductVersion:
        """The product made for the request (found by its slug), else a new one: created as a draft,
        its variations added in batches (only those it lacks, by SKU), then published. When WooCommerce
        refuses a variation, the product made by this call is deleted again (its SKUs would block the
        next try) and the refusal raised."""
        client = self.client(context, store, credentials)
        slug = request_handle(draft.request_id)
        made_now = False
        try:
            found = await client.get_json("products", {"slug": slug, "status": "any"})
            product = found[0] if isinstance(found, list) and found else None
            if product is None:
                body = products.product_body(draft, slug)
                product = (await client.send("POST", "products", json=body)).json()
                made_now = True
            product_id = int(product["id"])
            if product.get("type") == "variable":
                await self._add_variations(client, product_id, draft, made_now)
            if product.get("status") != products.SELLING:
                await client.send("PUT", f"products/{product_id}", json={"status": products.SELLING})
            product = await client.get_json(f"products/{product_id}")
            log.info("woocommerce_product_published", store_id=str(store.id), product_id=product_id)
            return products.product_version(product, await self._variations(client, product))
        except WooApiError as error:
            raise _publish_error(error) from None
        except UrlNotAllowed:
            raise url_not_allowed() from None

    # Fulfilment -------------------------------------------------------------------------------------

    def _fulfilment_error(self, error: WooApiError, order_id: str) -> Exception:
        return fulfilment.refused_or_problem(
            error, order_id, key_read_only("update orders"), key_revoked(), api_missing()
        )

    async def fulfil_order(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        request: ShopFulfillmentRequested,
    ) -> Fulfilled:
        """The order `completed` and a customer note with the tracking (fulfilment.py); what it has of
        the two already is not done again."""
        client = self.client(context, store, credentials)
        order_id = request.external_order_id
        try:
            order = await client.get_json(f"orders/{order_id}")
            notes = await client.get_json(f"orders/{order_id}/notes", {"type": "customer"})
            noted = fulfilment.notes_naming(notes, request.tracking.number)
            completed = isinstance(order, dict) and order.get("status") == fulfilment.COMPLETED
            if completed and noted:
                return Fulfilled(tuple(noted), already=True)
            if not completed:
                await client.send("PUT", f"orders/{order_id}", json={"status": fulfilment.COMPLETED})
            if not noted:
                body = {"note": fulfilment.note_text(request), "customer_note": True}
                note = (await client.send("POST", f"orders/{order_id}/notes", json=body)).json()
                noted = [str(note.get("id"))] if isinstance(note, dict) else []
        except WooApiError as error:
            raise self._fulfilment_error(error, order_id) from None
        except UrlNotAllowed:
            raise url_not_allowed() from None
        log.info("woocommerce_order_fulfilled", store_id=str(store.id), order_id=order_id, notes=noted)
        return Fulfilled(tuple(noted))

    async def check_fulfilment(
        self,
        context: PlatformContext,
        store: StoreRef,
        credentials: dict[str, Any],
        request: ShopFulfillmentRequested,
    ) -> None:
        """The key reads the order and may write orders (`_may_write`); the order is not written."""
        client = self.client(context, store, credentials)
        order_id = request.external_order_id
        try:
            await client.get_json(f"orders/{order_id}")
        except WooApiError as error:
            raise self._fulfilment_error(error, order_id) from None
        except UrlNotAllowed:
            raise url_not_allowed() from None
        await self._may_write(client)

    async def probe_fulfilment(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> None:
        """The key reads orders (`GET orders?per_page=1`, as connecting checks it) and may write them
        (`_may_write`); no order is read by its id or written."""
        client = self.client(context, store, credentials)
        try:
            await client.send("GET", "orders", {"per_page": 1})
        except WooApiError as error:
            raise fulfilment.probe_problem(
                error, _permission_problem(error), key_revoked(), api_missing()
            ) from None
        except UrlNotAllowed:
            raise url_not_allowed() from None
        await self._may_write(client)

    async def _may_write(self, client: WooClient) -> None:
        """Whether the key may write orders, changing none: WooCommerce shows a key's permissions to no
        call, so an update of order 0 (an id no order has) is sent. WooCommerce refuses a write method
        by a read-only key before any route runs (`WC_REST_Authentication::check_user_permissions` on
        `rest_pre_dispatch`: 401 "…does not have write permissions."); a Read/Write key gets as far as
        the orders controller, which finds no order 0 and answers 400
        `woocommerce_rest_shop_order_invalid_id` — the proof that writing is allowed."""
        try:
            await client.send("PUT", f"orders/{fulfilment.NO_ORDER_ID}", json={})
        except WooApiError as error:
            if error.code != fulfilment.INVALID_ORDER_ID:
                raise fulfilment.probe_problem(
                    error, key_read_only("update orders"), key_revoked(), api_missing()
                ) from None
        except UrlNotAllowed:
            raise url_not_allowed() from None

    async def _add_variations(
        self, client: WooClient, product_id: int, draft: ShopProductPublishRequested, made_now: bool
    ) -> None:
        existing = await self._variations(client, {"id": product_id, "type": "variable"})
        missing = products.variations_to_create(draft, existing)
        for start in range(0, len(missing), products.BATCH):
            chunk = {"create": missing[start : start + products.BATCH]}
            answer = (await client.send("POST", f"products/{product_id}/variations/batch", json=chunk)).json()
            refusals = products.batch_refusals(answer)
            if refusals:
                if made_now:
                    await client.send("DELETE", f"products/{product_id}", {"force": "true"})
                raise PublishRefused("WooCommerce refused a variation: " + "; ".join(refusals))

    async def _variations(self, client: WooClient, product: Any) -> list[Any]:
        if not isinstance(product, dict) or product.get("type") != "variable":
            return []
        variations: list[Any] = []
        path = f"products/{int(product['id'])}/variations"
        async for page in client.pages(path, {"orderby": "id", "order": "asc"}):
            variations += page
        return variations

    # Webhooks ---------------------------------------------------------------------------------------

    async def _ours(self, client: WooClient, url: str) -> list[dict[str, Any]]:
        ours = []
        async for page in client.pages("webhooks"):
            ours += [w for w in page if isinstance(w, dict) and w.get("delivery_url") == url]
        return ours

    async def ensure_webhooks(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> dict[str, Any]:
        """Each of our topics has an active webhook: a missing one is created again (with the store's
        secret), a `disabled` one (WooCommerce disables a webhook after repeated failed deliveries) is
        set active. A `paused` one is the merchant's choice and stays paused (polling still finds the
        orders)."""
        client = self.client(context, store, credentials)
        url = delivery_url(context, store.id)
        try:
            ours = await self._ours(client, url)
        except WooApiError as error:
            raise _api_problem(error) from None
        except UrlNotAllowed:
            raise url_not_allowed() from None
        by_topic: dict[str, dict[str, Any]] = {}
        for existing in ours:
            by_topic.setdefault(str(existing.get("topic")), existing)
        webhook_ids: dict[str, int] = {}
        try:
            for topic in TOPICS:
                webhook = by_topic.get(topic)
                if webhook is None:
                    webhook_ids[topic] = await self._create_webhook(
                        client, topic, url, credentials["webhook_secret"]
                    )
                    log.info("woocommerce_webhook_recreated", store_id=str(store.id), topic=topic)
                    continue
                webhook_ids[topic] = int(webhook["id"])
                if webhook.get("status") == "disabled":
                    await client.send("PUT", f"webhooks/{webhook['id']}", json={"status": "active"})
                    log.info("woocommerce_webhook_reactivated", store_id=str(store.id), topic=topic)
        except WooApiError as error:
            raise _api_problem(error, writing=True) from None
        except UrlNotAllowed:
            raise url_not_allowed() from None
        if webhook_ids == credentials.get("webhook_ids"):
            return credentials
        return {**credentials, "webhook_ids": webhook_ids}

    async def remove_webhooks(
        self, context: PlatformContext, store: StoreRef, credentials: dict[str, Any]
    ) -> None:
        client = self.client(context, store, credentials)
        url = delivery_url(context, store.id)
        try:
            ours = await self._ours(client, url)
            for webhook in ours:
                try:
                    await client.send("DELETE", f"webhooks/{webhook['id']}", {"force": "true"})
                except WooApiError as error:
                    if error.status != 404:
                        raise
        except WooApiError as error:
            raise _api_problem(error, writing=True) from None
        except UrlNotAllowed:
            raise url_not_allowed() from None
