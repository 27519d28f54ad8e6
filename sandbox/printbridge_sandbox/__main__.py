"""`python -m printbridge_sandbox` (`make sandbox`): starts the platform sandboxes on 127.0.0.1, seeds each
with an app and a demo shop, and prints the settings that point Printbridge at them.

A further platform adds one `Sandbox` entry to `SANDBOXES` (its port flag, its app factory, its seeding)."""

import argparse
import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import uvicorn
from fastapi import FastAPI

from printbridge_sandbox.shopify.app import create_app as create_shopify_app
from printbridge_sandbox.shopify.control import AppIn, Control, ProductIn, ShopIn, VariantIn
from printbridge_sandbox.shopify.settings import ShopifySettings


@dataclass
class Sandbox:
    name: str
    default_port: int
    # Builds the app from the parsed flags, seeds it, and returns it with the lines to print.
    start: Callable[[argparse.Namespace, str], tuple[FastAPI, list[str]]]
    add_flags: Callable[[argparse.ArgumentParser], None] = lambda _parser: None


def _shopify_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--shopify-client-id", default="printbridge-sandbox")
    parser.add_argument("--shopify-client-secret", default="shpss_sandbox_secret_change_me")
    parser.add_argument("--shopify-shop", default="demo.myshopify.com")
    parser.add_argument(
        "--shopify-webhook-retry-base", type=float, default=ShopifySettings.webhook_retry_base_seconds
    )
    parser.add_argument("--shopify-restore-rate", type=float, default=ShopifySettings.restore_rate)


def _start_shopify(args: argparse.Namespace, base_url: str) -> tuple[FastAPI, list[str]]:
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
    return app, [
        f"Shopify sandbox on {base_url} (control API: {base_url}/_sandbox/shopify, docs/sandbox.md)",
        f"  PRINTBRIDGE_SHOPIFY_ADMIN_URL={base_url}/shops/{{shop}}",
        f"  PRINTBRIDGE_SHOPIFY_CLIENT_ID={args.shopify_client_id}",
        f"  PRINTBRIDGE_SHOPIFY_CLIENT_SECRET={args.shopify_client_secret}",
        f"  demo shop: {shop.domain} (2 products); place orders with",
        f"    POST {base_url}/_sandbox/shopify/shops/{shop.domain}/orders",
    ]


SANDBOXES = [Sandbox("shopify", 9101, _start_shopify, _shopify_flags)]


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
        app, lines = sandbox.start(args, f"http://{args.host}:{port}")
        print("\n".join(lines), flush=True)
        servers.append(uvicorn.Server(uvicorn.Config(app, host=args.host, port=port, log_level="info")))
    asyncio.run(_serve(servers))


if __name__ == "__main__":
    main()
