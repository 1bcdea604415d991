"""How fast each sender writes (one row per sender), so a flooding account is stopped in every worker.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('message_rates',
    sa.Column('sender', sa.String(length=96), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('warned', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('sender', name=op.f('pk_message_rates'))
    )


def downgrade() -> None:
    op.drop_table('message_rates')
