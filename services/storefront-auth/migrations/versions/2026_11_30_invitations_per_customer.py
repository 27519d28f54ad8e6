"""an address may be invited by several customers; only one of them becomes its login

Revision ID: 0005_invitations_per_customer
Revises: 2026_11_30_jobs
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_invitations_per_customer"
down_revision = "2026_11_30_jobs"
branch_labels = None
depends_on = None

ACTIVE = sa.text("activated_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("customer_users") as batch:
        batch.drop_constraint("uq_customer_users_email", type_="unique")
        batch.create_unique_constraint("uq_customer_users_customer_id", ["customer_id", "email"])
    op.create_index(
        "uq_customer_users_login_email",
        "customer_users",
        ["email"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_customer_users_login_email", table_name="customer_users")
    with op.batch_alter_table("customer_users") as batch:
        batch.drop_constraint("uq_customer_users_customer_id", type_="unique")
        batch.create_unique_constraint("uq_customer_users_email", ["email"])
