"""Who may do what with design files: products:read reads (operators, admins, store managers, viewers),
products:manage uploads and deletes (operators, admins, store managers); order managers get 403, no token
401, and another customer's file is 404 as if it did not exist. A download needs the file's signature or
a token that may read it."""

import uuid

import pytest

from .conftest import FILES, PUBLIC_URL

PROBLEM = "application/problem+json"


@pytest.fixture
async def file(upload, user) -> dict:
    response = await upload(user())
    assert response.status_code == 201, response.text
    return response.json()


def operations(file_id: str) -> dict[str, tuple[str, str]]:
    return {
        "list": ("GET", FILES),
        "get": ("GET", f"{FILES}/{file_id}"),
        "content": ("GET", f"{FILES}/{file_id}/content"),
        "delete": ("DELETE", f"{FILES}/{file_id}"),
    }


@pytest.mark.parametrize("operation", ["list", "get", "content", "delete"])
async def test_without_a_token_every_operation_answers_401(client, file, operation):
    method, path = operations(file["id"])[operation]
    response = await client.request(method, path)
    assert (response.status_code, response.headers["content-type"]) == (401, PROBLEM)


async def test_without_a_token_an_upload_answers_401_and_stores_nothing(client, upload, user):
    response = await upload({})
    assert response.status_code == 401
    assert (await client.get(FILES, headers=user())).json()["items"] == []


@pytest.mark.parametrize("role", ["admin", "store_manager", "viewer"])
@pytest.mark.parametrize("operation", ["list", "get", "content"])
async def test_roles_with_products_read_read_files(client, file, user, role, operation):
    method, path = operations(file["id"])[operation]
    response = await client.request(method, path, headers=user(role))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("operation", ["list", "get", "content", "delete"])
async def test_an_order_manager_gets_403(client, file, user, operation):
    method, path = operations(file["id"])[operation]
    response = await client.request(method, path, headers=user("order_manager"))
    assert (response.status_code, response.headers["content-type"]) == (403, PROBLEM)


@pytest.mark.parametrize("role", ["viewer", "order_manager"])
async def test_viewers_and_order_managers_cannot_upload(client, upload, user, role):
    response = await upload(user(role))
    assert (response.status_code, response.headers["content-type"]) == (403, PROBLEM)
    assert (await client.get(FILES, headers=user())).json()["items"] == []


async def test_a_viewer_cannot_delete(client, file, user):
    response = await client.delete(f"{FILES}/{file['id']}", headers=user("viewer"))
    assert response.status_code == 403
    assert (await client.get(f"{FILES}/{file['id']}", headers=user())).status_code == 200


@pytest.mark.parametrize("operation", ["get", "content", "delete"])
async def test_another_customers_file_is_404(client, file, user, operation):
    method, path = operations(file["id"])[operation]
    response = await client.request(method, path, headers=user(customer=uuid.uuid4()))
    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)
    assert (await client.get(f"{FILES}/{file['id']}", headers=user())).status_code == 200


async def test_another_customers_list_does_not_show_the_file(client, file, user):
    other = user(customer=uuid.uuid4())
    assert (await client.get(FILES, headers=other)).json()["items"] == []
    filtered = await client.get(FILES, params={"customer_id": file["customer_id"]}, headers=other)
    assert filtered.json()["items"] == []


async def test_operators_read_download_and_delete_any_customers_file(client, file, operator):
    assert (await client.get(f"{FILES}/{file['id']}", headers=operator)).status_code == 200
    assert (await client.get(f"{FILES}/{file['id']}/content", headers=operator)).status_code == 200
    assert (await client.delete(f"{FILES}/{file['id']}", headers=operator)).status_code == 204


async def test_an_unknown_file_is_404(client, user):
    response = await client.get(f"{FILES}/{uuid.uuid4()}", headers=user())
    assert (response.status_code, response.json()["type"].rsplit("/", 1)[1]) == (404, "file-not-found")


async def test_a_file_id_that_is_not_a_uuid_is_422_naming_it(client, user):
    response = await client.get(f"{FILES}/flyer/content", headers=user())
    assert (response.status_code, response.json()["errors"][0]["loc"]) == (422, ["path", "file_id"])


def signed_path(file: dict) -> str:
    return file["url"].removeprefix(PUBLIC_URL)


async def test_the_signed_address_needs_no_token_and_ignores_a_wrong_one(client, file, user):
    assert (await client.get(signed_path(file))).status_code == 200
    other = user("order_manager", customer=uuid.uuid4())
    assert (await client.get(signed_path(file), headers=other)).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda sig: sig[:-1] + ("A" if sig[-1] != "A" else "B"),
        lambda sig: sig[:20],
        lambda sig: "",
        lambda sig: sig + "A",
        lambda sig: "é" * 10,
    ],
    ids=["changed", "cut", "empty", "longer", "not-ascii"],
)
async def test_an_altered_signature_is_404_even_with_a_token(client, file, user, tamper):
    path, _, sig = signed_path(file).partition("?sig=")
    response = await client.get(path, params={"sig": tamper(sig)}, headers=user())
    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)


async def test_one_files_signature_does_not_open_another_file(client, upload, user):
    first = (await upload(user())).json()
    second = (await upload(user())).json()
    sig = first["url"].partition("?sig=")[2]
    response = await client.get(f"{FILES}/{second['id']}/content", params={"sig": sig})
    assert response.status_code == 404


async def test_without_its_signature_the_address_needs_a_token(client, file):
    path = signed_path(file).partition("?")[0]
    assert (await client.get(path)).status_code == 401


async def test_signatures_made_with_a_dropped_key_stop_working_and_old_keys_still_verify(file, settings):
    from cryptography.fernet import Fernet

    from mapping.files.links import FileLinks
    from printbridge_shared.secret_keys import load_keys

    old = load_keys(None, settings.data_dir)
    rotated = FileLinks([Fernet.generate_key().decode(), *old], PUBLIC_URL)
    dropped = FileLinks([Fernet.generate_key().decode()], PUBLIC_URL)
    file_id = uuid.UUID(file["id"])

    assert rotated.verify(file_id, file["url"].partition("?sig=")[2])
    assert rotated.content_url(file_id) != file["url"]
    assert not dropped.verify(file_id, file["url"].partition("?sig=")[2])
