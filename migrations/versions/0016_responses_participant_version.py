"""an index for a report's courses: a deltagare's responses to one version, by date, in
place of the index on the deltagare alone (its first column), so SQLite, reading a
report's courses deltagare by deltagare, reads only their ratings on the instrument

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 04:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_participant_version_answered',
                              ['participant_id', 'instrument_version_id', 'answered_on'],
                              unique=False)
        batch_op.drop_index('ix_responses_participant_id')


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_participant_id', ['participant_id'], unique=False)
        batch_op.drop_index('ix_responses_participant_version_answered')
