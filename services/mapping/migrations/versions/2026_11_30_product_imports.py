"""product imports: CSV files of a store's variant mappings, their progress and the rows that failed

Revision ID: 2026_11_30_product_imports
Revises: 2026_11_30_product_drafts
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "2026_11_30_product_imports"
down_revision = "2026_11_30_product_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_imports",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("store_id", GUID(), nullable=False),
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("delimiter", sa.String(length=1), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("applied_rows", sa.Integer(), nullable=False),
        sa.Column("unchanged_rows", sa.Integer(), nullable=False),
        sa.Column("skipped_rows", sa.Integer(), nullable=False),
        sa.Column("failed_rows", sa.Integer(), nullable=False),
        sa.Column("errors_total", sa.Integer(), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_product_imports_customer_id", "product_imports", ["customer_id"])
    op.create_index("ix_product_imports_store_id_created_at", "product_imports", ["store_id", "created_at"])
    op.create_table(
        "product_import_files",
        sa.Column(
            "import_id", GUID(), sa.ForeignKey("product_imports.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "product_import_errors",
        sa.Column(
            "import_id", GUID(), sa.ForeignKey("product_imports.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("sequence", sa.Integer(), primary_key=True),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("column_name", sa.String(length=255), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("product_import_errors")
    op.drop_table("product_import_files")
    op.drop_index("ix_product_imports_store_id_created_at", table_name="product_imports")
    op.drop_index("ix_product_imports_customer_id", table_name="product_imports")
    op.drop_table("product_imports")
