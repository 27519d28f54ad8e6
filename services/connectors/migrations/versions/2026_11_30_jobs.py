"""durable jobs and schedules (printbridge_shared.jobs)

Revision ID: 2026_11_30_jobs
Revises: 0002
Create Date: 2026-11-30
"""

from printbridge_shared.jobs import create_job_tables_v1, drop_job_tables_v1

revision = "2026_11_30_jobs"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_job_tables_v1()


def downgrade() -> None:
    drop_job_tables_v1()
