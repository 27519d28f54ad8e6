"""Guessing passwords gets slow: after too many failures for an account or from one client address,
logins answer 429 with Retry-After until the wait is over."""

import uuid

import pytest

PASSWORD = "correct horse battery staple"


async def login(client, email: str, password: str):
    return await client.post("/v1/auth/login", json={"email": email, "password": password})


@pytest.mark.parametrize("app_settings", [{"login_max_failures": 3, "login_lockout_seconds": 30}])
async def test_after_too_many_wrong_passwords_the_account_waits_even_for_the_right_one(
    client, create_operator
):
    await create_operator(email="staff@print.example", password=PASSWORD)
    failures = [(await login(client, "staff@print.example", "wrong password!")).status_code for _ in range(3)]
    locked = await login(client, "STAFF@print.example", PASSWORD)
    other = await login(client, "someone@print.example", "wrong password!")
    assert failures == [401, 401, 401]
    assert locked.status_code == 429
    assert locked.headers["content-type"] == "application/problem+json"
    assert 1 <= int(locked.headers["retry-after"]) <= 30
    assert other.status_code == 401, "other accounts are not locked by this one"


@pytest.mark.parametrize("app_settings", [{"login_max_failures": 3}])
async def test_a_successful_login_forgets_earlier_failures(client, create_operator):
    await create_operator(email="staff@print.example", password=PASSWORD)
    for _ in range(2):
        await login(client, "staff@print.example", "wrong password!")
    assert (await login(client, "staff@print.example", PASSWORD)).status_code == 200
    for _ in range(2):
        await login(client, "staff@print.example", "wrong password!")
    assert (await login(client, "staff@print.example", PASSWORD)).status_code == 200


@pytest.mark.parametrize("app_settings", [{"login_max_failures_per_address": 4}])
async def test_one_address_trying_many_accounts_is_slowed_down(client):
    statuses = [
        (await login(client, f"user{n}@print.example", "wrong password!")).status_code for n in range(5)
    ]
    assert statuses == [401, 401, 401, 401, 429]


@pytest.mark.parametrize("app_settings", [{"login_max_failures": 3, "login_lockout_seconds": 30}])
@pytest.mark.parametrize("kind", ["operator", "customer_user"])
async def test_look_alike_spellings_of_one_address_share_its_failure_count(
    client, create_operator, create_user, kind
):
    if kind == "operator":
        await create_operator(email="staff@print.example", password=PASSWORD)
    else:
        await create_user(uuid.uuid4(), "staff@print.example")
    fullwidth_print = "".join(chr(ord(c) + 0xFEE0) for c in "PRINT")  # "PRINT" in fullwidth letters
    spellings = [
        f"staff@{fullwidth_print.lower()}.example",
        "STAFF@PRINT.EXAMPLE",
        f" staff@{fullwidth_print}.example ",
    ]
    failures = [(await login(client, spelling, "wrong password!")).status_code for spelling in spellings]
    locked = await login(client, "staff@print.example", PASSWORD)
    assert failures == [401, 401, 401]
    assert locked.status_code == 429
