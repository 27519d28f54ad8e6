"""The envelope stays readable for events recorded before aggregates had versions."""

import json

from printbridge_shared.events.envelope import Envelope, is_newer


def test_an_envelope_recorded_before_versions_existed_still_parses_without_an_aggregate():
    recorded = {
        "id": "5da69c05-6498-46e7-932d-e1987c429d3d",
        "type": "customer.created",
        "version": 1,
        "occurred_at": "2026-11-27T13:07:12+00:00",
        "source": "customers",
        "customer_id": None,
        "correlation_id": "req-1",
        "data": {"name": "Acme"},
    }

    envelope = Envelope.model_validate(json.loads(json.dumps(recorded)))

    assert (envelope.aggregate_id, envelope.aggregate_version) == (None, None)


def test_only_a_newer_version_is_news_and_an_unversioned_event_always_is():
    assert is_newer(3, held_version=2)
    assert not is_newer(2, held_version=2)
    assert not is_newer(1, held_version=2)
    assert is_newer(None, held_version=7)
