"""Projections: what a service keeps of another service's aggregate, from its events. A snapshot is kept
unless the one held is as new or newer, in one statement (insert, or update where newer), so replicas
handling two snapshots at once keep the newer whatever the order."""

from typing import Any

from sqlalchemy import Table, true
from sqlalchemy.ext.asyncio import AsyncSession

from printbridge_shared.db import upsert_insert


async def keep_if_newer(
    session: AsyncSession,
    table: Table,
    key: str,
    values: dict[str, Any],
    *,
    version: int | None,
    version_column: str = "version",
    time_column: str | None = "updated_at",
) -> bool:
    """Inserts the snapshot `values` (with `version`, the envelope's `aggregate_version`), or updates the
    row of the same `key` when the snapshot is newer: a higher version, or — for an event from before
    versions existed (None) — a later `time_column` (without one, any snapshot). True when kept."""
    insert = upsert_insert(session.get_bind().dialect.name, table).values(
        **values, **{version_column: version or 0}
    )
    changed = [column for column in values if column != key]
    if version is not None:
        changed.append(version_column)
        newer = table.c[version_column] < insert.excluded[version_column]
    elif time_column is not None:
        newer = table.c[time_column] < insert.excluded[time_column]
    else:
        newer = true()
    statement = insert.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={column: insert.excluded[column] for column in changed},
        where=newer,
    ).returning(table.c[key])
    return await session.scalar(statement) is not None
