from printbridge_shared.testing import assert_migrations_match_models, assert_service_basics
from storefront_auth.models import Base


async def test_service_starts_migrates_and_answers_health_checks(app):
    await assert_service_basics(app)


async def test_migrations_create_exactly_the_tables_of_the_models(database_url):
    await assert_migrations_match_models(database_url, Base.metadata)


async def test_every_public_operation_has_a_stable_id_and_a_tag(client):
    document = (await client.get("/openapi.json")).json()
    operations = {
        operation["operationId"]: operation["tags"]
        for path in document["paths"].values()
        for operation in path.values()
    }
    assert operations == {
        "login": ["auth"],
        "refresh_tokens": ["auth"],
        "logout": ["auth"],
        "get_me": ["auth"],
        "get_jwks": ["auth"],
        "request_password_reset": ["auth"],
        "get_password_reset": ["auth"],
        "complete_password_reset": ["auth"],
        "create_api_key": ["api-keys"],
        "list_api_keys": ["api-keys"],
        "revoke_api_key": ["api-keys"],
        "get_invitation": ["invitations"],
        "accept_invitation": ["invitations"],
        "list_users": ["users"],
        "invite_user": ["users"],
        "get_user": ["users"],
        "update_user": ["users"],
        "remove_user": ["users"],
        "resend_user_invitation": ["users"],
    }
