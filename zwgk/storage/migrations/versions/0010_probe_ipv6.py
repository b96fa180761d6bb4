"""IPv6 monitoring probes: probes.ipv6 marks a homepage fetched over IPv6 only

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows are availability probes (IPv4 / the default path): false.
    with op.batch_alter_table("probes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ipv6", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.execute("DELETE FROM probes WHERE ipv6")
    with op.batch_alter_table("probes", schema=None) as batch_op:
        batch_op.drop_column("ipv6")
