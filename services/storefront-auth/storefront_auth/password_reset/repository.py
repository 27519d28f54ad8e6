from storefront_auth.mail.repository import EmailedLinkRepository
from storefront_auth.models import CustomerUser, PasswordReset


class PasswordResetRepository(EmailedLinkRepository[PasswordReset]):
    model = PasswordReset

    async def lock_user(self, user: CustomerUser) -> None:
        """Serialises reset requests of one user on PostgreSQL, so that two at once queue one e-mail
        (SQLite's writer transactions are serial anyway)."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.refresh(user, with_for_update=True)
