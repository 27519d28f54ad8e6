from fastapi import FastAPI

from connectors.models import Base
from printbridge_shared.testing import assert_migrations_match_models, assert_service_basics


async def test_service_starts_migrates_and_answers_health_checks(app: FastAPI) -> None:
    await assert_service_basics(app)


async def test_a_request_id_is_kept_by_the_gateways_rule_and_replaced_otherwise(client) -> None:
    """Reached directly (not through the gateway), the service applies the same X-Request-ID rule."""
    kept = await client.get("/healthz", headers={"X-Request-ID": "order-sync:42.a_b-c"})
    assert kept.headers["x-request-id"] == "order-sync:42.a_b-c"
    for odd in ("has spaces", "x" * 129, "semi;colon", "<script>"):
        replaced = await client.get("/healthz", headers={"X-Request-ID": odd})
        assert replaced.headers["x-request-id"] != odd
        assert len(replaced.headers["x-request-id"]) == 32


async def test_migrations_create_exactly_the_tables_of_the_models(database_url):
    await assert_migrations_match_models(database_url, Base.metadata)
