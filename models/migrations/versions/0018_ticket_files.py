"""Files in questions to staff: a photo or document a user sends with a message, or staff attach to an answer.

A link table rather than a column on ticket_messages: SQLite cannot add a foreign key to an existing table
without batch mode's copy of it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ticket_message_files',
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'],
                                name=op.f('fk_ticket_message_files_file_id_stored_files'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['message_id'], ['ticket_messages.id'],
                                name=op.f('fk_ticket_message_files_message_id_ticket_messages'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('message_id', name=op.f('pk_ticket_message_files')),
    )
    op.create_index(op.f('ix_ticket_message_files_file_id'), 'ticket_message_files', ['file_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_ticket_message_files_file_id'), table_name='ticket_message_files')
    op.drop_table('ticket_message_files')
