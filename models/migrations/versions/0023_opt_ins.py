"""Opt-ins: when and how each person agreed to messages the bot starts, and when they stopped (issue 18).

Backfilled from what the bot knew: every user's first message (their row's creation), replaced by the consent
of those who registered (with its version, at `consented_at`); the current row of anyone who sent /stop is
stopped at `users.stopped_at`. `users.stopped_at` stays: the router keeps both in step.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

FIRST_MESSAGES = """
INSERT INTO opt_ins (user_id, channel, source, detail, agreed_at, stopped_at, replaced_at)
SELECT u.id, u.channel, 'first_message', '', u.created_at, NULL, p.consented_at
FROM users AS u LEFT JOIN job_seeker_profiles AS p ON p.user_id = u.id
"""
CONSENTS = """
INSERT INTO opt_ins (user_id, channel, source, detail, agreed_at, stopped_at, replaced_at)
SELECT u.id, u.channel, 'consent', p.consent_version, p.consented_at, NULL, NULL
FROM users AS u JOIN job_seeker_profiles AS p ON p.user_id = u.id
"""
STOPS = """
UPDATE opt_ins SET stopped_at = (SELECT u.stopped_at FROM users AS u WHERE u.id = opt_ins.user_id)
WHERE replaced_at IS NULL
  AND user_id IN (SELECT id FROM users WHERE stopped_at IS NOT NULL)
"""


def upgrade() -> None:
    op.create_table('opt_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.String(length=64), nullable=False),
    sa.Column('agreed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_opt_ins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opt_ins'))
    )
    op.create_index(op.f('ix_opt_ins_user_id'), 'opt_ins', ['user_id'], unique=False)
    for statement in (FIRST_MESSAGES, CONSENTS, STOPS):
        op.execute(statement)


def downgrade() -> None:
    op.drop_index(op.f('ix_opt_ins_user_id'), table_name='opt_ins')
    op.drop_table('opt_ins')
