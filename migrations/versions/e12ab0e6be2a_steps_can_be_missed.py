"""Steps can be missed: closing an interview settles its open steps.

Reviewed by hand. Only the CHECK constraint on steps.result changes, to allow "missed"
(SQLite rebuilds the table in batch mode; PostgreSQL drops and adds the constraint). The
steps of interviews closed before this revision are settled by `flask steps sync`, which
`make run` and the deployment steps run after every upgrade: the rules live in Python,
not here.

Downgrading turns missed steps back into open ones (result NULL), as they were before.

Revision ID: e12ab0e6be2a
Revises: 69e1ea3deb0b
Create Date: 2026-11-26 09:58:53.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e12ab0e6be2a"
down_revision = "69e1ea3deb0b"
branch_labels = None
depends_on = None

BEFORE = ("done_on_time", "done_late", "too_early", "wrong_channel", "waived", "not_needed")
AFTER = (
    "done_on_time",
    "done_late",
    "too_early",
    "wrong_channel",
    "missed",
    "waived",
    "not_needed",
)


def _allow(results):
    values = ", ".join(f"'{value}'" for value in results)
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_steps_step_result"), type_="check")
        batch_op.create_check_constraint("step_result", sa.text(f"result IN ({values})"))


def upgrade():
    _allow(AFTER)


def downgrade():
    op.execute("UPDATE steps SET result = NULL WHERE result = 'missed'")
    _allow(BEFORE)
