"""What mapping's endpoints depend on: the request's unit of work, the outbox, the settings, the caller,
and for design files the file store and their download links. Endpoints authorise with
`Requires(Permission.…)` from the shared permission model (docs/decisions/0005); the catalog is the
producer's own record, so operators (`producer:manage`) write it and every signed-in caller reads it; a
customer's templates and design files need `products:read` / `products:manage`."""

from typing import Annotated

from fastapi import Depends, Request

from mapping.config import Settings
from mapping.files.links import FileLinks
from mapping.files.storage import FileStore
from printbridge_shared.auth.dependencies import CurrentPrincipal, OperatorPrincipal, Requires
from printbridge_shared.auth.permissions import Permission
from printbridge_shared.auth.principal import Principal
from printbridge_shared.deps import OutboxDep, ReadSessionDep, SessionDep


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]
ProductsReader = Annotated[Principal, Depends(Requires(Permission.products_read))]
"""Operators, and a customer's admin, store manager and viewer (order managers get 403)."""
ProductsManager = Annotated[Principal, Depends(Requires(Permission.products_manage))]
"""Operators, and a customer's admin and store manager (viewers and order managers get 403)."""


async def _file_store(request: Request) -> FileStore:
    store: FileStore = request.app.state.file_store
    return store


async def _file_links(request: Request) -> FileLinks:
    links: FileLinks = request.app.state.file_links
    return links


FileStoreDep = Annotated[FileStore, Depends(_file_store)]
FileLinksDep = Annotated[FileLinks, Depends(_file_links)]

__all__ = [
    "CurrentPrincipal",
    "FileLinksDep",
    "FileStoreDep",
    "OperatorPrincipal",
    "OutboxDep",
    "ProductsManager",
    "ProductsReader",
    "ReadSessionDep",
    "Requires",
    "SessionDep",
    "SettingsDep",
]
