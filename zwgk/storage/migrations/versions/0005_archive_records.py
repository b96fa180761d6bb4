"""archive_records: where each fetched URL's WARC record lives

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 07:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archive_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("record_type", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=100), nullable=False),
        sa.Column("warc_file", sa.String(length=500), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("request_length", sa.Integer(), nullable=False),
        sa.Column("refers_file", sa.String(length=500), nullable=True),
        sa.Column("refers_offset", sa.BigInteger(), nullable=True),
        sa.Column("refers_length", sa.Integer(), nullable=True),
        sa.Column("payload_digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "unit_id", "url", name="uq_archive_round_unit_url"),
    )
    with op.batch_alter_table("archive_records", schema=None) as batch_op:
        batch_op.create_index("ix_archive_round_unit", ["round_id", "unit_id"], unique=False)
        batch_op.create_index("ix_archive_unit_url", ["unit_id", "url"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("archive_records", schema=None) as batch_op:
        batch_op.drop_index("ix_archive_unit_url")
        batch_op.drop_index("ix_archive_round_unit")
    op.drop_table("archive_records")
