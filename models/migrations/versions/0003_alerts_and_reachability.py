"""Alerts for new openings and reachability: users.opening_alerts (opt-out), users.unreachable_since
(the platform refused delivery for good), and alerted_at on both kinds of opening.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unreachable_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('opening_alerts', sa.Boolean(), server_default=sa.true(), nullable=False))
    for table in ('training_programs', 'apprenticeship_openings'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('alerted_at', sa.DateTime(timezone=True), nullable=True))
        # Openings published before alerts existed are not announced as new.
        op.execute(sa.text(f"UPDATE {table} SET alerted_at = published_at WHERE published_at IS NOT NULL"))


def downgrade() -> None:
    for table in ('apprenticeship_openings', 'training_programs'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('alerted_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('opening_alerts')
        batch_op.drop_column('unreachable_since')
