"""postbacks: the producer's endpoints, the deliveries of every order status change to them, and each
attempt of a delivery

Revision ID: 2026_11_30_postbacks
Revises: 2026_11_30_artwork_properties
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "2026_11_30_postbacks"
down_revision = "2026_11_30_artwork_properties"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "postback_endpoints",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("event_types", sa.JSON(), nullable=True),
        sa.Column("customer_id", GUID(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("secret_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("previous_secret_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("previous_secret_expires_at", UTCDateTime(), nullable=True),
        sa.Column("last_success_at", UTCDateTime(), nullable=True),
        sa.Column("failing_since", UTCDateTime(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postback_endpoints")),
    )
    op.create_index("ix_postback_endpoints_customer_id", "postback_endpoints", ["customer_id"])
    op.create_table(
        "postback_deliveries",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("endpoint_id", GUID(), nullable=False),
        sa.Column("order_id", GUID(), nullable=True),
        sa.Column("order_version", sa.Integer(), nullable=True),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("first_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["postback_endpoints.id"],
            name=op.f("fk_postback_deliveries_endpoint_id_postback_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postback_deliveries")),
    )
    op.create_index(
        "ix_postback_deliveries_pair",
        "postback_deliveries",
        ["endpoint_id", "order_id", "status", "order_version"],
    )
    op.create_index(
        "ix_postback_deliveries_endpoint_id_created_at", "postback_deliveries", ["endpoint_id", "created_at"]
    )
    op.create_index(
        "ix_postback_deliveries_status_next_attempt_at", "postback_deliveries", ["status", "next_attempt_at"]
    )
    op.create_table(
        "postback_attempts",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("delivery_id", GUID(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("response_excerpt", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["postback_deliveries.id"],
            name=op.f("fk_postback_attempts_delivery_id_postback_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postback_attempts")),
    )
    op.create_index("ix_postback_attempts_delivery_id", "postback_attempts", ["delivery_id"])


def downgrade() -> None:
    op.drop_table("postback_attempts")
    op.drop_table("postback_deliveries")
    op.drop_table("postback_endpoints")
