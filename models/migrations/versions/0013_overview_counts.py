"""Indexes for the dashboard's overview: this month's registrations and the applications by status are counted
from an index instead of every row (at 100,000 job seekers the two scans took 55 ms of each overview on SQLite).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job_seeker_profiles', schema=None) as batch_op:
        batch_op.create_index('ix_job_seeker_profiles_registered_at', ['registered_at'], unique=False)
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_status', ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_status')
    with op.batch_alter_table('job_seeker_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_job_seeker_profiles_registered_at')
