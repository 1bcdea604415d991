"""Indexes for finding job seekers on the dashboard by a part of the name (in name order) or of the phone
number: a search's count reads the index instead of every profile.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job_seeker_profiles', schema=None) as batch_op:
        batch_op.create_index('ix_job_seeker_profiles_full_name_id', ['full_name', 'id'], unique=False)
        batch_op.create_index('ix_job_seeker_profiles_phone_e164_id', ['phone_e164', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job_seeker_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_job_seeker_profiles_phone_e164_id')
        batch_op.drop_index('ix_job_seeker_profiles_full_name_id')
