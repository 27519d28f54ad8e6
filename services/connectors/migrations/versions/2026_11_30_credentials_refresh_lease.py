"""credentials refresh lease: a version of each store's credentials and the lease one worker takes before
it spends a (rotating) refresh token, so that exactly one refresh wins a race (decision 0012)

Revision ID: 0005_credentials_refresh_lease
Revises: 2026_11_30_reference_id
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import UTCDateTime

revision = "0005_credentials_refresh_lease"
down_revision = "2026_11_30_reference_id"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stores") as batch:
        batch.add_column(sa.Column("credentials_version", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("refresh_lease_holder", sa.String(64), nullable=True))
        batch.add_column(sa.Column("refresh_lease_until", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("refresh_lease_until")
        batch.drop_column("refresh_lease_holder")
        batch.drop_column("credentials_version")
