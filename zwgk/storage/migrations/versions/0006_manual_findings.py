"""manual findings: evaluator-added findings and vetoes with their audit record

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "manual_findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=2000), nullable=False),
        sa.Column("page", sa.String(length=2000), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("screenshot_name", sa.String(length=300), nullable=False),
        sa.Column("screenshot_sha256", sa.String(length=64), nullable=False),
        sa.Column("screenshot", sa.LargeBinary(), nullable=True),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("manual_findings", schema=None) as batch_op:
        batch_op.create_index("ix_manual_findings_round_unit", ["round_id", "unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("manual_findings", schema=None) as batch_op:
        batch_op.drop_index("ix_manual_findings_round_unit")
    op.drop_table("manual_findings")
