"""product drafts: products customers design from the catalog to create in their shops (create & publish)

Revision ID: 2026_11_30_product_drafts
Revises: 2026_11_30_shop_products
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "2026_11_30_product_drafts"
down_revision = "2026_11_30_shop_products"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_drafts",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("store_id", GUID(), nullable=False),
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("product_type", sa.String(length=255), nullable=True),
        sa.Column("product_uid", sa.String(length=200), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.Column("image_urls", sa.JSON(), nullable=False),
        sa.Column("template_id", GUID(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("request_id", GUID(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("external_product_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("request_id", name="uq_product_drafts_request_id"),
    )
    op.create_index("ix_product_drafts_store_id", "product_drafts", ["store_id"])
    op.create_index("ix_product_drafts_customer_id", "product_drafts", ["customer_id"])


def downgrade() -> None:
    op.drop_table("product_drafts")
