"""A trigram index for the job-seeker and applicant name search on PostgreSQL: "contains this part of a name"
then reads the index instead of every profile (at 100,000 profiles a search read them all twice, 248 ms at p99).

SQLite has no such index; its plain LIKE scan stays under 115 ms there (BENCHMARKS.md). Alembic does not
compare expression indexes, so the models need not declare it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX IF NOT EXISTS ix_job_seeker_profiles_name_trigrams ON job_seeker_profiles "
               "USING gin (lower(full_name) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_job_seeker_profiles_name_trigrams")
