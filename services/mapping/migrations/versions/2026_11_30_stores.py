"""stores: the projection of connectors' stores

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
        "stores",
        sa.Column("store_id", GUID(), primary_key=True),
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
    )
    op.create_index("ix_stores_customer_id", "stores", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_stores_customer_id", table_name="stores")
    op.drop_table("stores")
