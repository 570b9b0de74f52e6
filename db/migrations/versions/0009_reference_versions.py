"""character reference pictures keep their versions: what each was drawn from (or that it was uploaded), by key

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('characters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference_params', sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), 'postgresql'),
                                      nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('characters', schema=None) as batch_op:
        batch_op.drop_column('reference_params')
