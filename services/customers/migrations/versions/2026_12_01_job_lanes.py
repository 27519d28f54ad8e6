"""a lane per job kind: the due jobs of one kind, oldest first (printbridge_shared.jobs, step 2)

Revision ID: 2026_12_01_job_lanes
Revises: 2026_11_30_jobs
Create Date: 2026-12-01
"""

from printbridge_shared.jobs import create_lanes_index_v2, drop_lanes_index_v2

revision = "2026_12_01_job_lanes"
down_revision = "2026_11_30_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_lanes_index_v2()


def downgrade() -> None:
    drop_lanes_index_v2()
