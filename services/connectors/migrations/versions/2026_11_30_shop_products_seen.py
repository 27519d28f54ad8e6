"""shop products seen: the newest version of each shop product published (product sync), and where each
store's product sync stands

Revision ID: 0006_shop_products_seen
Revises: 0005_credentials_refresh_lease
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "0006_shop_products_seen"
down_revision = "0005_credentials_refresh_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shop_products_seen",
        sa.Column("store_id", GUID(), sa.ForeignKey("stores.id"), primary_key=True),
        sa.Column("external_id", sa.String(100), primary_key=True),
        sa.Column("source_updated_at", UTCDateTime(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
    )
    with op.batch_alter_table("stores") as batch:
        batch.add_column(sa.Column("products_synced_until", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("products_full_synced_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("products_full_synced_at")
        batch.drop_column("products_synced_until")
    op.drop_table("shop_products_seen")
