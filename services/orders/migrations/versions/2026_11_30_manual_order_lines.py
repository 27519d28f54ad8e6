"""manual order lines: the product, template, print files and options a manual order names

Revision ID: 2026_11_30_manual_order_lines
Revises: 2026_11_30_order_revisions
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID

revision = "2026_11_30_manual_order_lines"
down_revision = "2026_11_30_order_revisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(sa.Column("product_uid", sa.String(200), nullable=True))
        batch.add_column(sa.Column("template_id", GUID(), nullable=True))
        batch.add_column(sa.Column("files", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("options", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        for name in ("options", "files", "template_id", "product_uid"):
            batch.drop_column(name)
