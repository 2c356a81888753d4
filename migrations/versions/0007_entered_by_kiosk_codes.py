"""who entered a staff or paper response; wrong kiosk codes counted in the audit log

Responses get `entered_by_id`, the staff member who sent a staff or paper form. The
kiosk's `wrong_codes` column goes: wrong codes are audit events now, counted over a
window that a right code does not reset (enkat.services.kiosks).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 18:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entered_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_responses_entered_by_id_users'), 'users',
                                    ['entered_by_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.drop_column('wrong_codes')


def downgrade():
    with op.batch_alter_table('kiosks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wrong_codes', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_responses_entered_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('entered_by_id')
