"""report documents a förbund files, and the granted kronor of an insats

Kvartals-, del-, slut- and helårsrapporter (`report_documents`) with their written
sections (`document_texts`), comments (`document_comments`) and entered figures
(`document_figures`); a förbund's adaptations of the bundled templates
(`document_templates`); `insatser.granted_kronor` (beviljat medel). New tables only and
one nullable column: nothing to backfill.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 03:43:12.630962

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forbund_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['forbund_id'], ['forbund.id'], name=op.f('fk_document_templates_forbund_id_forbund'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_document_templates_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_templates')),
    sa.UniqueConstraint('forbund_id', 'kind', name=op.f('uq_document_templates_forbund_id_kind'))
    )
    op.create_table('report_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forbund_id', sa.Integer(), nullable=False),
    sa.Column('insats_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'sent', 'returned', 'approved', name='documentstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('template', sa.JSON(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=True),
    sa.Column('snapshot_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_report_documents_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_report_documents_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['forbund_id'], ['forbund.id'], name=op.f('fk_report_documents_forbund_id_forbund'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['insats_id'], ['insatser.id'], name=op.f('fk_report_documents_insats_id_insatser'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['previous_id'], ['report_documents.id'], name=op.f('fk_report_documents_previous_id_report_documents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_report_documents_sent_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_documents'))
    )
    with op.batch_alter_table('report_documents', schema=None) as batch_op:
        batch_op.create_index('ix_report_documents_forbund_insats', ['forbund_id', 'insats_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_documents_previous_id'), ['previous_id'], unique=False)

    op.create_table('document_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('status_change', sa.Enum('draft', 'sent', 'returned', 'approved', name='documentstatus', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_document_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['report_documents.id'], name=op.f('fk_document_comments_document_id_report_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_comments'))
    )
    with op.batch_alter_table('document_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_comments_document_id'), ['document_id'], unique=False)

    op.create_table('document_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('section_key', sa.String(length=64), nullable=False),
    sa.Column('row_key', sa.String(length=64), nullable=False),
    sa.Column('budget', sa.BigInteger(), nullable=True),
    sa.Column('utfall', sa.BigInteger(), nullable=True),
    sa.Column('remark', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['report_documents.id'], name=op.f('fk_document_figures_document_id_report_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_figures')),
    sa.UniqueConstraint('document_id', 'section_key', 'row_key', name=op.f('uq_document_figures_document_id_section_key_row_key'))
    )
    op.create_table('document_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('section_key', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['report_documents.id'], name=op.f('fk_document_texts_document_id_report_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_document_texts_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_texts')),
    sa.UniqueConstraint('document_id', 'section_key', name=op.f('uq_document_texts_document_id_section_key'))
    )
    with op.batch_alter_table('insatser', schema=None) as batch_op:
        batch_op.add_column(sa.Column('granted_kronor', sa.BigInteger(), nullable=True))



def downgrade():
    with op.batch_alter_table('insatser', schema=None) as batch_op:
        batch_op.drop_column('granted_kronor')

    op.drop_table('document_texts')
    op.drop_table('document_figures')
    with op.batch_alter_table('document_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_comments_document_id'))

    op.drop_table('document_comments')
    with op.batch_alter_table('report_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_documents_previous_id'))
        batch_op.drop_index('ix_report_documents_forbund_insats')

    op.drop_table('report_documents')
    op.drop_table('document_templates')
