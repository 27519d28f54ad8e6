import json
import uuid

import httpx
import pytest
from sqlalchemy import select

from printbridge_shared.auth.tokens import API_KEY_PREFIX, hash_secret
from printbridge_shared.auth.verifier import INTROSPECT_PATH
from printbridge_shared.events.consumer import Listener
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.pagination import encode_cursor
from printbridge_shared.testing import bearer, eventually
from storefront_auth.api_key import service as api_key_service
from storefront_auth.api_key.exceptions import InvalidApiKeyName
from storefront_auth.models import ApiKey, messaging


async def create(client: httpx.AsyncClient, headers: dict[str, str], name: str = "ERP integration") -> dict:
    response = await client.post("/v1/api-keys", json={"name": name}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def introspect(client: httpx.AsyncClient, key: str) -> httpx.Response:
    return await client.post(INTROSPECT_PATH, json={"key": key})


async def outbox_events(app) -> list[Envelope]:
    async with app.state.db.engine.connect() as connection:
        rows = await connection.execute(select(messaging.outbox.c.envelope).order_by(messaging.outbox.c.seq))
        return [Envelope.model_validate(json.loads(raw)) for raw in rows.scalars()]


def record_events(bus, *event_types: str) -> list[Envelope]:
    seen: list[Envelope] = []

    async def record(_data, envelope: Envelope) -> None:
        seen.append(envelope)

    bus.add_listener(Listener("test", dict.fromkeys(event_types, record)))
    return seen


async def test_create_api_key_shows_the_key_once(client, operator):
    created = await create(client, operator, name="  ERP integration  ")
    assert created["name"] == "ERP integration"
    assert created["key"].startswith(API_KEY_PREFIX)
    uuid.UUID(created["id"])
    listing = (await client.get("/v1/api-keys", headers=operator)).json()
    assert listing["items"] == [
        {
            "id": created["id"],
            "name": "ERP integration",
            "key_hint": created["key"][-4:],
            "created_at": created["created_at"],
            "revoked_at": None,
        }
    ]
    assert created["key"] not in json.dumps(listing)


async def test_api_keys_are_stored_only_as_hashes(app, client, operator):
    created = await create(client, operator)
    async with app.state.db.sessionmaker() as session:
        stored = await session.get(ApiKey, uuid.UUID(created["id"]))
    assert stored.key_hash == hash_secret(created["key"])


async def test_create_records_api_key_created_in_the_outbox(app, client, operator):
    created = await create(client, operator, name="Shop sync")
    events = [e for e in await outbox_events(app) if e.type == "api_key.created"]
    assert [e.data for e in events] == [{"api_key_id": created["id"], "name": "Shop sync"}]
    assert events[0].source == "storefront-auth"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 42}, "name"),
        ({}, "name"),
        ({"name": "ERP", "scopes": ["all"]}, "scopes"),
    ],
)
async def test_invalid_api_key_is_rejected_with_422_naming_the_field(client, operator, body, field):
    response = await client.post("/v1/api-keys", json=body, headers=operator)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert any(error["loc"][-1] == field for error in response.json()["errors"])


async def test_a_new_key_authenticates_as_an_operator(client, operator):
    created = await create(client, operator)
    listing = await client.get("/v1/api-keys", headers=bearer(created["key"]))
    assert listing.status_code == 200


async def test_introspection_answers_id_and_name_of_an_active_key_and_404_otherwise(client, operator):
    created = await create(client, operator, name="Pressero")
    known = await introspect(client, created["key"])
    unknown = await introspect(client, API_KEY_PREFIX + "x" * 43)
    assert known.status_code == 200
    assert known.json() == {"api_key_id": created["id"], "name": "Pressero"}
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("length", [201, 5000])
async def test_an_overlong_api_key_is_refused_with_401_like_any_wrong_key(client, length):
    response = await client.get("/v1/auth/me", headers=bearer(API_KEY_PREFIX + "a" * length))
    assert response.status_code == 401, response.text
    assert "unknown or revoked" in response.json()["detail"]
    assert (await introspect(client, API_KEY_PREFIX + "a" * length)).status_code == 404


