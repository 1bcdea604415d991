"""Wipe full NIKs that messages sent before revision 0009 left in the outbox in plain text.

The registration summary and the data export show the NIK in full; the outbox now wipes such messages once
delivered, but rows written earlier still hold them. Rows are pre-selected by SQL (their text mentions
"NIK: ") and checked in Python for a full 16-digit NIK, so masked ones ("6309********0001") stay.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

FULL_NIK = re.compile(r"NIK: \d{16}\b")
BATCH = 1000


def upgrade() -> None:
    connection = op.get_bind()
    outbox = sa.table('outbox', sa.column('id', sa.Integer), sa.column('status', sa.String),
                      sa.column('payload', sa.JSON().with_variant(postgresql.JSONB(), "postgresql")))
    candidates = sa.select(outbox.c.id, outbox.c.payload).where(
        outbox.c.status != 'pending', sa.cast(outbox.c.payload, sa.Text).like('%NIK: %')).order_by(outbox.c.id)
    last = 0
    while True:
        rows = connection.execute(candidates.where(outbox.c.id > last).limit(BATCH)).all()
        if not rows:
            return
        last = rows[-1].id
        wiped = [{"row_id": row.id, "wiped": {**row.payload, "text": "", "sensitive": True, "scrubbed": True}}
                 for row in rows if FULL_NIK.search(str(row.payload.get("text", "")))]
        if wiped:
            connection.execute(outbox.update().where(outbox.c.id == sa.bindparam('row_id'))
                               .values(payload=sa.bindparam('wiped')), wiped)


def downgrade() -> None:
    """Nothing to restore: the wiped text is gone, as intended."""
