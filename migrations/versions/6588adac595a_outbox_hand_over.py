"""The outbox's hand-over: which run claimed an email, when it went to the mail server, and
the Message-ID it carries.

Reviewed by hand: three new columns. ``message_id`` is not null, empty for the emails
already there (they were sent, or will be given one when they are); the other two are empty
until a run claims an email.

Revision ID: 6588adac595a
Revises: 689534f67d08
Create Date: 2026-11-26 10:37:15.566568

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6588adac595a"
down_revision = "689534f67d08"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("handed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("message_id", sa.String(length=200), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_column("message_id")
        batch_op.drop_column("handed_at")
        batch_op.drop_column("claim_id")
