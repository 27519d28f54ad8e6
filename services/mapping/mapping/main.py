from pathlib import Path

from fastapi import FastAPI

from mapping.catalog.endpoints import router as catalog_router
from mapping.config import Settings
from mapping.files.endpoints import router as files_router
from mapping.files.links import FileLinks
from mapping.files.storage import file_store
from mapping.messaging.topology import consumers
from mapping.models import jobs, messaging
from printbridge_shared.app import Runtime, ServiceParts, build_service_app
from printbridge_shared.secret_keys import load_keys

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or Settings()
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
            routers=[catalog_router, files_router],
            consumers=consumers,
            closers=[store.aclose],
        ),
        runtime or Runtime.distributed(settings),
    )
    app.state.file_store = store
    app.state.file_links = links
    return app
