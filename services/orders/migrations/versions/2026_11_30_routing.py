"""Routing: production lines (with the default line every order without a matching rule goes to) and the
routing rules that send orders to them

Revision ID: 2026_11_30_routing
Revises: 2026_11_30_order_imports
Create Date: 2026-11-30
"""

import datetime as dt
import uuid

import sqlalchemy as sa
from alembic import op

from printbridge_shared.db import GUID, UTCDateTime

revision = "2026_11_30_routing"
down_revision = "2026_11_30_order_imports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    lines = op.create_table(
        "production_lines",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production_lines")),
        sa.UniqueConstraint("code", name=op.f("uq_production_lines_code")),
    )
    op.create_index(
        "uq_production_lines_one_default",
        "production_lines",
        ["is_default"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )
    op.create_table(
        "routing_rules",
        sa.Column("id", GUID(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("production_line_id", GUID(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["production_line_id"],
            ["production_lines.id"],
            name=op.f("fk_routing_rules_production_line_id_production_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
    )
    op.create_index("ix_routing_rules_position", "routing_rules", ["position"])
    op.create_index("ix_routing_rules_production_line_id", "routing_rules", ["production_line_id"])
    # Exactly one default line always: every order without a matching rule goes somewhere from the start.
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        lines,
        [
            {
                "id": uuid.uuid4(),
                "code": "default",
                "name": "Default line",
                "description": None,
                "is_default": True,
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_routing_rules_production_line_id", table_name="routing_rules")
    op.drop_index("ix_routing_rules_position", table_name="routing_rules")
    op.drop_table("routing_rules")
    op.drop_index("uq_production_lines_one_default", table_name="production_lines")
    op.drop_table("production_lines")
