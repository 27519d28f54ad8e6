import asyncio
import uuid

import httpx
import jwt
import pytest

from printbridge_shared.events.consumer import Listener
from printbridge_shared.events.envelope import Envelope
from printbridge_shared.testing import AuthKeys, bearer, eventually


async def create(client: httpx.AsyncClient, headers: dict[str, str], **body: object) -> httpx.Response:
    return await client.post("/v1/customers", json={"name": "Acme Prints", **body}, headers=headers)


async def test_create_customer_returns_201_with_storefront_access_off(client, operator):
    response = await create(
        client, operator, name="  Acme Prints  ", reference_id="ACME-1", description="B2B"
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["name"] == "Acme Prints"
    assert body["reference_id"] == "ACME-1"
    assert body["archived"] is False
    assert body["storefront_access"] == {"enabled": False, "invitation_status": "not_invited"}
    uuid.UUID(body["id"])


async def test_created_customer_can_be_fetched_by_id(client, operator):
    created = (await create(client, operator, reference_id="R1")).json()
    response = await client.get(f"/v1/customers/{created['id']}", headers=operator)
    assert response.status_code == 200
    assert response.json() == created


async def test_unknown_customer_is_404_problem(client, operator):
    response = await client.get(f"/v1/customers/{uuid.uuid4()}", headers=operator)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("customer-not-found")


async def test_malformed_customer_id_is_422_naming_the_path_parameter(client, operator):
    response = await client.get("/v1/customers/not-a-uuid", headers=operator)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "customer_id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": 42}, "name"),
        ({}, "name"),
        ({"name": "A", "reference_id": "has space"}, "reference_id"),
        ({"name": "A", "reference_id": ""}, "reference_id"),
        ({"name": "A", "reference_id": "x" * 65}, "reference_id"),
        ({"name": "A", "reference_id": "ümlaut"}, "reference_id"),
        ({"name": "A", "description": "d" * 2001}, "description"),
        ({"name": "A", "colour": "red"}, "colour"),
    ],
)
async def test_invalid_customer_is_rejected_with_422_naming_the_field(client, operator, body, field):
    response = await client.post("/v1/customers", json=body, headers=operator)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["status"] == 422
    assert any(error["loc"][-1] == field for error in problem["errors"]), problem


