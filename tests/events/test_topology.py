"""The shared table of consumer groups is the truth every queue is declared from: each service's
consumers handle exactly the event types its groups bind, and every bound type has a contract."""

import re
from pathlib import Path

import pytest

from printbridge.config import GatewaySettings
from printbridge.dead_letters import service_consumers
from printbridge.embedded import build_embedded
from printbridge.services import SERVICE_NAMES, settings_for
from printbridge_shared.app import Runtime
from printbridge_shared.db import Database
from printbridge_shared.events.contracts import CONTRACTS
from printbridge_shared.events.topology import CONSUMER_GROUPS, groups_of


@pytest.mark.parametrize("service", SERVICE_NAMES)
async def test_a_services_consumers_handle_exactly_the_event_types_its_groups_bind(service, tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'service.db'}")
    try:
        registered = {c.name: frozenset(c.handlers) for c in service_consumers(service, db)}
    finally:
        await db.dispose()

    assert registered == {group.name: group.event_types for group in groups_of(service)}


def test_every_group_belongs_to_a_service_and_binds_only_contracted_event_types():
    contracted = {event_type for event_type, _version in CONTRACTS}
    for group in CONSUMER_GROUPS:
        assert group.service in SERVICE_NAMES
        assert group.event_types <= contracted, group.name


def test_group_names_are_unique():
    names = [group.name for group in CONSUMER_GROUPS]
    assert len(names) == len(set(names))


def test_docs_list_every_group_with_exactly_its_bindings():
    events_md = (Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text()
    rows = {
        cells[0].strip("` "): cells[2]
        for line in events_md.splitlines()
        if line.startswith("| `")
        for cells in [line.strip("|").split("|")]
        if len(cells) == 3
    }
    for group in CONSUMER_GROUPS:
        assert set(re.findall(r"`([^`]+)`", rows[group.name])) == group.event_types, group.name


async def test_both_run_modes_route_and_declare_by_the_table(tmp_path):
    embedded = build_embedded(GatewaySettings(data_dir=tmp_path))
    distributed = Runtime.distributed(settings_for("customers"))
    try:
        assert embedded.apps["customers"].state.runtime.bus.groups == CONSUMER_GROUPS
        assert distributed.bus.groups == CONSUMER_GROUPS
    finally:
        await embedded.apps["customers"].state.runtime.auth_http.aclose()
        await distributed.auth_http.aclose()
