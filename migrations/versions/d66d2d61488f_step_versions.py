"""A version number on each step, so concurrent edits are caught rather than lost.

Reviewed by hand: a not-null integer that starts at 1 for existing steps (server default).

Revision ID: d66d2d61488f
Revises: 6d5f1078330d
Create Date: 2026-11-25 20:34:24.066571

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d66d2d61488f"
down_revision = "6d5f1078330d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_column("version")
