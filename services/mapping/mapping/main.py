from pathlib import Path

from fastapi import FastAPI

from mapping.catalog.endpoints import router as catalog_router
from mapping.config import Settings
from mapping.files.endpoints import router as files_router
from mapping.files.links import FileLinks
from mapping.files.storage import file_store
from mapping.messaging.topology import consumers
from mapping.models import jobs, messaging
from mapping.product_draft.endpoints import router as product_draft_router
from mapping.product_import import jobs as product_import_jobs
from mapping.product_import.endpoints import router as product_import_router
from mapping.shop_product.endpoints import router as shop_product_router
from mapping.specs import jobs as design_file_jobs
from mapping.template.endpoints import router as template_router
from mapping.variant_mapping.endpoints import router as variant_mapping_router
from printbridge_shared.app import Runtime, ServiceParts, build_service_app
from printbridge_shared.outbound import guarded_client
from printbridge_shared.secret_keys import load_keys

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or Settings()
    # Design files are addresses users give: fetched only through the guarded client.
    http = guarded_client(allow_private=settings.allow_private_urls)
    store = file_store(settings)
    configured = settings.secret_keys.get_secret_value() if settings.secret_keys else None
    links = FileLinks(load_keys(configured, settings.data_dir), settings.public_url)
    app = build_service_app(
        ServiceParts(
            name="mapping",
            title="Printbridge mapping",
            description="The producer's catalog, synced shop products and their mappings, design files.",
            settings=settings,
            tables=messaging,
            jobs=jobs,
            migrations_dir=MIGRATIONS,
            routers=[
                catalog_router,
                shop_product_router,
                product_import_router,
                variant_mapping_router,
                product_draft_router,
                template_router,
                files_router,
            ],
            consumers=consumers,
            job_handlers=lambda db, outbox: (
                design_file_jobs.handlers(http, outbox)
                | product_import_jobs.handlers(db, outbox, allow_private=settings.allow_private_urls)
            ),
            schedules=design_file_jobs.schedules(settings.design_file_recheck_interval_s),
            closers=[http.aclose, store.aclose],
            tags=[
                {"name": "catalog", "description": "The producer's production catalog."},
                {
                    "name": "templates",
                    "description": "Customers' saved product configurations with checked design files.",
                },
                {
                    "name": "shop products",
                    "description": "Connected shops' products and variants and their mappings to production.",
                },
                {"name": "files", "description": "Uploaded design files and their download addresses."},
            ],
        ),
        runtime or Runtime.distributed(settings),
    )
    app.state.file_store = store
    app.state.file_links = links
    return app
