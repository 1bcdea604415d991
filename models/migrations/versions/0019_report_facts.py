"""Report facts: each participation's figures de-identified, so that deleting an account leaves reports as they
were (`models.report_facts`), and the random key on each application that alone links it to its fact.

Backfilled from the applications, completions, profiles and standings already there, as
`models.report_facts.refresh_report_facts` computes them.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

NEW_KEYS = {
    "sqlite": "UPDATE applications SET report_key = lower(hex(randomblob(16)))",
    "postgresql": "UPDATE applications SET report_key = replace(gen_random_uuid()::text, '-', '')",
}
YEAR_OF = {
    "sqlite": "CAST(strftime('%Y', {}) AS INTEGER)",
    "postgresql": "CAST(EXTRACT(YEAR FROM {}) AS INTEGER)",
}
BACKFILL = """
INSERT INTO report_facts
    (fact_key, training_program_id, apprenticeship_opening_id, kecamatan, gender, disability, age_band, completed,
     asked, status_category, employment, is_wub, workers_employed, equipment_in_use)
SELECT a.report_key, a.training_program_id, a.apprenticeship_opening_id, p.kecamatan, p.gender, p.disability,
       CASE WHEN {age} < 15 THEN '<15' WHEN {age} < 25 THEN '15-24' WHEN {age} < 35 THEN '25-34'
            WHEN {age} < 45 THEN '35-44' WHEN {age} < 55 THEN '45-54' ELSE '55+' END,
       c.id IS NOT NULL, s.completion_id IS NOT NULL, s.status_category, s.employment,
       COALESCE(s.is_wub, false), COALESCE(s.workers_employed, 0), s.equipment_in_use
FROM applications AS a
LEFT JOIN completions AS c ON c.application_id = a.id
LEFT JOIN job_seeker_profiles AS p ON p.user_id = a.user_id
LEFT JOIN follow_up_standings AS s ON s.completion_id = c.id
WHERE a.status IN ('enrolled', 'completed', 'dropped_out')
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # Plain ADD COLUMN and a new table, never batch mode's copy of a parent table (see 0016's downgrade).
    op.add_column('applications', sa.Column('report_key', sa.String(length=32), nullable=True))
    op.execute(NEW_KEYS[dialect])
    op.create_index(op.f('ix_applications_report_key'), 'applications', ['report_key'], unique=True)
    op.create_table('report_facts',
    sa.Column('fact_key', sa.String(length=32), nullable=False),
    sa.Column('training_program_id', sa.Integer(), nullable=True),
    sa.Column('apprenticeship_opening_id', sa.Integer(), nullable=True),
    sa.Column('kecamatan', sa.String(length=64), nullable=True),
    sa.Column('gender', sa.String(length=8), nullable=True),
    sa.Column('disability', sa.String(length=24), nullable=True),
    sa.Column('age_band', sa.String(length=8), nullable=True),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('asked', sa.Boolean(), nullable=False),
    sa.Column('status_category', sa.String(length=32), nullable=True),
    sa.Column('employment', sa.String(length=12), nullable=True),
    sa.Column('is_wub', sa.Boolean(), nullable=False),
    sa.Column('workers_employed', sa.Integer(), nullable=False),
    sa.Column('equipment_in_use', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['apprenticeship_opening_id'], ['apprenticeship_openings.id'],
                            name=op.f('fk_report_facts_apprenticeship_opening_id_apprenticeship_openings'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['training_program_id'], ['training_programs.id'],
                            name=op.f('fk_report_facts_training_program_id_training_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('fact_key', name=op.f('pk_report_facts'))
    )
    op.create_index(op.f('ix_report_facts_apprenticeship_opening_id'), 'report_facts', ['apprenticeship_opening_id'],
                    unique=False)
    op.create_index(op.f('ix_report_facts_training_program_id'), 'report_facts', ['training_program_id'],
                    unique=False)
    age = "({} - {})".format(YEAR_OF[dialect].format("a.submitted_at"), YEAR_OF[dialect].format("p.birth_date"))
    op.execute(BACKFILL.format(age=age))


def downgrade() -> None:
    # The facts of deleted accounts are lost with the table: going down gives up what they kept.
    op.drop_index(op.f('ix_report_facts_training_program_id'), table_name='report_facts')
    op.drop_index(op.f('ix_report_facts_apprenticeship_opening_id'), table_name='report_facts')
    op.drop_table('report_facts')
    op.drop_index(op.f('ix_applications_report_key'), table_name='applications')
    op.drop_column('applications', 'report_key')  # plain DROP COLUMN (SQLite 3.35+), never a copy of the table
