"""test runs: a test order per run, verifying a store's integration step by step

Revision ID: 2026_11_30_test_runs
Revises: 2026_11_30_shop_fulfilment
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "2026_11_30_test_runs"
down_revision = "2026_11_30_shop_fulfilment"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "test_runs",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("order_id", GUID(), nullable=False),
        sa.Column("store_id", GUID(), nullable=False),
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_test_runs_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_runs")),
        sa.UniqueConstraint("order_id", name=op.f("uq_test_runs_order_id")),
    )
    op.create_index(op.f("ix_test_runs_store_id"), "test_runs", ["store_id"])
    op.create_index(op.f("ix_test_runs_customer_id"), "test_runs", ["customer_id"])


def downgrade() -> None:
    op.drop_table("test_runs")
