"""`python -m printbridge_sandbox` (`make sandbox`): starts the platform sandboxes on 127.0.0.1, seeds each
with an app and a demo shop, and prints the settings that point Printbridge at them.

A further platform adds one `Sandbox` entry to `SANDBOXES` (its port flag, its app factory, its seeding)."""

import argparse
import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from printbridge_sandbox.etsy import schemas as etsy_schemas
from printbridge_sandbox.etsy.app import create_app as create_etsy_app
from printbridge_sandbox.etsy.settings import EtsySettings
from printbridge_sandbox.shopify.app import create_app as create_shopify_app
from printbridge_sandbox.shopify.control import AppIn, Control, ProductIn, ShopIn, VariantIn
from printbridge_sandbox.shopify.settings import ShopifySettings
from printbridge_sandbox.woocommerce import schemas as woo_schemas
from printbridge_sandbox.woocommerce import shop as woo_shop
from printbridge_sandbox.woocommerce.app import create_app as create_woocommerce_app
from printbridge_sandbox.woocommerce.tls import generate_tls_files


@dataclass
class Started:
    """A sandbox's app, the lines to print, and further servers of the same app (e.g. its HTTPS port)."""

    app: FastAPI
    lines: list[str]
    more_servers: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Sandbox:
    name: str
    default_port: int
    # Builds the app from the parsed flags, seeds it, and returns it with the lines to print.
    start: Callable[[argparse.Namespace, str], Started]
    add_flags: Callable[[argparse.ArgumentParser], None] = lambda _parser: None


def _shopify_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--shopify-client-id", default="printbridge-sandbox")
    parser.add_argument("--shopify-client-secret", default="shpss_sandbox_secret_change_me")
    parser.add_argument("--shopify-shop", default="demo.myshopify.com")
    parser.add_argument(
        "--shopify-webhook-retry-base", type=float, default=ShopifySettings.webhook_retry_base_seconds
    )
    parser.add_argument("--shopify-restore-rate", type=float, default=ShopifySettings.restore_rate)


def _start_shopify(args: argparse.Namespace, base_url: str) -> Started:
    settings = ShopifySettings(
        webhook_retry_base_seconds=args.shopify_webhook_retry_base, restore_rate=args.shopify_restore_rate
    )
    app = create_shopify_app(settings)
    control: Control = app.state.control
    control.register_app(AppIn(client_id=args.shopify_client_id, client_secret=args.shopify_client_secret))
    shop = control.create_shop(ShopIn(domain=args.shopify_shop, name="Demo Print Shop"))
    control.create_product(
        shop,
        ProductIn(
            title="Poster",
            variants=[
                VariantIn(title="A3 / Matt", sku="POSTER-A3-MATT", price=Decimal("19.95")),
                VariantIn(title="A2 / Matt", sku="POSTER-A2-MATT", price=Decimal("24.95")),
            ],
        ),
    )
    control.create_product(
        shop, ProductIn(title="Mug", variants=[VariantIn(sku="MUG-WHITE", price=Decimal("12.50"))])
    )
    return Started(
        app,
        [
            f"Shopify sandbox on {base_url} (control API: {base_url}/_sandbox/shopify, docs/sandbox.md)",
            f"  PRINTBRIDGE_SHOPIFY_ADMIN_URL={base_url}/shops/{{shop}}",
            f"  PRINTBRIDGE_SHOPIFY_CLIENT_ID={args.shopify_client_id}",
            f"  PRINTBRIDGE_SHOPIFY_CLIENT_SECRET={args.shopify_client_secret}",
            f"  demo shop: {shop.domain} (2 products); place orders with",
            f"    POST {base_url}/_sandbox/shopify/shops/{shop.domain}/orders",
        ],
    )


def _woocommerce_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--woocommerce-https-port", type=int, default=9443)
    parser.add_argument(
        "--woocommerce-tls-dir",
        type=Path,
        default=Path("var/sandbox-tls"),
        help="Where the generated CA and server certificate are written (trust ca.pem: SSL_CERT_FILE).",
    )


