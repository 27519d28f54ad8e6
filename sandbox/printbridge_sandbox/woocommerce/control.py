"""The control API (`/_sandbox/woocommerce/…`, JSON, no auth): what a test uses to set shops up, make
things happen in them, make them misbehave, and see what they sent and received."""

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request, Response

from printbridge_sandbox.woocommerce import schemas, shop
from printbridge_sandbox.woocommerce.deliveries import Deliverer
from printbridge_sandbox.woocommerce.shapes import (
    note_json,
    order_json,
    product_json,
    rest_url,
    variation_json,
)
from printbridge_sandbox.woocommerce.state import ApiCall, ApiKey, Delivery, Misbehaviour, Sandbox, Site
from printbridge_shared.errors import NotFound, ServiceUnavailable

PREFIX = "/_sandbox/woocommerce"


@dataclass
class PublicUrls:
    """Where clients reach this server; a site's home URL is built on the one of its scheme."""

    http: str | None = None
    https: str | None = None

    def base_for(self, scheme: str, request: Request) -> str:
        configured = self.https if scheme == "https" else self.http
        if configured:
            return configured.rstrip("/")
        # Not configured: the address this control call came to, with the site's scheme.
        return str(request.base_url.replace(scheme=scheme)).rstrip("/")


def site_view(site: Site) -> dict[str, Any]:
    return {
        "slug": site.slug,
        "name": site.name,
        "url": site.home_url,
        "api_root": rest_url(site, ""),
        "scheme": site.scheme,
        "woocommerce": site.woocommerce,
        "allow_http_callback": site.allow_http_callback,
        "pretty_permalinks": site.pretty_permalinks,
        "timezone": str(site.timezone),
        "currency": site.currency,
        "keys": [key_view(key, with_secret=False) for key in site.keys.values()],
        "webhooks": [
            {
                "id": webhook.id,
                "name": webhook.name,
                "status": webhook.status,
                "topic": webhook.topic,
                "delivery_url": webhook.delivery_url,
                "secret": webhook.secret,
                "failure_count": webhook.failure_count,
                "pending_delivery": webhook.pending_delivery,
                "key_id": webhook.key_id,
            }
            for webhook in site.webhooks.values()
        ],
        "orders": len(site.orders),
        "products": len(site.products),
        "misbehaviour": misbehaviour_view(site.misbehaviour),
    }


def key_view(key: ApiKey, *, with_secret: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "key_id": key.key_id,
        "consumer_key": key.consumer_key,
        "permissions": key.permissions.value,
        "description": key.description,
        "last_access": key.last_access.isoformat() if key.last_access else None,
    }
    if with_secret:
        view["consumer_secret"] = key.consumer_secret
    return view


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    return {
        "number": delivery.number,
        "kind": delivery.kind,
        "webhook_id": delivery.webhook_id,
        "topic": delivery.topic,
        "delivery_url": delivery.delivery_url,
        "delivery_id": delivery.delivery_id,
        "headers": delivery.headers,
        "body": delivery.body.decode(),
        "outcome": delivery.outcome,
        "response_status": delivery.response_status,
        "error": delivery.error,
        "queued_at": delivery.queued_at.isoformat(),
        "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
        "duration_s": delivery.duration_s,
    }


def call_view(call: ApiCall) -> dict[str, Any]:
    return {
        "number": call.number,
        "at": call.at.isoformat(),
        "method": call.method,
        "path": call.path,
        "query": call.query,
        "auth": call.auth,
        "key_id": call.key_id,
        "status": call.status,
    }


def misbehaviour_view(misbehaviour: Misbehaviour) -> dict[str, Any]:
    view = dict(misbehaviour.__dict__)
    view["reachability"] = misbehaviour.reachability.value
    return view


def product_view(site: Site, product: Any) -> dict[str, Any]:
    view = product_json(site, product)
    view["variations_detail"] = [variation_json(site, product, v) for v in product.variations]
    return view


