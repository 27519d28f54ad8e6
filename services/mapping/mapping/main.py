from pathlib import Path

from fastapi import FastAPI

from mapping.catalog.endpoints import router as catalog_router
from mapping.config import Settings
from mapping.messaging.topology import consumers
from mapping.models import jobs, messaging
from printbridge_shared.app import Runtime, ServiceParts, build_service_app

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or Settings()
    return build_service_app(
        ServiceParts(
            name="mapping",
            title="Printbridge mapping",
            description="The producer's catalog, synced shop products and their mappings.",
            settings=settings,
            tables=messaging,
            jobs=jobs,
            migrations_dir=MIGRATIONS,
            routers=[catalog_router],
            consumers=consumers,
        ),
        runtime or Runtime.distributed(settings),
    )
