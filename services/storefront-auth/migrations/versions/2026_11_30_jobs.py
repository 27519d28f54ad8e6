"""durable jobs and schedules; the link e-mails are sent as jobs (their own retry column goes)

Revision ID: 2026_11_30_jobs
Revises: 0005
Create Date: 2026-11-30
"""

import datetime as dt
import json
import uuid

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime, make_metadata
from printbridge_shared.jobs import create_job_tables_v1, drop_job_tables_v1, job_tables

revision = "2026_11_30_jobs"
down_revision = "0005"
branch_labels = None
depends_on = None

# The job kind of each link table's e-mails, as storefront_auth/mail/sender.py names them.
LINK_MAIL_KINDS = {"invitations": "invitation_mail", "password_resets": "password_reset_mail"}


def upgrade() -> None:
    create_job_tables_v1()
    bind = op.get_bind()
    jobs = job_tables(make_metadata()).jobs
    for table_name, kind in LINK_MAIL_KINDS.items():
        links = sa.table(
            table_name,
            sa.column("id", GUID()),
            sa.column("next_attempt_at", UTCDateTime()),
            sa.column("attempts", sa.Integer()),
            sa.column("sent_at", UTCDateTime()),
            sa.column("failed_at", UTCDateTime()),
            sa.column("revoked_at", UTCDateTime()),
        )
        queued = bind.execute(
            sa.select(links.c.id, links.c.next_attempt_at).where(
                links.c.sent_at.is_(None), links.c.failed_at.is_(None), links.c.revoked_at.is_(None)
            )
        ).all()
        now = dt.datetime.now(dt.UTC)
        for link_id, next_attempt_at in queued:  # still to be sent: each becomes a job
            bind.execute(
                sa.insert(jobs).values(
                    id=uuid.uuid4(),
                    kind=kind,
                    payload=json.dumps({"link_id": str(link_id)}),
                    status="queued",
                    run_at=next_attempt_at,
                    attempts=0,
                    created_at=now,
                )
            )
        op.drop_index(op.f(f"ix_{table_name}_next_attempt_at"), table_name=table_name)
        with op.batch_alter_table(table_name) as batch:
            batch.drop_column("next_attempt_at")


def downgrade() -> None:
    for table_name in LINK_MAIL_KINDS:
        with op.batch_alter_table(table_name) as batch:
            batch.add_column(sa.Column("next_attempt_at", UTCDateTime(), nullable=True))
        op.execute(sa.text(f"UPDATE {table_name} SET next_attempt_at = created_at"))
        with op.batch_alter_table(table_name) as batch:
            batch.alter_column("next_attempt_at", existing_type=UTCDateTime(), nullable=False)
        op.create_index(op.f(f"ix_{table_name}_next_attempt_at"), table_name, ["next_attempt_at"])
    drop_job_tables_v1()
