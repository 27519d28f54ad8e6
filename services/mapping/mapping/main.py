from pathlib import Path

from fastapi import FastAPI

from mapping.catalog.endpoints import router as catalog_router
from mapping.config import Settings
from mapping.messaging.topology import consumers
from mapping.models import jobs, messaging
from mapping.specs import jobs as design_file_jobs
from mapping.template.endpoints import router as template_router
from printbridge_shared.app import Runtime, ServiceParts, build_service_app
from printbridge_shared.outbound import guarded_client

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or Settings()
    # Design files are addresses users give: fetched only through the guarded client.
    http = guarded_client(allow_private=settings.allow_private_urls)
    return build_service_app(
        ServiceParts(
            name="mapping",
            title="Printbridge mapping",
            description="The producer's catalog, synced shop products and their mappings.",
            settings=settings,
            tables=messaging,
            jobs=jobs,
            migrations_dir=MIGRATIONS,
            routers=[catalog_router, template_router],
            consumers=consumers,
            job_handlers=lambda _db, outbox: design_file_jobs.handlers(http, outbox),
            schedules=design_file_jobs.schedules(settings.design_file_recheck_interval_s),
            closers=[http.aclose],
            tags=[
                {"name": "catalog", "description": "The producer's production catalog."},
                {
                    "name": "templates",
                    "description": "Customers' saved product configurations with checked design files.",
                },
            ],
        ),
        runtime or Runtime.distributed(settings),
    )
