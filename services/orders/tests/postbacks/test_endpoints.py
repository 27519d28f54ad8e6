"""Postback endpoints as the API manages them: create (the secret shown once), list, read, change,
delete; bad input answered 422 naming the field and the fix; every customer role refused with 403, an
unknown id with 404."""

import uuid

import pytest

from orders.postbacks.schemas import EVENT_TYPES

PROBLEM = "application/problem+json"
ENDPOINTS = "/v1/postbacks/endpoints"
HOOK = "https://mis.producer.example/printbridge/postbacks"


def refused_field(response, *loc: str) -> dict:
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), response.text
    errors = [error for error in response.json()["errors"] if tuple(error["loc"]) == loc]
    assert errors, response.json()
    return errors[0]


async def test_an_endpoint_is_created_with_a_whsec_secret_shown_only_once(client, operator):
    created = await client.post(
        ENDPOINTS, json={"url": HOOK, "description": "Our MIS", "events": ["order.shipped"]}, headers=operator
    )

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) == len("whsec_") + 32
    assert created.headers["location"] == f"{ENDPOINTS}/{body['id']}"
    assert (body["url"], body["events"], body["enabled"], body["customer_id"]) == (
        HOOK,
        ["order.shipped"],
        True,
        None,
    )
    assert (body["pending_count"], body["consecutive_failures"], body["last_success_at"]) == (0, 0, None)
    read = (await client.get(f"{ENDPOINTS}/{body['id']}", headers=operator)).json()
    assert "secret" not in read and read["description"] == "Our MIS"
    listed = (await client.get(ENDPOINTS, headers=operator)).json()["items"]
    assert [item["id"] for item in listed] == [body["id"]] and "secret" not in listed[0]


async def test_events_left_out_means_every_order_status(client, operator):
    created = (await client.post(ENDPOINTS, json={"url": HOOK}, headers=operator)).json()
    assert created["events"] is None


async def test_the_list_pages_with_a_cursor_oldest_first(client, operator):
    ids = [
        (await client.post(ENDPOINTS, json={"url": HOOK}, headers=operator)).json()["id"] for _ in range(3)
    ]

    first = (await client.get(ENDPOINTS, params={"limit": 2}, headers=operator)).json()
    second = (
        await client.get(ENDPOINTS, params={"limit": 2, "cursor": first["next_cursor"]}, headers=operator)
    ).json()

    assert [e["id"] for e in first["items"]] + [e["id"] for e in second["items"]] == ids
    assert second["next_cursor"] is None
    bad = await client.get(ENDPOINTS, params={"cursor": "bm90LW91cnM"}, headers=operator)
    refused_field(bad, "query", "cursor")


async def test_a_patch_changes_only_the_fields_sent(client, operator):
    created = (
        await client.post(ENDPOINTS, json={"url": HOOK, "description": "MIS"}, headers=operator)
    ).json()
    customer = str(uuid.uuid4())

    changed = await client.patch(
        f"{ENDPOINTS}/{created['id']}",
        json={"events": ["order.shipped", "order.delivered"], "customer_id": customer, "enabled": False},
        headers=operator,
    )

    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["events"], body["customer_id"], body["enabled"], body["description"], body["url"]) == (
        ["order.shipped", "order.delivered"],
        customer,
        False,
        "MIS",
        HOOK,
    )
    back = await client.patch(
        f"{ENDPOINTS}/{created['id']}", json={"events": None, "customer_id": None}, headers=operator
    )
    assert (back.json()["events"], back.json()["customer_id"]) == (None, None)


async def test_a_deleted_endpoint_is_gone(client, operator):
    created = (await client.post(ENDPOINTS, json={"url": HOOK}, headers=operator)).json()

    deleted = await client.delete(f"{ENDPOINTS}/{created['id']}", headers=operator)

    assert deleted.status_code == 204
    assert (await client.get(f"{ENDPOINTS}/{created['id']}", headers=operator)).status_code == 404


async def test_an_unknown_event_type_is_refused_naming_the_field_and_listing_the_allowed(client, operator):
    response = await client.post(ENDPOINTS, json={"url": HOOK, "events": ["order.lost"]}, headers=operator)

    error = refused_field(response, "body", "events", "0")
    assert "order.lost" in error["msg"] and all(event_type in error["msg"] for event_type in EVENT_TYPES)


@pytest.mark.parametrize(
    ("body", "loc", "says"),
    [
        ({}, ("body", "url"), "required"),
        ({"url": HOOK, "events": []}, ("body", "events"), "leave events out"),
        ({"url": HOOK, "events": ["order.shipped", "order.shipped"]}, ("body", "events"), "twice"),
        ({"url": "ftp://mis.example/x"}, ("body", "url"), "not an http(s) address"),
        ({"url": "https://"}, ("body", "url"), "not an http(s) address"),
        ({"url": HOOK, "customer_id": "acme"}, ("body", "customer_id"), "UUID"),
        ({"url": HOOK, "secret": "whsec_mine"}, ("body", "secret"), "unknown field"),
        ({"url": HOOK, "description": "x" * 501}, ("body", "description"), "at most 500"),
    ],
)
async def test_bad_input_to_create_is_refused_with_422_naming_the_field(client, operator, body, loc, says):
    error = refused_field(await client.post(ENDPOINTS, json=body, headers=operator), *loc)
    assert says in error["msg"]


