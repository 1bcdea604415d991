"""Tickets on WhatsApp and for staff in chat: staff answers held until the user writes (window closed), and
staff's opt-in to be told of new questions.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, never batch mode's copy of a table: see downgrade().
    op.add_column('ticket_messages', sa.Column('held', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('users', sa.Column('ticket_alerts', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+ has it), never batch mode's copy of `users`: with foreign keys on, SQLite
    # empties a dropped table first, and its ON DELETE CASCADE would take every user's profile and applications.
    op.drop_column('users', 'ticket_alerts')
    op.drop_column('ticket_messages', 'held')
