from pathlib import Path

from fastapi import FastAPI

from connectors.config import Settings
from connectors.messaging.topology import consumers
from connectors.models import jobs, messaging
from printbridge_shared.app import Runtime, ServiceParts, build_service_app

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or Settings()
    return build_service_app(
        ServiceParts(
            name="connectors",
            title="Printbridge connectors",
            description="Stores per platform: connect flows, credentials, webhooks, sync, fulfilment push.",
            settings=settings,
            tables=messaging,
            jobs=jobs,
            migrations_dir=MIGRATIONS,
            routers=[],
            consumers=consumers,
        ),
        runtime or Runtime.distributed(settings),
    )
