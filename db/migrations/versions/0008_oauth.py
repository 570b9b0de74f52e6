"""social login: provider accounts linked to users, and the logins under way (state, nonce, PKCE verifier)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'oauth_identities',
        sa.Column('issuer', sa.String(length=255), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('email', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('issuer', 'subject'),
    )
    op.create_index('ix_oauth_identities_user_id', 'oauth_identities', ['user_id'])
    op.create_table(
        'oauth_logins',
        sa.Column('state_hash', sa.String(length=64), nullable=False),
        sa.Column('issuer', sa.String(length=255), nullable=False),
        sa.Column('nonce', sa.String(length=128), nullable=False),
        sa.Column('code_verifier', sa.String(length=128), nullable=False),
        sa.Column('next_path', sa.String(length=2000), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('state_hash'),
    )
    op.create_index('ix_oauth_logins_expires_at', 'oauth_logins', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_oauth_logins_expires_at', table_name='oauth_logins')
    op.drop_table('oauth_logins')
    op.drop_index('ix_oauth_identities_user_id', table_name='oauth_identities')
    op.drop_table('oauth_identities')
