"""Where each service's app factory and settings live, by the route table's service names."""

import importlib
from typing import Any

from fastapi import FastAPI

from printbridge_shared.app import Runtime
from printbridge_shared.routes import SERVICES, SERVICES_BY_NAME


def settings_for(name: str, **overrides: Any) -> Any:
    package = SERVICES_BY_NAME[name].package
    return importlib.import_module(f"{package}.config").Settings(**overrides)


def create_service_app(name: str, settings: Any, runtime: Runtime | None) -> FastAPI:
    package = SERVICES_BY_NAME[name].package
    app: FastAPI = importlib.import_module(f"{package}.main").create_app(settings, runtime)
    return app


def migrations_dir(name: str) -> Any:
    return importlib.import_module(f"{SERVICES_BY_NAME[name].package}.main").MIGRATIONS


def messaging_tables_of(name: str) -> Any:
    """The service's outbox, inbox and dead-letter tables (`<package>.models.messaging`)."""
    return importlib.import_module(f"{SERVICES_BY_NAME[name].package}.models").messaging


SERVICE_NAMES = tuple(s.name for s in SERVICES)
