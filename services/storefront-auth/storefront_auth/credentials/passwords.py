"""Passwords: argon2id through argon2-cffi. Hashing is CPU-bound, so it runs in a worker thread
instead of blocking the event loop."""

import asyncio
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from storefront_auth.credentials.exceptions import PasswordNotAllowed, PasswordTooLong, PasswordTooShort

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()


# Long enough to pass the length rule, yet the first guesses of any attacker.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "password1234",
        "password12345",
        "passwordpassword",
        "qwertyuiopasdf",
        "qwerty123456",
        "iloveyou1234",
        "letmein12345",
        "welcome12345",
        "administrator",
        "changeme1234",
        "aaaaaaaaaaaa",
        "abcdefghijkl",
        "abc123abc123",
        "storefronts123",
        "printbridge123",
    }
)


def check_password_policy(password: str, *, email: str | None = None) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordTooLong(MAX_PASSWORD_LENGTH)
    lowered = password.strip().lower()
    if email is not None and (lowered == email.lower() or lowered == email.split("@")[0].lower()):
        raise PasswordNotAllowed("password must not be your e-mail address")
    if lowered in COMMON_PASSWORDS:
        raise PasswordNotAllowed("password is one of the most common passwords; choose another")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    return await asyncio.to_thread(_verify, password_hash, password)


async def verify_against_nothing(password: str) -> None:
    """Costs what a real verification costs, for logins with an unknown e-mail: answering those faster
    would tell an attacker which addresses have accounts."""
    await asyncio.to_thread(_verify, _dummy_hash(), password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("printbridge-no-such-account")