async def test_a_patch_may_not_null_the_url_or_enabled(client, operator):
    created = (await client.post(ENDPOINTS, json={"url": HOOK}, headers=operator)).json()
    for name in ("url", "enabled"):
        response = await client.patch(f"{ENDPOINTS}/{created['id']}", json={name: None}, headers=operator)
        assert "leave it out" in refused_field(response, "body", name)["msg"]
    unknown_type = await client.patch(
        f"{ENDPOINTS}/{created['id']}", json={"events": ["shipped"]}, headers=operator
    )
    refused_field(unknown_type, "body", "events", "0")


@pytest.mark.parametrize("allow_private_urls", [False])
@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://mis.producer.example/hook", "plain http"),
        ("https://127.0.0.1/hook", "private or local"),
        ("https://10.1.2.3/hook", "private or local"),
        ("https://[::1]/hook", "private or local"),
        ("https://localhost/hook", "private or local"),
    ],
)
async def test_plain_http_and_private_addresses_are_refused_unless_allowed(client, operator, url, says):
    error = refused_field(await client.post(ENDPOINTS, json={"url": url}, headers=operator), "body", "url")
    assert says in error["msg"]
    created = (
        await client.post(ENDPOINTS, json={"url": "https://203.0.114.9/hook"}, headers=operator)
    ).json()
    patched = await client.patch(f"{ENDPOINTS}/{created['id']}", json={"url": url}, headers=operator)
    assert says in refused_field(patched, "body", "url")["msg"]


async def test_private_addresses_and_plain_http_are_taken_where_allowed(client, operator):
    created = await client.post(ENDPOINTS, json={"url": "http://127.0.0.1:9/hook"}, headers=operator)
    assert created.status_code == 201, created.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ENDPOINTS + "/{id}"),
        ("PATCH", ENDPOINTS + "/{id}"),
        ("DELETE", ENDPOINTS + "/{id}"),
        ("POST", ENDPOINTS + "/{id}/secret/rotate"),
        ("POST", ENDPOINTS + "/{id}/test"),
        ("GET", ENDPOINTS + "/{id}/deliveries"),
        ("GET", "/v1/postbacks/deliveries/{id}"),
        ("POST", "/v1/postbacks/deliveries/{id}/redeliver"),
    ],
)
async def test_an_unknown_id_answers_404(client, operator, method, path):
    response = await client.request(
        method, path.format(id=uuid.uuid4()), json={} if method == "PATCH" else None, headers=operator
    )
    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM), response.text
    assert response.json()["type"].endswith(("postback-endpoint-not-found", "postback-delivery-not-found"))


OPERATIONS = [
    ("POST", ENDPOINTS, {"url": HOOK}),
    ("GET", ENDPOINTS, None),
    ("GET", ENDPOINTS + "/{id}", None),
    ("PATCH", ENDPOINTS + "/{id}", {"enabled": False}),
    ("DELETE", ENDPOINTS + "/{id}", None),
    ("POST", ENDPOINTS + "/{id}/secret/rotate", None),
    ("POST", ENDPOINTS + "/{id}/test", None),
    ("GET", ENDPOINTS + "/{id}/deliveries", None),
]


@pytest.mark.parametrize("role", ["admin", "store_manager", "order_manager", "viewer"])
async def test_every_customer_role_is_refused_with_403(client, operator, user_headers, role):
    created = (await client.post(ENDPOINTS, json={"url": HOOK}, headers=operator)).json()
    headers = user_headers(role)
    for method, path, body in OPERATIONS:
        response = await client.request(method, path.format(id=created["id"]), json=body, headers=headers)
        assert (response.status_code, response.headers["content-type"]) == (403, PROBLEM), (method, path)
    for path in ("/v1/postbacks/deliveries/{id}", "/v1/postbacks/deliveries/{id}/redeliver"):
        method = "POST" if path.endswith("redeliver") else "GET"
        response = await client.request(method, path.format(id=uuid.uuid4()), headers=headers)
        assert response.status_code == 403, (method, path)
    assert (await client.get(f"{ENDPOINTS}/{created['id']}", headers=operator)).json()["enabled"] is True


async def test_without_a_token_every_operation_answers_401(client):
    for method, path, body in OPERATIONS:
        response = await client.request(method, path.format(id=uuid.uuid4()), json=body)
        assert response.status_code == 401, (method, path)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"status": "lost"}, "status"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"cursor": "x"}, "cursor"),
    ],
)
async def test_the_delivery_log_refuses_a_bad_status_limit_or_cursor(client, operator, params, name):
    created = (await client.post(ENDPOINTS, json={"url": HOOK}, headers=operator)).json()
    response = await client.get(f"{ENDPOINTS}/{created['id']}/deliveries", params=params, headers=operator)
    refused_field(response, "query", name)
