"""shop fulfilment: each order keeps the parcels its shop was asked to record and what became of them

Revision ID: 2026_11_30_shop_fulfilment
Revises: 2026_11_30_postbacks
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_30_shop_fulfilment"
down_revision = "2026_11_30_postbacks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("shop_fulfillments", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("shop_fulfillments")
