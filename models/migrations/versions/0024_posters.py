"""Posters and brochures: at most one stored file on an opening (by its code) and one on a broadcast.

Link tables rather than columns: SQLite cannot add a foreign key to an existing table without batch mode's
copy of it, and openings live in two tables.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'opening_posters',
        sa.Column('opening_code', sa.String(length=16), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'],
                                name=op.f('fk_opening_posters_file_id_stored_files'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('opening_code', name=op.f('pk_opening_posters')),
    )
    op.create_index(op.f('ix_opening_posters_file_id'), 'opening_posters', ['file_id'], unique=False)
    op.create_table(
        'broadcast_posters',
        sa.Column('broadcast_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'],
                                name=op.f('fk_broadcast_posters_broadcast_id_broadcasts'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'],
                                name=op.f('fk_broadcast_posters_file_id_stored_files'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('broadcast_id', name=op.f('pk_broadcast_posters')),
    )
    op.create_index(op.f('ix_broadcast_posters_file_id'), 'broadcast_posters', ['file_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_broadcast_posters_file_id'), table_name='broadcast_posters')
    op.drop_table('broadcast_posters')
    op.drop_index(op.f('ix_opening_posters_file_id'), table_name='opening_posters')
    op.drop_table('opening_posters')
