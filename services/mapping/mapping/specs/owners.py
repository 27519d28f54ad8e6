"""Who holds design files, and how each kind of owner hears about them: after a check of one of its files
came to another result (`checked`), and after a catalog product changed (`product_changed`), each in
the transaction of that change, so the owner records its new status and its event with it."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from mapping.models import CatalogProduct
from printbridge_shared.events.outbox import Outbox


@dataclass(frozen=True)
class OwnerHooks:
    checked: Callable[[AsyncSession, Outbox, uuid.UUID], Awaitable[None]]
    product_changed: Callable[[AsyncSession, Outbox, CatalogProduct], Awaitable[None]]


OWNERS: dict[str, OwnerHooks] = {}


def register(kind: str, hooks: OwnerHooks) -> None:
    """Called once per kind when its package is imported (`template`; later `mapping`)."""
    OWNERS[kind] = hooks


async def file_checked(session: AsyncSession, outbox: Outbox, kind: str, owner_id: uuid.UUID) -> None:
    hooks = OWNERS.get(kind)
    if hooks is None:
        raise LookupError(f"no owner kind '{kind}' is registered (mapping.specs.owners.register)")
    await hooks.checked(session, outbox, owner_id)


async def product_changed(session: AsyncSession, outbox: Outbox, product: CatalogProduct) -> None:
    for hooks in OWNERS.values():
        await hooks.product_changed(session, outbox, product)
