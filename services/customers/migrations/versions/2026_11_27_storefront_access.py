"""storefront access: the customer admin and the invitation's progress

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("admin_email", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("admin_first_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("admin_last_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("invited_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("activated_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("invitation_failure_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        for column in (
            "invitation_failure_reason",
            "activated_at",
            "invited_at",
            "admin_last_name",
            "admin_first_name",
            "admin_email",
        ):
            batch.drop_column(column)
