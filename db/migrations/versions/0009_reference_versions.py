"""character reference pictures keep their versions: what each was drawn from (or that it was uploaded), by key

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 10:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('characters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference_params', JSON_TYPE, nullable=False,
                                      server_default=sa.text("'{}'")))  # existing rows: {}
    with op.batch_alter_table('characters', schema=None) as batch_op:
        batch_op.alter_column('reference_params', server_default=None)  # as the model: the app always sets it


def downgrade() -> None:
    with op.batch_alter_table('characters', schema=None) as batch_op:
        batch_op.drop_column('reference_params')