def _start_woocommerce(args: argparse.Namespace, base_url: str) -> Started:
    https_url = f"https://{args.host}:{args.woocommerce_https_port}"
    tls = generate_tls_files(args.woocommerce_tls_dir)
    app = create_woocommerce_app(public_http_url=base_url, public_https_url=https_url, ca_cert=tls.ca_cert)
    sandbox = app.state.sandbox
    secure = woo_shop.create_site(
        sandbox, woo_schemas.SiteCreate(slug="demo", name="Demo Woo Shop"), default_base_url=https_url
    )
    plain = woo_shop.create_site(
        sandbox,
        woo_schemas.SiteCreate(slug="demo-http", scheme="http", name="Demo Woo Shop (http)"),
        default_base_url=base_url,
    )
    lines = [
        f"WooCommerce sandbox on {base_url} and {https_url} (control API: {base_url}/_sandbox/woocommerce, "
        "docs/sandbox-woocommerce.md)",
        f"  trust its CA for https: SSL_CERT_FILE={tls.ca_cert}",
    ]
    for site in (secure, plain):
        key = woo_shop.create_key(site, woo_schemas.KeyCreate())
        lines.append(
            f"  site {site.home_url}: consumer_key={key.consumer_key} consumer_secret={key.consumer_secret}"
        )
    server = {
        "port": args.woocommerce_https_port,
        "ssl_certfile": str(tls.server_cert),
        "ssl_keyfile": str(tls.server_key),
    }
    return Started(app, lines, [server])


def _etsy_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--etsy-keystring", default="printbridgesandbox")
    parser.add_argument("--etsy-shared-secret", default="sandboxsecret")
    parser.add_argument(
        "--etsy-webhook-secret", default="whsec_cHJpbnRicmlkZ2UgZXRzeSBzYW5kYm94IHNpZ25pbmcga2V5"
    )
    parser.add_argument(
        "--etsy-redirect-uri",
        action="append",
        help="a registered OAuth redirect URI (repeatable; default: Printbridge's on 127.0.0.1:8000)",
    )
    parser.add_argument("--etsy-webhook-url", default="http://127.0.0.1:8000/v1/webhooks/etsy")
    parser.add_argument("--etsy-webhook-retry-scale", type=float, default=EtsySettings.webhook_retry_scale)


def _start_etsy(args: argparse.Namespace, base_url: str) -> Started:
    app = create_etsy_app(
        EtsySettings(webhook_retry_scale=args.etsy_webhook_retry_scale), public_url=base_url
    )
    control = app.state.control
    control.register_app(
        etsy_schemas.AppIn(
            keystring=args.etsy_keystring,
            shared_secret=args.etsy_shared_secret,
            webhook_secret=args.etsy_webhook_secret,
            redirect_uris=args.etsy_redirect_uri or ["http://127.0.0.1:8000/v1/connectors/etsy/callback"],
            webhook_url=args.etsy_webhook_url or None,
        )
    )
    user, shop = control.create_seller(etsy_schemas.SellerIn(shop_name="DemoPrintShop"))
    control.state.consent.user_id = user.user_id
    control.create_listing(
        shop,
        etsy_schemas.ListingIn(
            title="Custom city map poster",
            products=[
                etsy_schemas.InventoryProductIn(sku="POSTER-A3-MATT", price=Decimal("19.95")),
                etsy_schemas.InventoryProductIn(sku="POSTER-A2-MATT", price=Decimal("24.95")),
            ],
        ),
    )
    return Started(
        app,
        [
            f"Etsy sandbox on {base_url} (control API: {base_url}/_sandbox/etsy, docs/sandbox-etsy.md)",
            f"  PRINTBRIDGE_ETSY_KEYSTRING={args.etsy_keystring}",
            f"  PRINTBRIDGE_ETSY_SHARED_SECRET={args.etsy_shared_secret}",
            f"  PRINTBRIDGE_ETSY_WEBHOOK_SECRET={args.etsy_webhook_secret}",
            f"  PRINTBRIDGE_ETSY_API_URL={base_url}",
            f"  PRINTBRIDGE_ETSY_CONNECT_URL={base_url}/oauth/connect",
            f"  demo seller {user.user_id} (signed in, consents) with shop {shop.shop_id} {shop.shop_name};",
            f"    place paid orders with POST {base_url}/_sandbox/etsy/shops/{shop.shop_id}/receipts",
        ],
    )


SANDBOXES = [
    Sandbox("shopify", 9101, _start_shopify, _shopify_flags),
    Sandbox("woocommerce", 9102, _start_woocommerce, _woocommerce_flags),
    Sandbox("etsy", 9103, _start_etsy, _etsy_flags),
]


async def _serve(servers: list[uvicorn.Server]) -> None:
    await asyncio.gather(*(server.serve() for server in servers))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m printbridge_sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    for sandbox in SANDBOXES:
        parser.add_argument(f"--{sandbox.name}-port", type=int, default=sandbox.default_port)
        sandbox.add_flags(parser)
    args = parser.parse_args(argv)
    servers = []
    for sandbox in SANDBOXES:
        port = getattr(args, f"{sandbox.name}_port")
        started = sandbox.start(args, f"http://{args.host}:{port}")
        print("\n".join(started.lines), flush=True)
        for options in [{"port": port}, *started.more_servers]:
            config = uvicorn.Config(started.app, host=args.host, log_level="info", **options)
            servers.append(uvicorn.Server(config))
    asyncio.run(_serve(servers))


if __name__ == "__main__":
    main()
