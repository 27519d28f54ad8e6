"""idempotency keys: the answer given to a manual order placed with an Idempotency-Key

Revision ID: 2026_11_30_idempotency_keys
Revises: 2026_11_30_manual_order_lines
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "2026_11_30_idempotency_keys"
down_revision = "2026_11_30_manual_order_lines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("store_id", GUID(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("order_id", GUID(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index("ix_idempotency_keys_store_id_created_at", "idempotency_keys", ["store_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_store_id_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
