"""prepared downloads: which worker process builds one (host and process id), so a worker
started after one that died takes its unfinished files up again

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 02:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('prepared_downloads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('built_by', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('prepared_downloads', schema=None) as batch_op:
        batch_op.drop_column('built_by')
