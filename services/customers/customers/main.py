from pathlib import Path

from fastapi import FastAPI

from customers.config import Settings
from customers.customer.endpoints import router as customer_router
from customers.messaging.topology import consumers
from customers.models import jobs, messaging
from customers.storefront_access.endpoints import router as storefront_access_router
from printbridge_shared.app import Runtime, ServiceParts, build_service_app

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or Settings()
    return build_service_app(
        ServiceParts(
            name="customers",
            title="Printbridge customers",
            description="The producer's customers and their Storefront-access status.",
            settings=settings,
            tables=messaging,
            jobs=jobs,
            migrations_dir=MIGRATIONS,
            routers=[customer_router, storefront_access_router],
            consumers=consumers,
            tags=[
                {"name": "customers", "description": "Create, find, change and archive customers."},
                {
                    "name": "storefront access",
                    "description": "Turn a customer's Storefronts access on or off; follow the invitation.",
                },
            ],
        ),
        runtime or Runtime.distributed(settings),
    )
