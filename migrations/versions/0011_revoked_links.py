"""an enkätlänk can be revoked: when and by whom

Invitations get a nullable `revoked_at` and `revoked_by_id` (SET NULL when the user is
removed). A revoked link opens nothing; its draft, if one was begun, stays in the
database. Existing links keep NULL: none was revoked before this revision.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:25:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invitations_revoked_by_id_users'),
                                    'users', ['revoked_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invitations_revoked_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('revoked_at')
