"""Alumni follow-ups: survey versions, follow-up fires, check-ins, check-in opt-outs, evaluation records and
the office's yearly training targets.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table('survey_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_key', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('definition', JSON_DOCUMENT, nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_versions')),
    sa.UniqueConstraint('survey_key', 'digest', name=op.f('uq_survey_versions_survey_key_digest')),
    sa.UniqueConstraint('survey_key', 'version', name=op.f('uq_survey_versions_survey_key_version'))
    )
    op.create_table('training_targets',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.CheckConstraint('target > 0', name=op.f('ck_training_targets_target_positive')),
    sa.PrimaryKeyConstraint('year', 'category', name=op.f('pk_training_targets'))
    )
    op.create_table('check_in_opt_outs',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('opted_out_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_check_in_opt_outs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_check_in_opt_outs'))
    )
    op.create_table('check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('completion_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('survey_version_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('answers', JSON_DOCUMENT, nullable=False),
    sa.Column('context', JSON_DOCUMENT, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['completion_id'], ['completions.id'], name=op.f('fk_check_ins_completion_id_completions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_version_id'], ['survey_versions.id'], name=op.f('fk_check_ins_survey_version_id_survey_versions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_check_ins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
    sa.UniqueConstraint('completion_id', 'period', name=op.f('uq_check_ins_completion_id_period'))
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index('ix_check_ins_user_id_status', ['user_id', 'status'], unique=False)

    op.create_table('follow_up_fires',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('completion_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['completion_id'], ['completions.id'], name=op.f('fk_follow_up_fires_completion_id_completions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follow_up_fires_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_fires')),
    sa.UniqueConstraint('completion_id', 'kind', 'period', name=op.f('uq_follow_up_fires_completion_id_kind_period'))
    )
    with op.batch_alter_table('follow_up_fires', schema=None) as batch_op:
        batch_op.create_index('ix_follow_up_fires_due_at', ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_fires_user_id'), ['user_id'], unique=False)

    op.create_table('evaluation_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_in_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('completion_id', sa.Integer(), nullable=False),
    sa.Column('training_program_id', sa.Integer(), nullable=True),
    sa.Column('apprenticeship_opening_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('status_category', sa.String(length=32), nullable=True),
    sa.Column('employment', sa.String(length=12), nullable=True),
    sa.Column('is_wub', sa.Boolean(), nullable=False),
    sa.Column('workers_employed', sa.Integer(), nullable=False),
    sa.Column('equipment_in_use', sa.Boolean(), nullable=True),
    sa.Column('answers', JSON_DOCUMENT, nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('survey_version_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['apprenticeship_opening_id'], ['apprenticeship_openings.id'], name=op.f('fk_evaluation_records_apprenticeship_opening_id_apprenticeship_openings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['check_in_id'], ['check_ins.id'], name=op.f('fk_evaluation_records_check_in_id_check_ins'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['completion_id'], ['completions.id'], name=op.f('fk_evaluation_records_completion_id_completions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_version_id'], ['survey_versions.id'], name=op.f('fk_evaluation_records_survey_version_id_survey_versions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['training_program_id'], ['training_programs.id'], name=op.f('fk_evaluation_records_training_program_id_training_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evaluation_records_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_records')),
    sa.UniqueConstraint('check_in_id', name=op.f('uq_evaluation_records_check_in_id'))
    )
    with op.batch_alter_table('evaluation_records', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_records_completion_id_period', ['completion_id', 'period'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_records_training_program_id'), ['training_program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_records_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evaluation_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_records_user_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_records_training_program_id'))
        batch_op.drop_index('ix_evaluation_records_completion_id_period')

    op.drop_table('evaluation_records')
    with op.batch_alter_table('follow_up_fires', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_fires_user_id'))
        batch_op.drop_index('ix_follow_up_fires_due_at')

    op.drop_table('follow_up_fires')
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_index('ix_check_ins_user_id_status')

    op.drop_table('check_ins')
    op.drop_table('check_in_opt_outs')
    op.drop_table('training_targets')
    op.drop_table('survey_versions')
