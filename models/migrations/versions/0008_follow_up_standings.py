"""Follow-up standings: each asked alumnus' current standing beside their evaluation records, for the report.

Backfilled from the check-ins and records already there, as `models.evaluations.refresh_standings` computes it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BACKFILL = """
INSERT INTO follow_up_standings
    (completion_id, status_category, employment, is_wub, workers_employed, equipment_in_use)
SELECT asked.completion_id, latest.status_category, latest.employment, COALESCE(latest.is_wub, false),
       COALESCE(latest.workers_employed, 0), equipment.equipment_in_use
FROM (SELECT DISTINCT completion_id FROM check_ins) AS asked
LEFT JOIN evaluation_records AS latest ON latest.completion_id = asked.completion_id AND latest.period = (
    SELECT max(period) FROM evaluation_records AS r
    WHERE r.completion_id = asked.completion_id AND r.status_category IS NOT NULL)
LEFT JOIN evaluation_records AS equipment ON equipment.completion_id = asked.completion_id AND equipment.period = (
    SELECT max(period) FROM evaluation_records AS r
    WHERE r.completion_id = asked.completion_id AND r.equipment_in_use IS NOT NULL)
"""


def upgrade() -> None:
    op.create_table('follow_up_standings',
    sa.Column('completion_id', sa.Integer(), nullable=False),
    sa.Column('status_category', sa.String(length=32), nullable=True),
    sa.Column('employment', sa.String(length=12), nullable=True),
    sa.Column('is_wub', sa.Boolean(), nullable=False),
    sa.Column('workers_employed', sa.Integer(), nullable=False),
    sa.Column('equipment_in_use', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['completion_id'], ['completions.id'],
                            name=op.f('fk_follow_up_standings_completion_id_completions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('completion_id', name=op.f('pk_follow_up_standings'))
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_table('follow_up_standings')
