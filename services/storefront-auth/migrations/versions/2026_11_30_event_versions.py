"""event order and retries: the version of each customer's team (grows with each of its events), the
customers service's versions applied to the access switch and the customer projection, and the
outbox's next attempt time

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID
from printbridge_shared.migrations import downgrade_messaging_tables_v2, upgrade_messaging_tables_v2

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_teams",
        sa.Column("customer_id", GUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_teams")),
    )
    with op.batch_alter_table("customer_access") as batch:
        batch.add_column(sa.Column("customer_version", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("customer_projections") as batch:
        batch.add_column(sa.Column("source_version", sa.Integer(), nullable=False, server_default="0"))
    upgrade_messaging_tables_v2()


def downgrade() -> None:
    downgrade_messaging_tables_v2()
    with op.batch_alter_table("customer_projections") as batch:
        batch.drop_column("source_version")
    with op.batch_alter_table("customer_access") as batch:
        batch.drop_column("customer_version")
    op.drop_table("customer_teams")
