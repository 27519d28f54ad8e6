"""outbox: when the embedded bus delivers a failed event again

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from printbridge_shared.migrations import downgrade_messaging_tables_v2, upgrade_messaging_tables_v2

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_messaging_tables_v2()


def downgrade() -> None:
    downgrade_messaging_tables_v2()
