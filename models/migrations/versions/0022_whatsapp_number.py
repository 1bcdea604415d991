"""The WhatsApp number's standing (tier, quality, restrictions, a pause of broadcasts), the reports Meta sends
about it, and how long a broadcast's WhatsApp recipients beyond the day's tier wait.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('whatsapp_number_state',
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('tier', sa.String(length=32), nullable=True),
    sa.Column('quality', sa.String(length=32), nullable=True),
    sa.Column('account_status', sa.String(length=64), nullable=True),
    sa.Column('paused_reason', sa.String(length=200), nullable=True),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('slowed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('slowed_reason', sa.String(length=200), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', name=op.f('pk_whatsapp_number_state'))
    )
    op.create_table('whatsapp_number_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('event', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['channel'], ['whatsapp_number_state.channel'],
                            name=op.f('fk_whatsapp_number_events_channel_whatsapp_number_state'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_whatsapp_number_events'))
    )
    op.create_index(op.f('ix_whatsapp_number_events_channel'), 'whatsapp_number_events', ['channel'],
                    unique=False)
    with op.batch_alter_table('broadcasts') as batch:
        batch.add_column(sa.Column('held_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('broadcasts') as batch:
        batch.drop_column('held_until')
    op.drop_index(op.f('ix_whatsapp_number_events_channel'), table_name='whatsapp_number_events')
    op.drop_table('whatsapp_number_events')
    op.drop_table('whatsapp_number_state')
