"""artwork properties: the mappings projection keeps the print areas whose file an order line brings

Revision ID: 2026_11_30_artwork_properties
Revises: 2026_11_30_resolution
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_30_artwork_properties"
down_revision = "2026_11_30_resolution"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("variant_mappings") as batch:
        batch.add_column(sa.Column("artwork_properties", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("variant_mappings") as batch:
        batch.drop_column("artwork_properties")
