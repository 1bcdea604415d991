"""Catalog and applications: providers, training programs, apprenticeship openings, applications with
their status history, and completions (alumni).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table('providers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('kecamatan', sa.String(length=64), nullable=True),
    sa.Column('contact', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_providers'))
    )
    op.create_table('apprenticeship_openings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.String(length=160), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('kecamatan', sa.String(length=64), nullable=True),
    sa.Column('duration_months', sa.Integer(), nullable=False),
    sa.Column('monthly_allowance', sa.Integer(), nullable=False),
    sa.Column('social_security', sa.Boolean(), nullable=False),
    sa.Column('application_deadline', sa.Date(), nullable=False),
    sa.Column('selection_description', sa.Text(), nullable=False),
    sa.Column('interests', JSON_DOCUMENT, nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=True),
    sa.Column('max_age', sa.Integer(), nullable=True),
    sa.Column('min_education', sa.String(length=8), nullable=True),
    sa.Column('other_requirements', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('duration_months > 0', name=op.f('ck_apprenticeship_openings_duration_positive')),
    sa.CheckConstraint('monthly_allowance >= 0', name=op.f('ck_apprenticeship_openings_allowance_not_negative')),
    sa.CheckConstraint('quota >= 0', name=op.f('ck_apprenticeship_openings_quota_not_negative')),
    sa.ForeignKeyConstraint(['company_id'], ['providers.id'], name=op.f('fk_apprenticeship_openings_company_id_providers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apprenticeship_openings'))
    )
    with op.batch_alter_table('apprenticeship_openings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apprenticeship_openings_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apprenticeship_openings_kecamatan'), ['kecamatan'], unique=False)
        batch_op.create_index('ix_apprenticeship_openings_status_deadline', ['status', 'application_deadline'], unique=False)

    op.create_table('training_programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('kecamatan', sa.String(length=64), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('registration_deadline', sa.Date(), nullable=False),
    sa.Column('funding_source', sa.String(length=80), nullable=False),
    sa.Column('equipment_aid', sa.Boolean(), nullable=False),
    sa.Column('interests', JSON_DOCUMENT, nullable=False),
    sa.Column('follow_up_plan', JSON_DOCUMENT, nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=True),
    sa.Column('max_age', sa.Integer(), nullable=True),
    sa.Column('min_education', sa.String(length=8), nullable=True),
    sa.Column('other_requirements', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_training_programs_ends_after_start')),
    sa.CheckConstraint('quota >= 0', name=op.f('ck_training_programs_quota_not_negative')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_training_programs_provider_id_providers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_programs'))
    )
    with op.batch_alter_table('training_programs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_programs_kecamatan'), ['kecamatan'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_programs_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index('ix_training_programs_status_deadline', ['status', 'registration_deadline'], unique=False)

    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('training_program_id', sa.Integer(), nullable=True),
    sa.Column('apprenticeship_opening_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(training_program_id IS NULL) <> (apprenticeship_opening_id IS NULL)', name=op.f('ck_applications_exactly_one_opening')),
    sa.ForeignKeyConstraint(['apprenticeship_opening_id'], ['apprenticeship_openings.id'], name=op.f('fk_applications_apprenticeship_opening_id_apprenticeship_openings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['training_program_id'], ['training_programs.id'], name=op.f('fk_applications_training_program_id_training_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_applications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_apprenticeship_opening_id'), ['apprenticeship_opening_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_training_program_id'), ['training_program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_user_id'), ['user_id'], unique=False)

    op.create_table('application_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.Column('remark', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_status_changes_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['changed_by'], ['users.id'], name=op.f('fk_application_status_changes_changed_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_status_changes'))
    )
    with op.batch_alter_table('application_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_status_changes_application_id'), ['application_id'], unique=False)

    op.create_table('completions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_completions_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_completions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_completions')),
    sa.UniqueConstraint('application_id', name=op.f('uq_completions_application_id'))
    )
    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_completions_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_completions_user_id'))

    op.drop_table('completions')
    with op.batch_alter_table('application_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_status_changes_application_id'))

    op.drop_table('application_status_changes')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_user_id'))
        batch_op.drop_index(batch_op.f('ix_applications_training_program_id'))
        batch_op.drop_index(batch_op.f('ix_applications_apprenticeship_opening_id'))

    op.drop_table('applications')
    with op.batch_alter_table('training_programs', schema=None) as batch_op:
        batch_op.drop_index('ix_training_programs_status_deadline')
        batch_op.drop_index(batch_op.f('ix_training_programs_provider_id'))
        batch_op.drop_index(batch_op.f('ix_training_programs_kecamatan'))

    op.drop_table('training_programs')
    with op.batch_alter_table('apprenticeship_openings', schema=None) as batch_op:
        batch_op.drop_index('ix_apprenticeship_openings_status_deadline')
        batch_op.drop_index(batch_op.f('ix_apprenticeship_openings_kecamatan'))
        batch_op.drop_index(batch_op.f('ix_apprenticeship_openings_company_id'))

    op.drop_table('apprenticeship_openings')
    op.drop_table('providers')
