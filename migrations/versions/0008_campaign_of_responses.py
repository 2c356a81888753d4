"""the utskick of a link and of the responses given through it

Invitations and responses get a nullable `campaign_id` (SET NULL when the utskick is
deleted), so an utskick's results and response rate can be counted from its responses.
It names the utskick, shared by all its recipients, never an address (see
`enkat.models.Campaign`).

Existing rows keep NULL: nothing is backfilled. Links mailed before this revision carry
no campaign (the recipient's pointer to a used link is already cleared, by design), so
their responses stay outside the utskick results.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 00:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TABLES = ('invitations', 'responses')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_campaign_id'), ['campaign_id'],
                                  unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_campaign_id_campaigns'),
                                        'campaigns', ['campaign_id'], ['id'],
                                        ondelete='SET NULL')


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_campaign_id_campaigns'),
                                     type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_campaign_id'))
            batch_op.drop_column('campaign_id')