async def test_introspection_rejects_unknown_fields_and_is_not_in_the_openapi_document(client):
    response = await client.post(INTROSPECT_PATH, json={"key": "pbk_x", "extra": 1})
    assert response.status_code == 422
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not any(path.startswith("/internal") for path in paths)


async def test_revoked_key_is_refused_by_introspection_at_once_and_announced(app, client, operator, bus):
    seen = record_events(bus, "api_key.revoked")
    created = await create(client, operator)
    headers = {**operator, "X-Request-ID": "req-revoke"}

    response = await client.delete(f"/v1/api-keys/{created['id']}", headers=headers)

    assert response.status_code == 204
    assert (await introspect(client, created["key"])).status_code == 404
    revoked = [e for e in await outbox_events(app) if e.type == "api_key.revoked"]
    assert [e.data for e in revoked] == [{"api_key_id": created["id"]}]
    assert revoked[0].correlation_id == "req-revoke"
    await eventually(lambda: len(seen) == 1)
    assert seen[0].data == {"api_key_id": created["id"]}


async def test_revoked_key_no_longer_authenticates(client, operator, bus):
    seen = record_events(bus, "api_key.revoked")
    created = await create(client, operator)
    key_headers = bearer(created["key"])
    assert (await client.get("/v1/auth/me", headers=key_headers)).status_code == 200

    await client.delete(f"/v1/api-keys/{created['id']}", headers=operator)
    await eventually(lambda: len(seen) == 1)

    assert (await client.get("/v1/auth/me", headers=key_headers)).status_code == 401
    listed = (await client.get("/v1/api-keys", headers=operator)).json()["items"]
    assert listed[0]["revoked_at"] is not None


async def test_revoking_twice_is_harmless_and_announced_once(app, client, operator):
    created = await create(client, operator)
    for _ in range(2):
        assert (await client.delete(f"/v1/api-keys/{created['id']}", headers=operator)).status_code == 204
    assert [e.type for e in await outbox_events(app)].count("api_key.revoked") == 1


async def test_revoking_an_unknown_key_is_404(client, operator):
    response = await client.delete(f"/v1/api-keys/{uuid.uuid4()}", headers=operator)
    assert response.status_code == 404
    assert response.json()["type"].endswith("api-key-not-found")


async def test_malformed_api_key_id_is_422_naming_the_path_parameter(client, operator):
    response = await client.delete("/v1/api-keys/not-a-uuid", headers=operator)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "api_key_id"]


async def test_list_pages_through_all_keys_newest_first(client, operator):
    for index in range(7):
        await create(client, operator, name=f"Key {index}")
    names, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/api-keys", params=params, headers=operator)).json()
        names += [k["name"] for k in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == [f"Key {index}" for index in reversed(range(7))]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 201},
        {"limit": "many"},
        {"cursor": "garbage!"},
        {"cursor": encode_cursor(["yesterday", str(uuid.uuid4())])},
        {"cursor": encode_cursor(["2026-11-27T10:00:00+00:00", "not-a-uuid"])},
        {"cursor": encode_cursor(["2026-11-27T10:00:00", str(uuid.uuid4())])},
    ],
)
async def test_bad_list_parameters_are_422(client, operator, params):
    response = await client.get("/v1/api-keys", params=params, headers=operator)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][0] == "query"


async def test_create_api_key_for_the_cli_returns_the_record_and_the_key(app, client):
    async with app.state.db.session() as session:
        api_key, key = await api_key_service.create_api_key(session, app.state.outbox, name=" CLI key ")
    assert (api_key.name, api_key.key_hash, api_key.key_hint) == ("CLI key", hash_secret(key), key[-4:])
    assert (await introspect(client, key)).json() == {"api_key_id": str(api_key.id), "name": "CLI key"}


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
async def test_create_api_key_for_the_cli_rejects_bad_names(app, client, name):
    with pytest.raises(InvalidApiKeyName):
        async with app.state.db.session() as session:
            await api_key_service.create_api_key(session, app.state.outbox, name=name)
