"""shop products: the connected shops' products and variants as connectors publishes them, and the
mappings of variants to catalog products

Revision ID: 2026_11_30_shop_products
Revises: 2026_11_30_files
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "2026_11_30_shop_products"
down_revision = "2026_11_30_files"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shop_products",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("store_id", GUID(), nullable=False),
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_key", sa.String(length=200), nullable=False),
        sa.Column("handle", sa.Text(), nullable=True),
        sa.Column("product_type", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("platform_status", sa.String(length=30), nullable=False),
        sa.Column("mapping_status", sa.String(length=20), nullable=False),
        sa.Column("source_updated_at", UTCDateTime(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("synced_at", UTCDateTime(), nullable=False),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("store_id", "external_id", name="uq_shop_products_store_id"),
    )
    op.create_index("ix_shop_products_customer_id", "shop_products", ["customer_id"])
    op.create_index("ix_shop_products_mapping_status", "shop_products", ["mapping_status"])
    op.create_index("ix_shop_products_store_id_title_key", "shop_products", ["store_id", "title_key", "id"])
    op.create_table(
        "shop_variants",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("shop_product_id", GUID(), sa.ForeignKey("shop_products.id"), nullable=False),
        sa.Column("store_id", GUID(), nullable=False),
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("sku", sa.String(length=200), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("price", sa.String(length=40), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("mapping_status", sa.String(length=20), nullable=False),
        sa.Column("mapping_version", sa.Integer(), server_default="0", nullable=False),
        sa.UniqueConstraint("shop_product_id", "external_id", name="uq_shop_variants_shop_product_id"),
    )
    op.create_index("ix_shop_variants_shop_product_id", "shop_variants", ["shop_product_id"])
    op.create_index("ix_shop_variants_store_id", "shop_variants", ["store_id"])
    op.create_index("ix_shop_variants_sku", "shop_variants", ["sku"])
    op.create_table(
        "variant_mappings",
        sa.Column("shop_variant_id", GUID(), sa.ForeignKey("shop_variants.id"), primary_key=True),
        sa.Column("store_id", GUID(), nullable=False),
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("product_uid", sa.String(length=200), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_variant_mappings_store_id", "variant_mappings", ["store_id"])
    op.create_index("ix_variant_mappings_product_uid", "variant_mappings", ["product_uid"])


def downgrade() -> None:
    op.drop_table("variant_mappings")
    op.drop_table("shop_variants")
    op.drop_table("shop_products")
