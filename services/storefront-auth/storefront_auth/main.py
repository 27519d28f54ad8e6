from pathlib import Path

from fastapi import FastAPI

from printbridge_shared.app import Runtime, ServiceParts, build_service_app
from storefront_auth.api_key.endpoints import internal_router as api_key_internal_router
from storefront_auth.api_key.endpoints import router as api_key_router
from storefront_auth.auth.endpoints import router as auth_router
from storefront_auth.auth.issuer import TokenIssuer
from storefront_auth.config import Settings
from storefront_auth.invitation.endpoints import router as invitation_router
from storefront_auth.invitation.page import router as invitation_page
from storefront_auth.invitation.sender import InvitationMail
from storefront_auth.mail.sender import link_mail_jobs
from storefront_auth.mail.transport import transport_from_settings
from storefront_auth.messaging.topology import consumers
from storefront_auth.models import jobs, messaging
from storefront_auth.password_reset.endpoints import router as password_reset_router
from storefront_auth.password_reset.page import router as password_reset_page
from storefront_auth.password_reset.request_job import PASSWORD_RESET_REQUEST, PasswordResetRequestJob
from storefront_auth.password_reset.sender import PasswordResetMail
from storefront_auth.revocation.endpoints import internal_router as revocation_internal_router
from storefront_auth.signing_key.keystore import KeyStore
from storefront_auth.user.endpoints import router as user_router

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or Settings()
    app = build_service_app(
        ServiceParts(
            name="storefront-auth",
            title="Printbridge storefront-auth",
            description="Operators and customer users, invitations, login and tokens (JWT + JWKS), API keys.",
            settings=settings,
            tables=messaging,
            jobs=jobs,
            migrations_dir=MIGRATIONS,
            routers=[
                auth_router,
                password_reset_router,
                password_reset_page,
                api_key_router,
                api_key_internal_router,
                invitation_router,
                invitation_page,
                user_router,
                revocation_internal_router,
            ],
            consumers=consumers,
            job_handlers=lambda _db, outbox: {
                **link_mail_jobs(
                    [InvitationMail(settings), PasswordResetMail(settings)],
                    outbox,
                    transport_from_settings(settings),
                    settings,
                ),
                PASSWORD_RESET_REQUEST: PasswordResetRequestJob(),
            },
            tags=[
                {
                    "name": "auth",
                    "description": "Log in, refresh and end sessions; reset a forgotten password; who am I; "
                    "token keys.",
                },
                {"name": "api-keys", "description": "Operator API keys: create (shown once), list, revoke."},
                {"name": "invitations", "description": "Open an invitation link and accept it."},
                {
                    "name": "users",
                    "description": "A customer's Storefronts team: invite with a role, change, remove.",
                },
            ],
        ),
        runtime or Runtime.distributed(settings),
    )
    # Loaded (or, on a fresh database, created) on first use and then kept in memory.
    app.state.keys = KeyStore(app.state.db, configured=settings.configured_signing_key())
    app.state.token_issuer = TokenIssuer(
        app.state.keys, access_ttl=settings.access_token_ttl, refresh_ttl=settings.refresh_token_ttl
    )
    return app
