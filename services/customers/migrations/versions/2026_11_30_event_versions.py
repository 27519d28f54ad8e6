"""event order and retries: the customer's version (grows with each of its events), the newest
storefront-auth team version applied to its invitation status, and the outbox's next attempt time

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.migrations import downgrade_messaging_tables_v2, upgrade_messaging_tables_v2

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("team_version", sa.Integer(), nullable=False, server_default="0"))
    upgrade_messaging_tables_v2()


def downgrade() -> None:
    downgrade_messaging_tables_v2()
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("team_version")
        batch.drop_column("version")