async def test_malformed_json_is_422_not_500(client, operator):
    response = await client.post(
        "/v1/customers", content=b'{"name": "Acme"', headers={**operator, "content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["errors"][0]["msg"]


async def test_oversized_body_is_413(client, operator):
    response = await client.post(
        "/v1/customers",
        content=b'{"name": "' + b"a" * 2_000_000 + b'"}',
        headers={**operator, "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["title"] == "Payload too large"


async def test_duplicate_reference_id_is_rejected_with_409_naming_the_existing_customer(client, operator):
    first = (await create(client, operator, reference_id="ACME-1")).json()
    response = await create(client, operator, name="Other", reference_id="acme-1")
    assert response.status_code == 409
    assert response.json()["existing_customer_id"] == first["id"]
    assert first["id"] in response.json()["detail"]


async def test_concurrent_creates_with_one_reference_id_exactly_one_wins(client, operator):
    responses = await asyncio.gather(*(create(client, operator, reference_id="RACE") for _ in range(8)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 7
    listing = await client.get("/v1/customers", params={"query": "race"}, headers=operator)
    assert len(listing.json()["items"]) == 1


async def test_search_is_case_insensitive_on_name_and_reference_id(client, operator):
    await create(client, operator, name="Blue Banana Ltd", reference_id="BB-7")
    await create(client, operator, name="Green Apple", reference_id="GA-1")
    await create(client, operator, name="100% Cotton_Shirts")
    by_name = await client.get("/v1/customers", params={"query": "BANANA"}, headers=operator)
    by_reference = await client.get("/v1/customers", params={"query": "ga-"}, headers=operator)
    with_wildcards = await client.get("/v1/customers", params={"query": "0% c"}, headers=operator)
    literal_percent = await client.get("/v1/customers", params={"query": "%"}, headers=operator)
    assert [c["name"] for c in by_name.json()["items"]] == ["Blue Banana Ltd"]
    assert [c["name"] for c in by_reference.json()["items"]] == ["Green Apple"]
    assert [c["name"] for c in with_wildcards.json()["items"]] == ["100% Cotton_Shirts"]
    assert [c["name"] for c in literal_percent.json()["items"]] == ["100% Cotton_Shirts"]


async def test_list_pages_through_all_customers_by_name(client, operator):
    for index in range(7):
        await create(client, operator, name=f"Customer {index}")
    names, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/customers", params=params, headers=operator)).json()
        names += [c["name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == [f"Customer {index}" for index in range(7)]


NOT_A_UUID_CURSOR = "WyJhIiwibm90LWEtdXVpZCJd"  # ["a","not-a-uuid"]


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 201}, {"limit": "many"}, {"cursor": "garbage!"}, {"cursor": NOT_A_UUID_CURSOR}],
)
async def test_bad_list_parameters_are_422(client, operator, params):
    response = await client.get("/v1/customers", params=params, headers=operator)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][0] == "query"


async def test_patch_changes_only_the_fields_sent(client, operator):
    created = (await create(client, operator, reference_id="P-1", description="old")).json()
    response = await client.patch(
        f"/v1/customers/{created['id']}", json={"description": "new"}, headers=operator
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["reference_id"], body["description"]) == ("Acme Prints", "P-1", "new")
    assert body["updated_at"] > created["updated_at"]


async def test_patch_can_clear_reference_id_but_not_name(client, operator):
    created = (await create(client, operator, reference_id="P-2")).json()
    cleared = await client.patch(
        f"/v1/customers/{created['id']}", json={"reference_id": None}, headers=operator
    )
    null_name = await client.patch(f"/v1/customers/{created['id']}", json={"name": None}, headers=operator)
    assert cleared.json()["reference_id"] is None
    assert null_name.status_code == 422


async def test_patch_to_a_taken_reference_id_is_409(client, operator):
    await create(client, operator, reference_id="TAKEN")
    other = (await create(client, operator, name="Other")).json()
    response = await client.patch(
        f"/v1/customers/{other['id']}", json={"reference_id": "TAKEN"}, headers=operator
    )
    assert response.status_code == 409


async def test_patch_rejects_unknown_fields(client, operator):
    created = (await create(client, operator)).json()
    response = await client.patch(f"/v1/customers/{created['id']}", json={"archived": True}, headers=operator)
    assert response.status_code == 422


async def test_archived_customer_is_hidden_from_lists_and_keeps_its_reference_id(client, operator):
    created = (await create(client, operator, reference_id="GONE")).json()
    assert (await client.delete(f"/v1/customers/{created['id']}", headers=operator)).status_code == 204
    default = (await client.get("/v1/customers", headers=operator)).json()["items"]
    everything = (
        await client.get("/v1/customers", params={"include_archived": True}, headers=operator)
    ).json()
    assert default == []
    assert [c["id"] for c in everything["items"]] == [created["id"]]
    assert everything["items"][0]["archived"] is True
    assert (await create(client, operator, reference_id="GONE")).status_code == 409
    fetched = await client.get(f"/v1/customers/{created['id']}", headers=operator)
    assert fetched.json()["archived"] is True


async def test_archiving_twice_is_harmless_and_archived_customers_cannot_be_changed(client, operator):
    created = (await create(client, operator)).json()
    await client.delete(f"/v1/customers/{created['id']}", headers=operator)
    assert (await client.delete(f"/v1/customers/{created['id']}", headers=operator)).status_code == 204
    response = await client.patch(f"/v1/customers/{created['id']}", json={"name": "New"}, headers=operator)
    assert response.status_code == 409


async def test_archiving_an_unknown_customer_is_404(client, operator):
    assert (await client.delete(f"/v1/customers/{uuid.uuid4()}", headers=operator)).status_code == 404


async def test_every_change_emits_its_event_with_the_request_id(client, operator, bus):
    seen: list[Envelope] = []

    async def record(_data, envelope):
        seen.append(envelope)

    bus.add_listener(
        Listener("test", dict.fromkeys(["customer.created", "customer.updated", "customer.archived"], record))
    )
    headers = {**operator, "X-Request-ID": "req-123"}
    created = (await create(client, headers, reference_id="EV-1")).json()
    await client.patch(f"/v1/customers/{created['id']}", json={"name": "Renamed"}, headers=headers)
    await client.delete(f"/v1/customers/{created['id']}", headers=headers)
    await eventually(lambda: len(seen) >= 3)
    assert [e.type for e in seen] == ["customer.created", "customer.updated", "customer.archived"]
    assert all(e.correlation_id == "req-123" and e.source == "customers" for e in seen)
    assert seen[1].data["name"] == "Renamed"
    assert seen[2].data["archived"] is True
    assert str(seen[0].customer_id) == created["id"]


def _resigned(auth: AuthKeys, **claims: object) -> str:
    """A token of `auth`'s key and key id whose claims are changed after the fact."""
    original = jwt.decode(auth.operator_token(), options={"verify_signature": False})
    return jwt.encode({**original, **claims}, auth.private_key, algorithm="EdDSA", headers={"kid": auth.kid})


@pytest.mark.parametrize(
    ("token_kind", "reason"),
    [
        ("garbage", "malformed"),
        ("expired", "expired"),
        ("forged", "invalid"),
        ("wrong audience", "invalid"),
        ("wrong issuer", "invalid"),
        ("unknown key id", "unknown key"),
    ],
)
async def test_bad_tokens_are_401_for_their_own_reason(client, auth: AuthKeys, token_kind, reason):
    token = {
        "garbage": lambda: "not.a.jwt",
        "expired": lambda: auth.operator_token(ttl_seconds=-10),
        "forged": lambda: AuthKeys(kid=auth.kid).operator_token(),
        "wrong audience": lambda: _resigned(auth, aud="another-system"),
        "wrong issuer": lambda: _resigned(auth, iss="another-issuer"),
        "unknown key id": lambda: AuthKeys(kid="other-kid").operator_token(),
    }[token_kind]()
    assert (await client.get("/v1/customers", headers=bearer(_resigned(auth)))).status_code == 200

    response = await client.get("/v1/customers", headers=bearer(token))

    assert response.status_code == 401
    assert reason in response.json()["detail"]


async def test_api_keys_work_until_revoked(client, auth: AuthKeys, bus):
    key, key_id = auth.new_api_key()
    assert (await client.get("/v1/customers", headers=bearer(key))).status_code == 200
    await bus.publish(
        Envelope(
            type="api_key.revoked",
            occurred_at="2026-11-27T00:00:00Z",
            source="storefront-auth",
            data={"api_key_id": str(key_id)},
        )
    )
    assert (await client.get("/v1/customers", headers=bearer(key))).status_code == 401
    unknown = "pbk_" + "x" * 43
    assert (await client.get("/v1/customers", headers=bearer(unknown))).status_code == 401
