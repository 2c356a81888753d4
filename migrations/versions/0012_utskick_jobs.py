"""utskick are mailed by a job: each address's place in the queue, and scheduled reminders

Recipients get `queued_at` (the round they wait for), `claimed_at` (a worker took the
mail) and `replaced_token_hash` (the link's token before the claim, put back when the
mail is refused). Campaigns get `first_sent_at`, `remind_after_days`, `auto_reminded_at`,
`worked_on_at` and `mailing_problem`. Existing rows keep NULL: nothing is queued, and an
utskick sent before this revision has no automatic reminder (its first send is unknown).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 21:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign_recipients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queued_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('replaced_token_hash', sa.String(length=64),
                                      nullable=True))
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('remind_after_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('auto_reminded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('worked_on_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('mailing_problem', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        for column in ('mailing_problem', 'worked_on_at', 'auto_reminded_at',
                       'remind_after_days', 'first_sent_at'):
            batch_op.drop_column(column)
    with op.batch_alter_table('campaign_recipients', schema=None) as batch_op:
        for column in ('replaced_token_hash', 'claimed_at', 'queued_at'):
            batch_op.drop_column(column)
