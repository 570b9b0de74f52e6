"""script versions unique per script; a project's target duration is optional

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 02:10:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('script_versions', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_script_versions_script_version', ['script_id', 'version'])
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.alter_column('target_duration', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE projects SET target_duration = 60 WHERE target_duration IS NULL")
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.alter_column('target_duration', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('script_versions', schema=None) as batch_op:
        batch_op.drop_constraint('uq_script_versions_script_version', type_='unique')
