"""CSV order imports: the import with its progress, the uploaded file in chunks, the failed rows

Revision ID: 2026_11_30_order_imports
Revises: 2026_11_30_idempotency_keys
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "2026_11_30_order_imports"
down_revision = "2026_11_30_idempotency_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_imports",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("store_id", GUID(), nullable=False),
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("delimiter", sa.String(length=1), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("orders_created", sa.Integer(), nullable=False),
        sa.Column("orders_existing", sa.Integer(), nullable=False),
        sa.Column("rows_failed", sa.Integer(), nullable=False),
        sa.Column("errors_total", sa.Integer(), nullable=False),
        sa.Column("lines_done", sa.Integer(), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_imports")),
    )
    op.create_index("ix_order_imports_store_id_created_at", "order_imports", ["store_id", "created_at"])
    op.create_table(
        "order_import_chunks",
        sa.Column("import_id", GUID(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["order_imports.id"],
            name=op.f("fk_order_import_chunks_import_id_order_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("import_id", "sequence", name=op.f("pk_order_import_chunks")),
    )
    op.create_table(
        "order_import_errors",
        sa.Column("import_id", GUID(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("column_name", sa.String(length=255), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["order_imports.id"],
            name=op.f("fk_order_import_errors_import_id_order_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("import_id", "sequence", name=op.f("pk_order_import_errors")),
    )


def downgrade() -> None:
    op.drop_table("order_import_errors")
    op.drop_table("order_import_chunks")
    op.drop_index("ix_order_imports_store_id_created_at", table_name="order_imports")
    op.drop_table("order_imports")
