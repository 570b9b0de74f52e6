"""the editor: character voice overrides, the creator's prompt per shot, and input hashes for staleness

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 10:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    # Existing characters get no overrides ('{}'); the model supplies the value from then on.
    with op.batch_alter_table('characters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voice', JSON_TYPE, nullable=False, server_default=sa.text("'{}'")))
    with op.batch_alter_table('characters', schema=None) as batch_op:
        batch_op.alter_column('voice', server_default=None)
    with op.batch_alter_table('shots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prompt_override', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('voice_hash', sa.String(length=64), nullable=True))
    with op.batch_alter_table('shot_images', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inputs_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('shot_images', schema=None) as batch_op:
        batch_op.drop_column('inputs_hash')
    with op.batch_alter_table('shots', schema=None) as batch_op:
        batch_op.drop_column('voice_hash')
        batch_op.drop_column('prompt_override')
    with op.batch_alter_table('characters', schema=None) as batch_op:
        batch_op.drop_column('voice')
