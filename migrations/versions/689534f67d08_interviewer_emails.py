"""Interviewers' email addresses, for the email draft.

Reviewed by hand: one not-null text column, empty for the interviews already there.

Revision ID: 689534f67d08
Revises: 19ae7baf050f
Create Date: 2026-11-26 11:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "689534f67d08"
down_revision = "19ae7baf050f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "interviewer_emails", sa.String(length=500), server_default="", nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_column("interviewer_emails")
