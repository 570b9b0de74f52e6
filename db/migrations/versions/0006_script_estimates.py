"""script understanding: every script version keeps its word count, estimated length and where it came from

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 08:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('scripts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('estimated_duration', sa.Float(), nullable=False, server_default='0'))
    # Versions saved before this revision: counts unknown (0); all of them were the creator's.
    with op.batch_alter_table('script_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('word_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('estimated_duration', sa.Float(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('source', sa.String(length=20), nullable=False, server_default='creator'))


def downgrade() -> None:
    with op.batch_alter_table('script_versions', schema=None) as batch_op:
        batch_op.drop_column('source')
        batch_op.drop_column('estimated_duration')
        batch_op.drop_column('word_count')
    with op.batch_alter_table('scripts', schema=None) as batch_op:
        batch_op.drop_column('estimated_duration')
