"""design files and templates: checked print files per owner, and customers' saved product configurations

Revision ID: 2026_11_30_templates
Revises: 2026_11_30_catalog_products
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "2026_11_30_templates"
down_revision = "2026_11_30_catalog_products"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "design_files",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("owner_kind", sa.String(length=20), nullable=False),
        sa.Column("owner_id", GUID(), nullable=False),
        sa.Column("area", sa.String(length=40), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("problem", sa.String(length=30), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("fix", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("checked_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("owner_kind", "owner_id", "area", name="uq_design_files_owner_kind"),
    )
    op.create_index("ix_design_files_customer_id", "design_files", ["customer_id"])
    op.create_index("ix_design_files_status", "design_files", ["status"])
    op.create_table(
        "templates",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("product_uid", sa.String(length=200), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.UniqueConstraint("customer_id", "name_key", name="uq_templates_customer_id"),
    )
    op.create_index("ix_templates_customer_id", "templates", ["customer_id"])
    op.create_index("ix_templates_name_key", "templates", ["name_key"])
    op.create_index("ix_templates_product_uid", "templates", ["product_uid"])


def downgrade() -> None:
    op.drop_index("ix_templates_product_uid", table_name="templates")
    op.drop_index("ix_templates_name_key", table_name="templates")
    op.drop_index("ix_templates_customer_id", table_name="templates")
    op.drop_table("templates")
    op.drop_index("ix_design_files_status", table_name="design_files")
    op.drop_index("ix_design_files_customer_id", table_name="design_files")
    op.drop_table("design_files")
