"""resolution: print files that came with orders, production items, holds, status versions and
history actors; the projections of mapping's variant mappings, catalog products and templates

Revision ID: 2026_11_30_resolution
Revises: 2026_11_30_routing
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "2026_11_30_resolution"
down_revision = "2026_11_30_routing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("status_changed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("hold_reasons", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("manual_hold", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("production_line_id", GUID(), nullable=True))
        batch.add_column(sa.Column("routing_rule_id", GUID(), nullable=True))
        batch.add_column(sa.Column("tracking", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("cancel_requested_at", UTCDateTime(), nullable=True))
        batch.create_index("ix_orders_production_line_id", ["production_line_id"])
        batch.create_index("ix_orders_status_status_changed_at", ["status", "status_changed_at"])
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(sa.Column("item", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("item_status", sa.String(20), nullable=False, server_default="received"))
        batch.add_column(sa.Column("rejection", sa.JSON(), nullable=True))
    with op.batch_alter_table("order_events") as batch:
        batch.add_column(sa.Column("status", sa.String(20), nullable=True))
        batch.add_column(sa.Column("actor", sa.String(320), nullable=True))
    op.create_table(
        "order_files",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("order_id", GUID(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(100), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("problem", sa.String(40), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("fix", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("checked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_files_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_files")),
        sa.UniqueConstraint("order_id", "position", "area", name="uq_order_files_order_id_position_area"),
    )
    op.create_index("ix_order_files_status", "order_files", ["status"])
    op.create_table(
        "variant_mappings",
        sa.Column("shop_variant_id", GUID(), nullable=False),
        sa.Column("store_id", GUID(), nullable=False),
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("external_product_id", sa.String(255), nullable=False),
        sa.Column("external_variant_id", sa.String(255), nullable=False),
        sa.Column("sku", sa.String(255), nullable=True),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("product_uid", sa.String(200), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("issues", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("shop_variant_id", name=op.f("pk_variant_mappings")),
    )
    op.create_index(
        "ix_variant_mappings_store_variant", "variant_mappings", ["store_id", "external_variant_id"]
    )
    op.create_index(
        "ix_variant_mappings_store_product", "variant_mappings", ["store_id", "external_product_id"]
    )
    op.create_index("ix_variant_mappings_customer_sku", "variant_mappings", ["customer_id", "sku"])
    op.create_table(
        "catalog_products",
        sa.Column("product_uid", sa.String(200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("print_areas", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("product_uid", name=op.f("pk_catalog_products")),
    )
    op.create_table(
        "templates",
        sa.Column("template_id", GUID(), nullable=False),
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("product_uid", sa.String(200), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("template_id", name=op.f("pk_templates")),
    )
    op.create_index("ix_templates_customer_id", "templates", ["customer_id"])


def downgrade() -> None:
    op.drop_table("templates")
    op.drop_table("catalog_products")
    op.drop_table("variant_mappings")
    op.drop_table("order_files")
    with op.batch_alter_table("order_events") as batch:
        batch.drop_column("actor")
        batch.drop_column("status")
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("rejection")
        batch.drop_column("item_status")
        batch.drop_column("item")
    with op.batch_alter_table("orders") as batch:
        batch.drop_index("ix_orders_status_status_changed_at")
        batch.drop_index("ix_orders_production_line_id")
        for column in (
            "cancel_requested_at",
            "tracking",
            "routing_rule_id",
            "production_line_id",
            "manual_hold",
            "hold_reasons",
            "status_changed_at",
            "version",
        ):
            batch.drop_column(column)
