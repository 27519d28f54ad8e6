"""known customers keep their reference id (Pressero sites connect only for the customer whose reference
id is the site's integration id)

Revision ID: 2026_11_30_reference_id
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "2026_11_30_reference_id"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("known_customers") as batch:
        batch.add_column(sa.Column("reference_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("known_customers") as batch:
        batch.drop_column("reference_id")
