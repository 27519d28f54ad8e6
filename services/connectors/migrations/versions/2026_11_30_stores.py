"""stores: stores with their encrypted credentials and history, OAuth connect attempts, webhook
deliveries as received, the shop orders seen, and the customers stores may belong to

Revision ID: 0003
Revises: 2026_11_30_jobs
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "0003"
down_revision = "2026_11_30_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "known_customers",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "stores",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("shop_key", sa.String(500), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("credentials", sa.LargeBinary(), nullable=True),
        sa.Column("granted_scopes", sa.Text(), nullable=True),
        sa.Column("orders_polled_until", UTCDateTime(), nullable=True),
        sa.Column("last_polled_at", UTCDateTime(), nullable=True),
        sa.Column("connected_at", UTCDateTime(), nullable=True),
        sa.Column("disconnected_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("ix_stores_customer_id", "stores", ["customer_id"])
    op.create_index("ix_stores_status", "stores", ["status"])
    op.create_index(
        "uq_stores_live_shop",
        "stores",
        ["platform", "shop_key"],
        unique=True,
        sqlite_where=sa.text("status != 'disconnected'"),
        postgresql_where=sa.text("status != 'disconnected'"),
    )
    op.create_table(
        "store_history",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("store_id", GUID(), sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_store_history_store_id", "store_history", ["store_id"])
    op.create_table(
        "connect_attempts",
        sa.Column("state_hash", sa.String(64), primary_key=True),
        sa.Column("store_id", GUID(), sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("return_url", sa.Text(), nullable=True),
        sa.Column("secret", sa.LargeBinary(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_connect_attempts_store_id", "connect_attempts", ["store_id"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("store_id", GUID(), sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("change_key", sa.String(200), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index(
        "uq_webhook_deliveries_change", "webhook_deliveries", ["store_id", "change_key"], unique=True
    )
    op.create_index("ix_webhook_deliveries_received_at", "webhook_deliveries", ["received_at"])
    op.create_table(
        "shop_orders_seen",
        sa.Column("store_id", GUID(), sa.ForeignKey("stores.id"), primary_key=True),
        sa.Column("external_id", sa.String(100), primary_key=True),
        sa.Column("source_updated_at", UTCDateTime(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "shop_orders_seen",
        "webhook_deliveries",
        "connect_attempts",
        "store_history",
        "stores",
        "known_customers",
    ):
        op.drop_table(table)
