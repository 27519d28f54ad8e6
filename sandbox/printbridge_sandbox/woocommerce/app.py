"""The WooCommerce sandbox: many WordPress + WooCommerce shops in one server.

A shop lives at `{base}/sites/{slug}` (its home URL, what a user gives Printbridge); its REST API at
`{home}/wp-json/wc/v3/…`. Tests drive it through `/_sandbox/woocommerce/…` (see
docs/sandbox-woocommerce.md). Serve the same app over HTTP and, with `tls.generate_tls_files()`,
over HTTPS: a site's scheme decides which one it answers on."""

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response

from printbridge_sandbox.woocommerce import rest
from printbridge_sandbox.woocommerce.control import PublicUrls, control_router
from printbridge_sandbox.woocommerce.deliveries import Deliverer
from printbridge_sandbox.woocommerce.state import Sandbox
from printbridge_shared.errors import install_error_handlers

SITE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def create_app(
    *,
    public_http_url: str | None = None,
    public_https_url: str | None = None,
    ca_cert: Path | None = None,
    delivery_timeout_s: float = 60.0,
    outbound_ca: Path | None = None,
) -> FastAPI:
    """`public_http_url`/`public_https_url`: how clients reach this server over each scheme (e.g.
    http://127.0.0.1:9102 and https://127.0.0.1:9443); a new site's home URL is built on the one of its
    scheme, else on the address the control call came to. `ca_cert` is served at
    `/_sandbox/woocommerce/ca.pem`. `delivery_timeout_s`: how long a webhook delivery may take (60 s
    in WooCommerce). `outbound_ca`: the CA that outgoing HTTPS (webhooks, wc-auth callbacks) trusts
    instead of the system's (SSL_CERT_FILE works too)."""
    sandbox = Sandbox()
    verify = ssl.create_default_context(cafile=str(outbound_ca)) if outbound_ca else True
    deliverer = Deliverer(timeout_s=delivery_timeout_s, verify=verify)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await deliverer.start()
        try:
            yield
        finally:
            for site in sandbox.sites.values():
                site.unhang.set()
            await deliverer.stop()

    app = FastAPI(title="Printbridge sandbox: WooCommerce", lifespan=lifespan)
    app.state.sandbox = sandbox
    app.state.deliverer = deliverer
    install_error_handlers(app)
    app.include_router(
        control_router(sandbox, deliverer, PublicUrls(public_http_url, public_https_url), ca_cert)
    )

    @app.api_route("/sites/{slug}", methods=SITE_METHODS, include_in_schema=False)
    async def site_home(slug: str, request: Request) -> Response:
        return await rest.serve(request, sandbox, deliverer, slug, "")

    @app.api_route("/sites/{slug}/{path:path}", methods=SITE_METHODS, include_in_schema=False)
    async def site_path(slug: str, path: str, request: Request) -> Response:
        return await rest.serve(request, sandbox, deliverer, slug, path)

    return app
