"""samhällsnytta: price lists per förbund and year, and the cost of an insats per period

`price_lists` with their `support_prices` (monthly kronor and payer per försörjning
source, or a source marked "ej prissatt"), and `insats_costs` (beviljat medel and utfall
per period). New tables only: nothing to backfill.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 06:50:19.258973

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('price_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forbund_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('example', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['forbund_id'], ['forbund.id'], name=op.f('fk_price_lists_forbund_id_forbund'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_price_lists_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_lists')),
    sa.UniqueConstraint('forbund_id', 'year', name=op.f('uq_price_lists_forbund_id_year'))
    )
    op.create_table('insats_costs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('insats_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('granted_kronor', sa.BigInteger(), nullable=False),
    sa.Column('spent_kronor', sa.BigInteger(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['insats_id'], ['insatser.id'], name=op.f('fk_insats_costs_insats_id_insatser'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_insats_costs_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insats_costs')),
    sa.UniqueConstraint('insats_id', 'starts_on', 'ends_on', name=op.f('uq_insats_costs_insats_id_starts_on_ends_on'))
    )
    op.create_table('support_prices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('price_list_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('kronor', sa.BigInteger(), nullable=True),
    sa.Column('payer', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['price_list_id'], ['price_lists.id'], name=op.f('fk_support_prices_price_list_id_price_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_prices')),
    sa.UniqueConstraint('price_list_id', 'source', name=op.f('uq_support_prices_price_list_id_source'))
    )


def downgrade():
    op.drop_table('support_prices')
    op.drop_table('insats_costs')
    op.drop_table('price_lists')
