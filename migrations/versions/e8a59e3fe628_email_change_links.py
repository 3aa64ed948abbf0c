"""Email address changes confirmed by a link: the links carry the new and the old address,
and the outbox has two new kinds of email (the confirmation and the notice to the old
address).

Reviewed by hand: two nullable columns on password_links; the CHECK constraints on
password_links.purpose and outbox_emails.kind widened (SQLite rebuilds the tables in batch
mode; PostgreSQL drops and adds the constraints). Downgrading drops the email-change links
and their emails first, so the narrower constraints hold.

Revision ID: e8a59e3fe628
Revises: 6588adac595a
Create Date: 2026-11-26 11:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e8a59e3fe628"
down_revision = "6588adac595a"
branch_labels = None
depends_on = None

PURPOSES = ("invite", "reset")
KINDS = (
    "digest",
    "thank_you",
    "follow_up",
    "invitation",
    "password_reset",
    "password_changed",
)
NEW_KINDS = ("email_change", "email_change_notice")


def _allow(table: str, column: str, constraint: str, values) -> None:
    listed = ", ".join(f"'{value}'" for value in values)
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_{table}_{constraint}"), type_="check")
        batch_op.create_check_constraint(constraint, sa.text(f"{column} IN ({listed})"))


def upgrade():
    with op.batch_alter_table("password_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("new_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("old_email", sa.String(length=254), nullable=True))
    _allow("password_links", "purpose", "link_purpose", (*PURPOSES, "email_change"))
    _allow("outbox_emails", "kind", "email_kind", (*KINDS, *NEW_KINDS))


def downgrade():
    kinds = ", ".join(f"'{kind}'" for kind in NEW_KINDS)
    op.execute(f"DELETE FROM outbox_emails WHERE kind IN ({kinds})")
    op.execute(
        "DELETE FROM outbox_emails WHERE link_id IN (SELECT id FROM password_links WHERE purpose = 'email_change')"
    )
    op.execute("DELETE FROM password_links WHERE purpose = 'email_change'")
    _allow("outbox_emails", "kind", "email_kind", KINDS)
    _allow("password_links", "purpose", "link_purpose", PURPOSES)
    with op.batch_alter_table("password_links", schema=None) as batch_op:
        batch_op.drop_column("old_email")
        batch_op.drop_column("new_email")
