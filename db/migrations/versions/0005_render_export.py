"""render and export: a camera move per shot, the creator's subtitle edits, segments and cover of each video

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 05:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('shots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('motion', sa.String(length=20), nullable=False, server_default='auto'))
    # Existing subtitles were made by renders ('auto'); the shot start they were timed against is unknown.
    with op.batch_alter_table('subtitles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=10), nullable=False, server_default='auto'))
        batch_op.add_column(sa.Column('shot_start', sa.Float(), nullable=True))
    with op.batch_alter_table('videos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cover_key', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('ass_key', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('segments', JSON_TYPE, nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table('videos', schema=None) as batch_op:
        batch_op.alter_column('segments', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('videos', schema=None) as batch_op:
        batch_op.drop_column('segments')
        batch_op.drop_column('ass_key')
        batch_op.drop_column('cover_key')
    with op.batch_alter_table('subtitles', schema=None) as batch_op:
        batch_op.drop_column('shot_start')
        batch_op.drop_column('origin')
    with op.batch_alter_table('shots', schema=None) as batch_op:
        batch_op.drop_column('motion')
