"""Indexes for the agency-wide dashboard and queue: candidates by status and last update
(its counts by status and its recently updated active candidates; erased candidates are
left out, as the pages leave them out), and every open step by due time with its window
(the counts of open steps by status and the queue's length). The index on every step by
result and due time goes: what read it reads the open steps' indexes, and SQLite chose it
over them only to visit each row afterwards.

Reviewed by hand.

Revision ID: 6f4fe45b6e97
Revises: 5b1c0e7d9a2f
Create Date: 2026-11-26 12:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6f4fe45b6e97"
down_revision = "5b1c0e7d9a2f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_candidates_status_updated_at",
            ["status", "updated_at", "id"],
            unique=False,
            sqlite_where=sa.text("erased_at IS NULL"),
            postgresql_where=sa.text("erased_at IS NULL"),
        )
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_steps_open_by_due",
            ["due_at", "opens_at"],
            unique=False,
            sqlite_where=sa.text("result IS NULL"),
            postgresql_where=sa.text("result IS NULL"),
        )
        batch_op.drop_index("ix_steps_result_due_at")


def downgrade():
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.create_index("ix_steps_result_due_at", ["result", "due_at"], unique=False)
        batch_op.drop_index("ix_steps_open_by_due")
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index("ix_candidates_status_updated_at")
