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
    # Parallel saves used to repeat version numbers: renumber each script's versions in save order first.
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, script_id FROM script_versions ORDER BY script_id, version, created_at"
    )).fetchall()
    counts: dict = {}
    for row_id, script_id in rows:
        counts[script_id] = counts.get(script_id, 0) + 1
        conn.execute(sa.text("UPDATE script_versions SET version = :v WHERE id = :id"),
                     {"v": counts[script_id], "id": row_id})
    for script_id, last in counts.items():
        conn.execute(sa.text("UPDATE scripts SET version = :v WHERE id = :id"), {"v": last, "id": script_id})
    with op.batch_alter_table('script_versions', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_script_versions_script_version', ['script_id', 'version'])
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.alter_column('target_duration', existing_type=sa.Integer(), nullable=True)
    # Until now the value was stored and never used: keep existing storyboards as they were planned.
    op.execute("UPDATE projects SET target_duration = NULL")


def downgrade() -> None:
    op.execute("UPDATE projects SET target_duration = 60 WHERE target_duration IS NULL")
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.alter_column('target_duration', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('script_versions', schema=None) as batch_op:
        batch_op.drop_constraint('uq_script_versions_script_version', type_='unique')
