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
    with op.batch_alter_table('ticket_messages') as batch:
        batch.add_column(sa.Column('held', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('ticket_alerts', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('ticket_alerts')
    with op.batch_alter_table('ticket_messages') as batch:
        batch.drop_column('held')
