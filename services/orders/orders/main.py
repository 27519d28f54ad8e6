from pathlib import Path

from fastapi import FastAPI

from orders.config import Settings
from orders.files import jobs as file_jobs
from orders.files.endpoints import router as files_router
from orders.imports.endpoints import router as import_router
from orders.imports.jobs import job_handlers as import_jobs
from orders.lifecycle.endpoints import router as lifecycle_router
from orders.manual.endpoints import router as manual_router
from orders.messaging.topology import consumers
from orders.models import jobs, messaging
from orders.order.endpoints import router as order_router
from orders.postbacks import jobs as postback_jobs
from orders.postbacks.endpoints import router as postbacks_router
from orders.postbacks.secrets import SecretBox
from orders.production.endpoints import router as production_router
from orders.resolution import jobs as resolution_jobs
from orders.routing.endpoints import router as routing_router
from printbridge_shared.app import Runtime, ServiceParts, build_service_app
from printbridge_shared.outbound import guarded_client

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or Settings()
    http = guarded_client(allow_private=settings.allow_private_urls)
    box = SecretBox(settings)
    app = build_service_app(
        ServiceParts(
            name="orders",
            title="Printbridge orders",
            description="Order intake, resolution through mappings, file checks, routing and status.",
            settings=settings,
            tables=messaging,
            jobs=jobs,
            migrations_dir=MIGRATIONS,
            routers=[
                order_router,
                lifecycle_router,
                files_router,
                manual_router,
                import_router,
                production_router,
                routing_router,
                postbacks_router,
            ],
            consumers=consumers,
            job_handlers=lambda db, outbox: {
                **import_jobs(db, outbox, allow_private=settings.allow_private_urls),
                **file_jobs.handlers(http, outbox),
                **resolution_jobs.handlers(outbox),
                **postback_jobs.handlers(http, box, settings.postback_timeout_s),
            },
            schedules=[
                *file_jobs.schedules(settings.design_file_recheck_interval_s),
                *resolution_jobs.schedules(settings.resolution_sweep_interval_s),
                *postback_jobs.schedules(),
            ],
            closers=[http.aclose],
            tags=[
                {
                    "name": "orders",
                    "description": "The shop orders of every connected store, with their history.",
                },
                {
                    "name": "production",
                    "description": "For the producer's MIS: orders to make, claiming them, their steps.",
                },
                {
                    "name": "order imports",
                    "description": "CSV files of orders for manual stores, imported in the background.",
                },
                {
                    "name": "routing",
                    "description": "The producer's production lines and the rules that decide which line "
                    "an order goes to, with a dry run that explains the decision (operators and API keys).",
                },
                {
                    "name": "postbacks",
                    "description": "The producer's systems that receive every order status change, signed "
                    "(Standard Webhooks), with their delivery log and health (operators and API keys).",
                },
            ],
        ),
        runtime or Runtime.distributed(settings),
    )
    app.state.postback_secrets = box
    app.state.postback_http = http
    return app
