"""A partial index of each recruiter's open steps in due order, for the queue.

Reviewed by hand. It replaces ix_steps_recruiter_open (recruiter, result, due time):
the queue wants open steps only, ordered by due time then id, and a partial index
(WHERE result IS NULL) gives them in that order without sorting, on SQLite and
PostgreSQL alike.

Revision ID: 40320d624302
Revises: 002270909aa3
Create Date: 2026-11-25 19:16:42.970098

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "40320d624302"
down_revision = "002270909aa3"
branch_labels = None
depends_on = None

OPEN = sa.text("result IS NULL")


def upgrade():
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_index("ix_steps_recruiter_open")
        batch_op.create_index(
            "ix_steps_open_by_recruiter",
            ["recruiter_id", "due_at", "id"],
            unique=False,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )


def downgrade():
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_index("ix_steps_open_by_recruiter")
        batch_op.create_index(
            "ix_steps_recruiter_open", ["recruiter_id", "result", "due_at"], unique=False
        )
