import asyncio
import uuid

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from storefront_auth.credentials.exceptions import InvalidEmail, PasswordTooLong, PasswordTooShort
from storefront_auth.models import Operator
from storefront_auth.operator import service
from storefront_auth.operator.exceptions import EmailIsCustomerLogin, OperatorEmailTaken
from storefront_auth.operator.repository import OperatorRepository


async def test_create_operator_normalises_the_email_and_hashes_the_password_with_argon2id(create_operator):
    operator = await create_operator(email="  Anna.Staff@PrintShop.Example ", password="a long passphrase")
    assert operator.email == "anna.staff@printshop.example"
    assert operator.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(operator.password_hash, "a long passphrase")
    assert operator.disabled_at is None and operator.created_at is not None


@pytest.mark.parametrize("email", ["", "   ", "no-at-sign", "two@@printshop.example", "staff@localhost"])
async def test_invalid_email_is_rejected_with_422(create_operator, email):
    with pytest.raises(InvalidEmail) as error:
        await create_operator(email=email)
    assert error.value.status == 422
    assert "email is not a valid e-mail address" in error.value.detail


async def test_an_email_that_exists_in_any_case_is_rejected_with_409(create_operator):
    await create_operator(email="staff@printshop.example")
    with pytest.raises(OperatorEmailTaken) as error:
        await create_operator(email="STAFF@printshop.example")
    assert error.value.status == 409
    assert "staff@printshop.example" in error.value.detail


async def test_the_login_of_a_customer_user_cannot_become_an_operator(create_operator, create_user):
    await create_user(uuid.uuid4(), "anna@brand.example")
    with pytest.raises(EmailIsCustomerLogin) as error:
        await create_operator(email="Anna@Brand.example")
    assert error.value.status == 409


async def test_concurrent_creates_with_one_email_let_exactly_one_through(create_operator):
    results = await asyncio.gather(
        *(create_operator(email="race@printshop.example") for _ in range(4)), return_exceptions=True
    )
    assert sum(not isinstance(result, Exception) for result in results) == 1
    assert all(isinstance(r, OperatorEmailTaken) for r in results if isinstance(r, Exception))


async def test_password_shorter_than_12_characters_is_rejected_with_422(create_operator):
    with pytest.raises(PasswordTooShort) as error:
        await create_operator(password="elevenchars")
    assert error.value.status == 422
    assert "at least 12 characters" in error.value.detail
    await create_operator(password="twelve chars")


async def test_password_longer_than_login_accepts_is_rejected_with_422(create_operator):
    with pytest.raises(PasswordTooLong):
        await create_operator(password="p" * 1025)


async def test_a_lost_email_race_keeps_the_rest_of_the_unit_of_work(app, create_operator, monkeypatch):
    await create_operator(email="race@printshop.example")
    lookup = OperatorRepository.get_by_email
    misses = []

    async def misses_once(self, email):
        """The check runs before the other create committed: it sees nothing the first time."""
        if email == "race@printshop.example" and not misses:
            misses.append(email)
            return None
        return await lookup(self, email)

    monkeypatch.setattr(OperatorRepository, "get_by_email", misses_once)

    async with app.state.db.sessionmaker() as session, session.begin():
        kept = await service.create_operator(session, email="kept@printshop.example", password="x" * 12)
        with pytest.raises(OperatorEmailTaken):
            await service.create_operator(session, email="race@printshop.example", password="y" * 12)

    async with app.state.db.sessionmaker() as session:
        emails = sorted((await session.scalars(select(Operator.email))).all())
    assert kept.email in emails
    assert emails == ["kept@printshop.example", "race@printshop.example"]
