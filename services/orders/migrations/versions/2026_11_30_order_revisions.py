"""order revisions: which of two versions of the same second an order holds

Revision ID: 2026_11_30_order_revisions
Revises: 2026_11_30_orders_intake
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_30_order_revisions"
down_revision = "2026_11_30_orders_intake"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("source_revision", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("source_revision")
