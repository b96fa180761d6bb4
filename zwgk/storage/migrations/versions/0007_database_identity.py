"""database identity (zwgk_meta.database_id) and monitor job runs (scheduler catch-up)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 11:00:00
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = op.create_table(
        "zwgk_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    # Made once, when the database gets this revision: a copy (pg_restore, cp) keeps it,
    # which is what a worker should see — the same rounds under the same ids.
    op.bulk_insert(meta, [{"key": "database_id", "value": uuid.uuid4().hex}])
    op.create_table(
        "monitor_job_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("due", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("caught_up", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("monitor_job_runs", schema=None) as batch_op:
        batch_op.create_index("ix_monitor_job_runs_job_due", ["job", "due"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("monitor_job_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_monitor_job_runs_job_due")
    op.drop_table("monitor_job_runs")
    op.drop_table("zwgk_meta")
