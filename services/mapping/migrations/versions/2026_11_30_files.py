"""design files: uploaded designs' metadata (their bytes are in the file store)

Revision ID: 2026_11_30_files
Revises: 2026_11_30_templates
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "2026_11_30_files"
down_revision = "2026_11_30_templates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploaded_files",
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", GUID(), nullable=False),
    )
    op.create_index(
        "ix_uploaded_files_customer_id_created_at", "uploaded_files", ["customer_id", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_uploaded_files_customer_id_created_at", table_name="uploaded_files")
    op.drop_table("uploaded_files")
