from pathlib import Path

from fastapi import FastAPI

from connectors.config import Settings
from connectors.fulfilment import jobs as fulfilment_jobs
from connectors.intake import jobs as intake_jobs
from connectors.messaging.topology import consumers
from connectors.models import jobs, messaging
from connectors.platforms.context import Platforms
from connectors.platforms.etsy.endpoints import router as etsy_router
from connectors.platforms.pressero import jobs as pressero_jobs
from connectors.platforms.pressero.endpoints import router as pressero_webhooks
from connectors.platforms.shopify.endpoints import router as shopify_router
from connectors.platforms.woocommerce import jobs as woocommerce_jobs
from connectors.platforms.woocommerce.endpoints import router as woocommerce_webhooks
from connectors.products import jobs as product_jobs
from connectors.store import jobs as store_jobs
from connectors.store.endpoints import router as stores_router
from printbridge_shared.app import Runtime, ServiceParts, build_service_app

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or Settings()
    platforms = Platforms(settings)
    app = build_service_app(
        ServiceParts(
            name="connectors",
            title="Printbridge connectors",
            description="Stores per platform: connect flows, credentials, webhooks, sync, fulfilment push.",
            settings=settings,
            tables=messaging,
            jobs=jobs,
            migrations_dir=MIGRATIONS,
            routers=[stores_router, shopify_router, woocommerce_webhooks, pressero_webhooks, etsy_router],
            consumers=consumers,
            job_handlers=lambda db, outbox: {
                **store_jobs.handlers(platforms, db, outbox),
                **woocommerce_jobs.handlers(platforms, db, outbox),
                **pressero_jobs.handlers(platforms, db, outbox),
                **intake_jobs.handlers(platforms, db, outbox),
                **product_jobs.handlers(platforms, db, outbox),
                **fulfilment_jobs.handlers(platforms, db, outbox),
            },
            schedules=[
                *store_jobs.schedules(settings.reconcile_interval_s),
                *product_jobs.schedules(settings.product_sync_interval_s),
            ],
            closers=[platforms.close],
            tags=[
                {"name": "stores", "description": "Shops connected per platform, their health and history."},
                {"name": "webhooks", "description": "Platforms' webhook deliveries, signed by the platform."},
            ],
        ),
        runtime or Runtime.distributed(settings),
    )
    app.state.platforms = platforms
    return app
