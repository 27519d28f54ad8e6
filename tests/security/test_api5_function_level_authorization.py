"""OWASP API5:2023 Broken Function Level Authorization: the role matrix holds on real objects of the
caller's own customer, not only on made-up ids (tests/embedded/test_access_matrix.py is the full matrix of
every operation and caller). Reading roles cannot write, each manager role cannot act outside its area,
customer users never reach the producer's functions, an API key can do what an operator can, and no
header turns one method into another."""

import uuid

import pytest

from printbridge_shared.auth.principal import Principal, PrincipalKind

pytestmark = pytest.mark.asyncio(loop_scope="module")

# (caller, method, path template, body): each must be 403 for that caller on A's real objects.
REFUSED = [
    (
        "viewer",
        "PUT",
        "{mapping}",
        {"product_uid": "security_flyer_a5", "attributes": {"paper": "matte"}, "files": {}},
    ),
    ("viewer", "DELETE", "{mapping}", None),
    ("viewer", "DELETE", "{file}", None),
    ("viewer", "PATCH", "{template}", {"name": "Mine"}),
    ("viewer", "DELETE", "{template}", None),
    ("viewer", "POST", "{order}/hold", {"reason": "no"}),
    ("viewer", "POST", "{order}/cancel", {"reason": "no"}),
    ("viewer", "PATCH", "{store}", {"name": "Mine"}),
    ("viewer", "DELETE", "{store}", None),
    (
        "viewer",
        "POST",
        "/v1/users",
        {"email": "x@y.example", "first_name": "X", "last_name": "Y", "role": "admin"},
    ),
    ("order_manager", "GET", "{shop variant}", None),
    ("order_manager", "DELETE", "{mapping}", None),
    ("order_manager", "GET", "{file}", None),
    ("order_manager", "PATCH", "{store}", {"name": "Mine"}),
    ("store_manager", "GET", "{order}", None),
    ("store_manager", "POST", "{order}/cancel", {"reason": "no"}),
    ("store_manager", "GET", "/v1/orders", None),
    (
        "store_manager",
        "POST",
        "/v1/users",
        {"email": "x@y.example", "first_name": "X", "last_name": "Y", "role": "viewer"},
    ),
    ("admin", "GET", "/v1/production/orders", None),
    ("admin", "POST", "/v1/production/orders/{order_id}/claim", None),
    ("admin", "POST", "/v1/orders/{order_id}/status", {"status": "shipped"}),
    ("admin", "GET", "{postback endpoint}", None),
    ("admin", "POST", "/v1/postbacks/endpoints", {"url": "https://hooks.example.com/x"}),
    ("admin", "POST", "/v1/routing-rules", {}),
    ("admin", "PATCH", "/v1/catalog/products/security_flyer_a5", {"name": "Cheap flyer"}),
    ("admin", "POST", "/v1/catalog/products/security_flyer_a5/retire", None),
    ("admin", "GET", "/v1/api-keys", None),
    ("admin", "POST", "/v1/api-keys", {"name": "mine"}),
    ("admin", "GET", "{customer}", None),
    ("admin", "PUT", "{customer}/storefront-access", {"enabled": False}),
    ("admin", "GET", "/v1/customers", None),
]


def concrete(world, template: str) -> str:
    order_id = world.a.paths["order"].rsplit("/", 1)[1]
    path = template.replace("{order_id}", order_id)
    for kind, value in world.a.paths.items():
        path = path.replace("{" + kind + "}", value)
    return path


@pytest.mark.parametrize(("caller", "method", "template", "body"), REFUSED)
async def test_a_role_is_refused_what_the_matrix_does_not_give_it(world, caller, method, template, body):
    path = concrete(world, template)

    answer = await world.call(caller, method, path, json=body)

    assert answer.status_code == 403, f"{caller} {method} {path}: {answer.status_code} {answer.text[:200]}"
    assert answer.headers["content-type"] == "application/problem+json"


async def test_what_was_refused_changed_nothing(world):
    assert (await world.call("admin", "GET", world.a.paths["template"])).json()["name"] == "Flyer"
    assert (await world.call("admin", "GET", world.a.paths["shop variant"])).json()["mapping"] is not None
    product = await world.call("admin", "GET", "/v1/catalog/products/security_flyer_a5")
    assert (product.json()["name"], product.json()["status"]) == ("Flyer A5", "active")
    assert (await world.call("admin", "GET", world.a.paths["order"])).json()["status"] != "cancelled"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/api-keys",
        "/v1/customers",
        "/v1/production/orders",
        "/v1/routing-rules",
        "/v1/postbacks/endpoints",
    ],
)
async def test_an_api_key_reaches_the_operators_functions(world, path):
    assert (await world.call("api_key", "GET", path)).status_code == 200


@pytest.mark.parametrize("header", ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"])
async def test_no_header_turns_a_read_into_a_write(world, header):
    path = world.a.paths["template"]

    answer = await world.call("viewer", "GET", path, headers={header: "DELETE"})

    assert answer.status_code == 200
    assert (await world.call("admin", "GET", path)).status_code == 200


async def test_a_customer_user_token_is_no_operator_whatever_its_customer(world):
    """A customer user of the nil-UUID customer sees nothing; a token naming no customer at all (scopes
    read that as "every customer") is no token."""
    nil = Principal(
        kind=PrincipalKind.customer_user, subject_id=uuid.uuid4(), customer_id=uuid.UUID(int=0), role="admin"
    )
    nobody = Principal(kind=PrincipalKind.customer_user, subject_id=uuid.uuid4(), role="admin")
    nil_headers = {"Authorization": f"Bearer {await world.token_of(nil)}"}
    no_customer = {"Authorization": f"Bearer {await world.token_of(nobody)}"}

    for path in ("/v1/customers", "/v1/production/orders", "/v1/api-keys"):
        assert (await world.client.get(path, headers=nil_headers)).status_code == 403, path
    for path in ("/v1/orders", "/v1/stores", "/v1/files", "/v1/templates"):
        listed = await world.client.get(path, headers=nil_headers)
        assert listed.status_code == 200 and listed.json()["items"] == [], path
        assert (await world.client.get(path, headers=no_customer)).status_code == 401, path
