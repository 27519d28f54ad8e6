"""shop product publications: the shop product each create & publish request made, so that a request
delivered again never makes a second one

Revision ID: 0007_shop_product_publications
Revises: 0006_shop_products_seen
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "0007_shop_product_publications"
down_revision = "0006_shop_products_seen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shop_product_publications",
        sa.Column("request_id", GUID(), primary_key=True),
        sa.Column("store_id", GUID(), sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("external_id", sa.String(100), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_shop_product_publications_store_id", "shop_product_publications", ["store_id"])


def downgrade() -> None:
    op.drop_index("ix_shop_product_publications_store_id", table_name="shop_product_publications")
    op.drop_table("shop_product_publications")
