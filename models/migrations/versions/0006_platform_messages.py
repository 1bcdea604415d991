"""Platform messages and their delivery statuses (WhatsApp's sent/delivered/read/failed); an index to find the
messages sent to one address.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('platform_messages',
    sa.Column('platform_message_id', sa.String(length=128), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=True),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_platform_messages_outbox_id_outbox'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('platform_message_id', name=op.f('pk_platform_messages'))
    )
    with op.batch_alter_table('platform_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_platform_messages_outbox_id'), ['outbox_id'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_recipient', ['channel', 'address', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_recipient')
    with op.batch_alter_table('platform_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_platform_messages_outbox_id'))
    op.drop_table('platform_messages')
