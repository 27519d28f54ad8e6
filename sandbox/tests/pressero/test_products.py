"""A site's products through the admin API (`site/{domain}/products/`, one product) and the control API
that stands in for the admin editing them."""

import httpx

from printbridge_sandbox.pressero.control import seed

from .conftest import CONTROL, Account


async def make(http: httpx.AsyncClient, domain: str, **body: object) -> dict:
    answer = await http.post(f"{CONTROL}/sites/{domain}/products", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def test_the_product_list_pages_from_zero_and_leaves_deleted_ones_out_unless_asked(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    made = [await make(http, account.domain, name=f"Card {n}", printers_part_num=f"C-{n}") for n in range(3)]
    await http.delete(f"{CONTROL}/sites/{account.domain}/products/{made[1]['ProductId']}")
    path = f"/api/site/{account.domain}/products/"

    first = (await http.get(path, params={"pageNumber": 0, "pageSize": 1}, headers=token)).json()
    second = (await http.get(path, params={"pageNumber": 1, "pageSize": 1}, headers=token)).json()
    everything = (await http.get(path, params={"includeDeleted": "true"}, headers=token)).json()

    assert (first["TotalItems"], first["PageNumber"], first["PageSize"]) == (2, 0, 1)
    assert [p["ProductId"] for p in first["Items"] + second["Items"]] == [
        made[0]["ProductId"],
        made[2]["ProductId"],
    ]
    assert first["Items"][0]["PrintersPartNum"] == "C-0" and first["Items"][0]["IsActive"] is True
    assert everything["TotalItems"] == 3
    assert [p["IsDeleted"] for p in everything["Items"]] == [False, True, False]


async def test_one_product_answers_its_details_and_a_deleted_one_says_so(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    made = await make(http, account.domain, name="Flyer", url_name="flyer", is_active=False)
    path = f"/api/site/{account.domain}/products/{made['ProductId']}"

    shown = (await http.get(path, headers=token)).json()
    await http.delete(f"{CONTROL}/sites/{account.domain}/products/{made['ProductId']}")
    deleted = (await http.get(path, headers=token)).json()
    unknown = await http.get(f"/api/site/{account.domain}/products/no-such-id", headers=token)

    assert (shown["ProductName"], shown["UrlName"], shown["IsActive"], shown["IsDeleted"]) == (
        "Flyer",
        "flyer",
        False,
        False,
    )
    assert deleted["IsDeleted"] is True
    assert unknown.status_code == 404 and unknown.json()["Code"] == 404


async def test_products_need_a_token_and_another_subscribers_site_is_not_found(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    other = (await http.post(f"{CONTROL}/subscribers", json={})).json()
    site = await http.post(
        f"{CONTROL}/subscribers/{other['subscriber_id']}/sites", json={"domain": "other.example"}
    )
    assert site.status_code == 201, site.text
    made = await make(http, "other.example", name="Secret")

    without = await http.get(f"/api/site/{account.domain}/products/")
    foreign_list = await http.get("/api/site/other.example/products/", headers=token)
    foreign_one = await http.get(f"/api/site/other.example/products/{made['ProductId']}", headers=token)

    assert without.status_code == 401
    assert foreign_list.status_code == foreign_one.status_code == 404


async def test_the_control_api_edits_products_and_refuses_bad_input(
    http: httpx.AsyncClient, account: Account
) -> None:
    made = await make(http, account.domain, name="Poster")
    base = f"{CONTROL}/sites/{account.domain}/products"

    hidden = await http.patch(f"{base}/{made['ProductId']}", json={"is_active": False, "name": "Poster A2"})
    nameless = await http.post(base, json={"name": ""})
    unknown_site = await http.post(f"{CONTROL}/sites/nowhere.example/products", json={"name": "x"})
    unknown = await http.patch(f"{base}/no-such-id", json={"is_active": True})

    assert hidden.status_code == 200 and (hidden.json()["IsActive"], hidden.json()["ProductName"]) == (
        False,
        "Poster A2",
    )
    assert nameless.status_code == 422
    assert nameless.headers["content-type"].startswith("application/problem+json") and "name" in nameless.text
    assert unknown_site.status_code == unknown.status_code == 404


async def test_the_seeded_demo_site_has_two_products_to_sync(http: httpx.AsyncClient, app) -> None:
    account = seed(app.state.pressero, "demo.pressero.example", integration_id="DEMO")
    login = {
        "UserName": account.username,
        "Password": account.password,
        "SubscriberId": account.subscriber_id,
        "ConsumerID": account.consumer_id,
    }
    token = (await http.post("/api/token", json=login)).json()["Data"]
    listed = await http.get(
        "/api/site/demo.pressero.example/products/", headers={"Authorization": f"token {token}"}
    )

    assert [(p["ProductName"], p["PrintersPartNum"]) for p in listed.json()["Items"]] == [
        ("Business cards", "BC-350"),
        ("Flyer A5", "FLY-A5"),
    ]
