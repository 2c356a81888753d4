"""an index for a report's rated instruments: the responses of an insats to one version,
by date, so a report reads its own förbund's responses and not the whole country's

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 01:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_insats_version_answered',
                              ['insats_id', 'instrument_version_id', 'answered_on'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_insats_version_answered')