def control_router(
    sandbox: Sandbox, deliverer: Deliverer, urls: PublicUrls, ca_cert: Path | None = None
) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["woocommerce sandbox"])
    ca_pem = ca_cert.read_bytes() if ca_cert is not None else None

    def site_or_404(slug: str) -> Site:
        site = sandbox.sites.get(slug)
        if site is None:
            raise NotFound(f"no sandbox WooCommerce site {slug!r}")
        return site

    @router.post("/sites", status_code=201)
    async def create_site(spec: schemas.SiteCreate, request: Request) -> dict[str, Any]:
        site = shop.create_site(sandbox, spec, default_base_url=urls.base_for(spec.scheme, request))
        return site_view(site)

    @router.get("/sites")
    async def list_sites() -> list[dict[str, Any]]:
        return [site_view(site) for site in sandbox.sites.values()]

    @router.get("/sites/{slug}")
    async def get_site(slug: str) -> dict[str, Any]:
        return site_view(site_or_404(slug))

    @router.delete("/sites/{slug}", status_code=204)
    async def delete_site(slug: str) -> Response:
        site = site_or_404(slug)
        await deliverer.forget(site.slug)
        site.unhang.set()
        del sandbox.sites[slug]
        return Response(status_code=204)

    @router.post("/sites/{slug}/keys", status_code=201)
    async def create_key(slug: str, spec: schemas.KeyCreate) -> dict[str, Any]:
        return key_view(shop.create_key(site_or_404(slug), spec), with_secret=True)

    @router.patch("/sites/{slug}/keys/{key_id}")
    async def update_key(slug: str, key_id: int, spec: schemas.KeyUpdate) -> dict[str, Any]:
        return key_view(shop.update_key(site_or_404(slug), key_id, spec), with_secret=False)

    @router.delete("/sites/{slug}/keys/{key_id}", status_code=204)
    async def revoke_key(slug: str, key_id: int) -> Response:
        shop.revoke_key(site_or_404(slug), key_id)
        return Response(status_code=204)

    @router.post("/sites/{slug}/orders", status_code=201)
    async def place_order(slug: str, spec: schemas.OrderCreate) -> dict[str, Any]:
        site = site_or_404(slug)
        return order_json(site, shop.place_order(site, spec, deliverer))

    @router.get("/sites/{slug}/orders/{order_id}")
    async def get_order(slug: str, order_id: int) -> dict[str, Any]:
        site = site_or_404(slug)
        return order_json(site, shop.get_order(site, order_id))

    @router.get("/sites/{slug}/orders/{order_id}/notes")
    async def list_order_notes(slug: str, order_id: int) -> dict[str, Any]:
        """The order's status and its notes, oldest first, as the REST API shows them."""
        site = site_or_404(slug)
        order = shop.get_order(site, order_id)
        return {"status": order.status, "notes": [note_json(site, order, note) for note in order.notes]}

    @router.patch("/sites/{slug}/orders/{order_id}")
    async def update_order(slug: str, order_id: int, spec: schemas.OrderUpdate) -> dict[str, Any]:
        site = site_or_404(slug)
        return order_json(site, shop.update_order(site, order_id, spec, deliverer))

    @router.delete("/sites/{slug}/orders/{order_id}")
    async def delete_order(slug: str, order_id: int, force: bool = False) -> dict[str, Any]:
        site = site_or_404(slug)
        return order_json(site, shop.delete_order(site, order_id, force=force, deliverer=deliverer))

    @router.post("/sites/{slug}/products", status_code=201)
    async def create_product(slug: str, spec: schemas.ProductCreate) -> dict[str, Any]:
        site = site_or_404(slug)
        return product_view(site, shop.create_product(site, spec, deliverer))

    @router.patch("/sites/{slug}/products/{product_id}")
    async def update_product(slug: str, product_id: int, spec: schemas.ProductUpdate) -> dict[str, Any]:
        site = site_or_404(slug)
        return product_view(site, shop.update_product(site, product_id, spec, deliverer))

    @router.delete("/sites/{slug}/products/{product_id}")
    async def delete_product(slug: str, product_id: int) -> dict[str, Any]:
        site = site_or_404(slug)
        return product_view(site, shop.delete_product(site, product_id, deliverer))

    @router.get("/sites/{slug}/deliveries")
    async def list_deliveries(
        slug: str, after: int = Query(0, ge=0, description="Only deliveries numbered above this.")
    ) -> list[dict[str, Any]]:
        return [delivery_view(d) for d in site_or_404(slug).deliveries if d.number > after]

    @router.post("/sites/{slug}/deliveries/wait")
    async def wait_for_deliveries(slug: str, spec: schemas.WaitFor) -> list[dict[str, Any]]:
        """Returns once everything queued has been sent (held deliveries excepted)."""
        site = site_or_404(slug)
        if not await deliverer.drained(site, spec.timeout_s):
            raise ServiceUnavailable(f"deliveries of {slug} still queued after {spec.timeout_s} s")
        return [delivery_view(d) for d in site.deliveries]

    @router.post("/sites/{slug}/deliveries/release")
    async def release_held(slug: str) -> list[dict[str, Any]]:
        """Sends the deliveries held for out-of-order delivery now, newest first."""
        site = site_or_404(slug)
        site.misbehaviour.out_of_order_deliveries = 0
        deliverer.release_held(site)
        return [delivery_view(d) for d in site.deliveries]

    @router.get("/sites/{slug}/calls")
    async def list_calls(
        slug: str, after: int = Query(0, ge=0, description="Only calls numbered above this.")
    ) -> list[dict[str, Any]]:
        return [call_view(call) for call in site_or_404(slug).calls if call.number > after]

    @router.get("/sites/{slug}/misbehaviour")
    async def get_misbehaviour(slug: str) -> dict[str, Any]:
        return misbehaviour_view(site_or_404(slug).misbehaviour)

    @router.put("/sites/{slug}/misbehaviour")
    async def set_misbehaviour(slug: str, spec: schemas.MisbehaviourSet) -> dict[str, Any]:
        site = site_or_404(slug)
        changes = spec.model_dump(exclude_unset=True, exclude_none=True)
        if "woocommerce" in changes:
            site.woocommerce = changes.pop("woocommerce")
        if "pretty_permalinks" in changes:
            site.pretty_permalinks = changes.pop("pretty_permalinks")
        for name, value in changes.items():
            setattr(site.misbehaviour, name, value)
        if site.misbehaviour.reachability.value != "hang":
            # Wake the held requests; ones about to wait hold this (set) event too. Later hangs get a new one.
            site.unhang.set()
            site.unhang = asyncio.Event()
        return misbehaviour_view(site.misbehaviour)

    @router.post("/reset", status_code=204)
    async def reset() -> Response:
        """Forgets every site (queued deliveries included)."""
        await deliverer.forget_all()
        for site in sandbox.sites.values():
            site.unhang.set()
        sandbox.sites.clear()
        return Response(status_code=204)

    @router.get("/ca.pem")
    async def ca_certificate() -> Response:
        """The CA that signed the HTTPS server's certificate (trust it with SSL_CERT_FILE)."""
        if ca_pem is None:
            raise NotFound("this sandbox serves no HTTPS (no CA)")
        return Response(ca_pem, media_type="application/x-pem-file")

    return router
