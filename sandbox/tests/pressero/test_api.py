"""The admin API as a Pressero integrator sees it: the token request, `Authorization: token`, searching
orders page by page, an order's details and items."""

import httpx

from printbridge_sandbox.pressero.app import create_app

from .conftest import CONTROL, Account


async def place(http: httpx.AsyncClient, domain: str, **spec: object) -> dict:
    answer = await http.post(f"{CONTROL}/sites/{domain}/orders", json=spec)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_the_token_request_answers_code_200_and_the_token_in_data(
    http: httpx.AsyncClient, account: Account
) -> None:
    answer = await http.post("/api/token", json=account.token_request())
    assert answer.status_code == 200
    assert answer.json()["Code"] == 200 and isinstance(answer.json()["Data"], str)


async def test_names_in_the_token_request_are_matched_case_insensitively(
    http: httpx.AsyncClient, account: Account
) -> None:
    body = {k.lower(): v for k, v in account.token_request().items()}
    assert (await http.post("/api/token", json=body)).status_code == 200


async def test_each_wrong_credential_is_refused(http: httpx.AsyncClient, account: Account) -> None:
    for wrong in ("UserName", "Password", "SubscriberId", "ConsumerID"):
        answer = await http.post("/api/token", json=account.token_request(**{wrong: "nope"}))
        assert answer.status_code == 401, wrong
        assert answer.json()["Code"] == 401


async def test_calls_without_a_valid_token_get_401(http: httpx.AsyncClient, account: Account) -> None:
    assert (await http.get("/api/v2/orders/1/Details")).status_code == 401
    bearer = {"Authorization": "Bearer whatever"}
    assert (await http.get("/api/v2/orders/1/Details", headers=bearer)).status_code == 401


async def test_an_expired_token_is_refused_and_a_new_one_works(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    order = await place(http, account.domain)
    number = order["order"]["OrderNumber"]
    assert (await http.get(f"/api/v2/orders/{number}/Details", headers=token)).status_code == 200
    await http.post(f"{CONTROL}/subscribers/{account.subscriber_id}/tokens/expire")
    assert (await http.get(f"/api/v2/orders/{number}/Details", headers=token)).status_code == 401
    validate = await http.get(f"/api/v2/Authentication/{token['Authorization'][6:]}/Validate")
    assert validate.status_code == 401
    fresh = (await http.post("/api/token", json=account.token_request())).json()["Data"]
    again = await http.get(f"/api/v2/orders/{number}/Details", headers={"Authorization": f"token {fresh}"})
    assert again.status_code == 200


async def test_a_changed_password_refuses_new_tokens(http: httpx.AsyncClient, account: Account) -> None:
    changed = await http.put(
        f"{CONTROL}/subscribers/{account.subscriber_id}/password", json={"password": "n"}
    )
    assert changed.status_code == 200
    assert (await http.post("/api/token", json=account.token_request())).status_code == 401


async def test_details_and_items_of_an_order(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    placed = await place(
        http,
        account.domain,
        items=[
            {"product_name": "Flyer A5", "quantity": 500, "price": "80.00", "attributes": {"Paper": "Gloss"}},
            {"product_name": "Poster", "needs_approval": True},
        ],
        ship_to={"first_name": "Ann", "city": "Chicago", "country": "US"},
    )
    number = placed["order"]["OrderNumber"]
    details = (await http.get(f"/api/v2/orders/{number}/Details", headers=token)).json()
    assert details["OrderNumber"] == number and details["Domain"] == account.domain
    assert details["ShipToCity"] == "Chicago"
    items = (await http.get(f"/api/v2/orders/{number}/items", headers=token)).json()
    assert [(i["OrderItemNumber"], i["IsApproved"], i["IsDenied"]) for i in items] == [
        (1, True, False),
        (2, False, False),
    ]
    assert items[0]["ProductAttributeName1"] == "Paper" and items[0]["ProductAttributeValue1"] == "Gloss"
    assert (await http.get("/api/v2/orders/999/Details", headers=token)).status_code == 404


async def test_search_pages_from_zero_until_total_items_with_date_bounds(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    await place(http, account.domain, placed_at="2030-01-01T10:00:00Z")
    for day in (2, 3):
        await place(http, account.domain, placed_at=f"2030-01-0{day}T10:00:00Z", items=[{}, {}])
    query = {"StartDate": "2030-01-02T00:00:00Z", "EndDate": "2030-01-04T00:00:00Z", "Filters": []}
    seen = []
    for page in (0, 1, 2):
        answer = await http.post(
            f"/api/v2/Orders/Search?pageNumber={page}&pageSize=3", json=query, headers=token
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["TotalItems"] == 4 and body["PageNumber"] == page
        seen += [(i["OrderNumber"], i["OrderItemNumber"]) for i in body["Items"]]
    assert len(seen) == 4 and seen == sorted(seen)


async def test_search_filters_by_column(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    first = await place(http, account.domain)
    await place(http, account.domain)
    number = first["order"]["OrderNumber"]
    filters = [{"Column": "OrderNumber", "Value": str(number), "Operator": "equals"}]
    answer = await http.post("/api/v2/Orders/Search?pageNumber=0&pageSize=10", json=filters, headers=token)
    assert [i["OrderNumber"] for i in answer.json()["Items"]] == [number]


async def test_the_5xx_switch_fails_the_next_calls(
    http: httpx.AsyncClient, account: Account, token: dict[str, str]
) -> None:
    await http.put(f"{CONTROL}/subscribers/{account.subscriber_id}/switches", json={"fail_5xx": 1})
    search = "/api/v2/Orders/Search?pageNumber=0&pageSize=10"
    assert (await http.post(search, json={}, headers=token)).status_code == 503
    assert (await http.post(search, json={}, headers=token)).status_code == 200


async def test_tokens_expire_after_the_configured_lifetime() -> None:
    app = create_app(token_lifetime_s=0)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://admin.test") as http,
    ):
        made = (await http.post(f"{CONTROL}/subscribers", json={"password": "pw"})).json()
        login = {
            "UserName": made["username"],
            "Password": "pw",
            "SubscriberId": made["subscriber_id"],
            "ConsumerID": made["consumer_id"],
        }
        token = (await http.post("/api/token", json=login)).json()["Data"]
        answer = await http.post(
            "/api/v2/Orders/Search", json={}, headers={"Authorization": f"token {token}"}
        )
        assert answer.status_code == 401
