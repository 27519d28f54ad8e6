import datetime as dt
import uuid

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from printbridge_shared.auth.principal import PrincipalKind, Role
from printbridge_shared.db import GUID, UTCDateTime, make_metadata
from printbridge_shared.events.outbox import messaging_tables
from printbridge_shared.jobs import job_tables


class Base(DeclarativeBase):
    metadata = make_metadata()


messaging = messaging_tables(Base.metadata)
jobs = job_tables(Base.metadata)


class Operator(Base):
    """Producer staff. `email` is stored normalised (trimmed, lower-cased), so it is unique as typed."""

    __tablename__ = "operators"

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def active(self) -> bool:
        return self.disabled_at is None


class SigningKey(Base):
    """An Ed25519 key that signs access tokens. `generation` is unique, so replicas that start together
    and each try to create generation 1 end up with exactly one key."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, unique=True)
    private_key_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class RefreshToken(Base):
    """One refresh token, stored as its SHA-256. Every token issued by refreshing carries the `family_id`
    of the login it descends from; `rotated_at` marks a token that was exchanged and may not be used again."""

    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    principal_kind: Mapped[PrincipalKind] = mapped_column(String(20))
    subject_id: Mapped[uuid.UUID] = mapped_column(GUID())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    rotated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ApiKey(Base):
    """An operator API key, stored as its SHA-256; `key_hint` (its last four characters) helps people
    tell their keys apart in lists."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_hint: Mapped[str] = mapped_column(String(4))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class CustomerProjection(Base):
    """What this service knows of a customer, kept from the customers service's events."""

    __tablename__ = "customer_projections"

    customer_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    reference_id: Mapped[str | None] = mapped_column(String(64))
    archived: Mapped[bool] = mapped_column(Boolean)
    # The customer's `updated_at` in the event that produced this row (events from before versions).
    source_updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The customer's `aggregate_version` in that event: older events are ignored.
    source_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CustomerAccess(Base):
    """Whether the producer lets this customer use Storefronts (kept from the customers service)."""

    __tablename__ = "customer_access"

    customer_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The customer's `aggregate_version` in the newest access event applied: older ones are ignored.
    customer_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CustomerTeam(Base):
    """A customer's team (its users and their invitations) as the aggregate of this service's events
    about it: `version` grows by one with each such event, in commit order."""

    __tablename__ = "customer_teams"

    customer_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class CustomerUser(Base):
    """A Storefronts user of one customer. `email` is normalised and unique within the customer. Several
    customers may invite the same address (an admin must not learn whether it has a login elsewhere), but
    it is the login name, so only one such user can be active: the one whose invitation was accepted
    first. `password_hash` is set when the invitation is accepted."""

    __tablename__ = "customer_users"
    __table_args__ = (
        UniqueConstraint("customer_id", "email"),
        Index(
            "uq_customer_users_login_email",
            "email",
            unique=True,
            sqlite_where=text("activated_at IS NOT NULL"),
            postgresql_where=text("activated_at IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    email: Mapped[str] = mapped_column(String(320))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(String(20))
    # The stores a store manager manages (ids as strings); empty for every other role.
    store_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    @property
    def active(self) -> bool:
        return self.activated_at is not None

    @property
    def stores(self) -> list[uuid.UUID]:
        return [uuid.UUID(s) for s in self.store_ids]


class EmailedLink:
    """The columns of an e-mail that carries a link with a secret token (invitation, password reset).
    Sending it is a job (mail/sender.py): each attempt makes a fresh token (only its hash is stored) and
    counts in `attempts`; the job's outcome sets `sent_at`, or `failed_at` with `failure_reason`. A newer
    link of the user revokes older ones; a link works once (`used_at`) until `expires_at`."""

    id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(GUID(), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    failure_reason: Mapped[str | None] = mapped_column(Text)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    def usable(self, now: dt.datetime) -> bool:
        """Sent, not expired, and neither used, replaced nor given up."""
        closed = self.used_at or self.revoked_at or self.failed_at
        return self.expires_at is not None and self.expires_at > now and not closed


class Invitation(EmailedLink, Base):
    """An invitation e-mail to a customer user; accepting it sets the first password."""

    __tablename__ = "invitations"

    customer_id: Mapped[uuid.UUID] = mapped_column(GUID())
    customer_name: Mapped[str] = mapped_column(String(200))


class LoginFailure(Base):
    """Failed logins for one key (`account:<email>` or `address:<client address>`) in the current window;
    kept in the database so that every replica throttles alike."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    first_failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class PasswordReset(EmailedLink, Base):
    """A password-reset e-mail for an active customer user; using it sets a new password."""

    __tablename__ = "password_resets"


class TokenRevocation(Base):
    """Access tokens of `subject_id` issued before `not_before` are refused by every service: the user's
    role or stores changed, or the user was removed. Kept as long as such a token could still be valid,
    so that a service process that starts later learns it too (internal revocations endpoint)."""

    __tablename__ = "token_revocations"

    subject_id: Mapped[uuid.UUID] = mapped_column(GUID(), primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(GUID())
    not_before: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
