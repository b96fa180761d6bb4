"""info_requests: the 依申请公开 register (unit ledgers) and inspectors' channel tests

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 11:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "info_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=False),
        sa.Column("received", sa.Date(), nullable=True),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("applicant", sa.String(length=50), nullable=False),
        sa.Column("replied", sa.Date(), nullable=True),
        sa.Column("result", sa.String(length=200), nullable=False),
        sa.Column("extended", sa.Boolean(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("info_requests", schema=None) as batch_op:
        batch_op.create_index("ix_info_requests_unit", ["unit_id", "kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("info_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_info_requests_unit")
    op.drop_table("info_requests")
