"""政务新媒体: the units' account registry and the accounts' posts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 11:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media_accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("account_code", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("feed_url", sa.String(length=2000), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("observed_until", sa.DateTime(), nullable=True),
        sa.Column("check_status", sa.String(length=16), nullable=False),
        sa.Column("check_detail", sa.String(length=500), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "platform", "name", name="uq_media_account"),
    )
    with op.batch_alter_table("media_accounts", schema=None) as batch_op:
        batch_op.create_index("ix_media_accounts_unit", ["unit_id"], unique=False)
    op.create_table(
        "media_posts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("posted_at", sa.DateTime(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("comments", sa.Integer(), nullable=False),
        sa.Column("replied", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["media_accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "posted_at", "title", name="uq_media_post"),
    )
    with op.batch_alter_table("media_posts", schema=None) as batch_op:
        batch_op.create_index("ix_media_posts_account_time", ["account_id", "posted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("media_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_media_posts_account_time")
    op.drop_table("media_posts")
    with op.batch_alter_table("media_accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_media_accounts_unit")
    op.drop_table("media_accounts")
