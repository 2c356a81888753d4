"""prepared downloads: files the worker builds for the user who asked

A new table, `prepared_downloads`: who asked, for which förbund, what to build (`spec`),
its state (queued, preparing, ready, failed with a Swedish reason) and, once ready, the
file itself, so that every web server of the installation can send it. The purge deletes
rows a day after they were asked for.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 21:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'prepared_downloads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('forbund_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('file_format', sa.String(length=10), nullable=False),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('spec', sa.JSON(), nullable=False),
        sa.Column('audit_detail', sa.JSON(), nullable=False),
        sa.Column('back_to', sa.String(length=2000), nullable=False),
        sa.Column('state', sa.Enum('queued', 'preparing', 'ready', 'failed',
                                   name='prepareddownloadstate', native_enum=False,
                                   create_constraint=True, length=20), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('asked_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(['forbund_id'], ['forbund.id'],
                                name=op.f('fk_prepared_downloads_forbund_id_forbund'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_prepared_downloads_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_prepared_downloads')),
    )
    with op.batch_alter_table('prepared_downloads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prepared_downloads_asked_at'), ['asked_at'])
        batch_op.create_index(batch_op.f('ix_prepared_downloads_forbund_id'), ['forbund_id'])
        batch_op.create_index(batch_op.f('ix_prepared_downloads_user_id'), ['user_id'])


def downgrade():
    op.drop_table('prepared_downloads')
