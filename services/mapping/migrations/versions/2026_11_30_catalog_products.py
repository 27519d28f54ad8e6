"""catalog products: the producer's production catalog

Revision ID: 2026_11_30_catalog_products
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "2026_11_30_catalog_products"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_products",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("product_uid", sa.String(length=200), nullable=False, unique=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("print_areas", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
    )
    op.create_index("ix_catalog_products_name_key", "catalog_products", ["name_key"])
    op.create_index("ix_catalog_products_type", "catalog_products", ["type"])


def downgrade() -> None:
    op.drop_index("ix_catalog_products_type", table_name="catalog_products")
    op.drop_index("ix_catalog_products_name_key", table_name="catalog_products")
    op.drop_table("catalog_products")
