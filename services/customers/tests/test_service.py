import pytest
import structlog.testing

from customers.config import Settings
from customers.main import create_app
from customers.models import Base
from printbridge_shared.app import Runtime
from printbridge_shared.testing import assert_migrations_match_models, assert_service_basics


async def test_service_starts_migrates_and_answers_health_checks(database_url, auth, bus):
    settings = Settings(database_url=database_url)
    await assert_service_basics(create_app(settings, Runtime(bus=bus, auth_http=auth.http_client())))


async def test_migrations_create_exactly_the_tables_of_the_models(database_url):
    await assert_migrations_match_models(database_url, Base.metadata)


async def test_unreachable_database_at_start_is_retried_then_fails_with_a_clear_message(auth, bus):
    url = "postgresql+asyncpg://postgres:secret-pw@127.0.0.1:1/customers"
    app = create_app(
        Settings(database_url=url, startup_retry_seconds=1.0), Runtime(bus=bus, auth_http=auth.http_client())
    )
    expected = r"database postgresql\+asyncpg://postgres:\*\*\*@127.0.0.1:1/customers unreachable"
    with structlog.testing.capture_logs() as logs, pytest.raises(RuntimeError, match=expected):
        async with app.router.lifespan_context(app):
            pass
    attempts = [entry for entry in logs if entry["event"] == "database_unreachable"]
    assert len(attempts) >= 2, "each failed attempt is logged"
    assert "secret-pw" not in repr(logs)
