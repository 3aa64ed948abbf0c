"""Every email through the outbox: the reminders table becomes outbox_emails; password
links carry a nonce.

Reviewed by hand. The outbox now holds invitations, password links and notices as well
as reminders, so the table is made anew under its new name, with the kinds widened and a
link to the password link an email carries; the reminders' rows are copied across with
their ids (PostgreSQL's id sequence is moved past them), then the old table goes.
Password links get a nonce from which the token is worked out again when the email is
sent (links made before have none; they were emailed already).

Downgrading copies the reminders back and loses the other kinds of email.

Revision ID: 69e1ea3deb0b
Revises: 3b6bf76b9f00
Create Date: 2026-11-26 09:05:14.936699

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "69e1ea3deb0b"
down_revision = "3b6bf76b9f00"
branch_labels = None
depends_on = None

COLUMNS = (
    "id, key, user_id, kind, step_id, occasion, step_ids, status, attempts, next_attempt_at, "
    "claimed_at, created_at, sent_at, to_address, subject, last_error"
)
REMINDER_KINDS = ("digest", "thank_you", "follow_up")
STATUSES = ("queued", "sending", "sent", "failed", "dropped")


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def _email_columns(kinds, kind_name, status_name):
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum(kinds, kind_name), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=True),
        sa.Column("occasion", sa.String(length=80), nullable=False),
        sa.Column("step_ids", sa.Text(), nullable=False),
        sa.Column("status", _enum(STATUSES, status_name), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=False),
    ]


def _move_sequence_past_copied_ids(table):
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
        )


def upgrade():
    op.create_table(
        "outbox_emails",
        *_email_columns(
            (*REMINDER_KINDS, "invitation", "password_reset", "password_changed"),
            "email_kind",
            "email_status",
        ),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["password_links.id"],
            name=op.f("fk_outbox_emails_link_id_password_links"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["step_id"], ["steps.id"], name=op.f("fk_outbox_emails_step_id_steps")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_outbox_emails_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_emails")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_emails_key")),
    )
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_emails_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            "ix_outbox_emails_user_kind_created_at", ["user_id", "kind", "created_at"], unique=False
        )
    op.execute(f"INSERT INTO outbox_emails ({COLUMNS}) SELECT {COLUMNS} FROM reminders")
    _move_sequence_past_copied_ids("outbox_emails")

    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_status_next_attempt_at")
        batch_op.drop_index("ix_reminders_user_kind_created_at")
    op.drop_table("reminders")

    with op.batch_alter_table("password_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nonce", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("password_links", schema=None) as batch_op:
        batch_op.drop_column("nonce")

    op.create_table(
        "reminders",
        *_email_columns(REMINDER_KINDS, "reminder_kind", "reminder_status"),
        sa.ForeignKeyConstraint(["step_id"], ["steps.id"], name=op.f("fk_reminders_step_id_steps")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reminders_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("key", name=op.f("uq_reminders_key")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reminders_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            "ix_reminders_user_kind_created_at", ["user_id", "kind", "created_at"], unique=False
        )
    kinds = ", ".join(f"'{kind}'" for kind in REMINDER_KINDS)
    op.execute(
        f"INSERT INTO reminders ({COLUMNS}) SELECT {COLUMNS} FROM outbox_emails "
        f"WHERE kind IN ({kinds})"
    )
    _move_sequence_past_copied_ids("reminders")

    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_emails_user_kind_created_at")
        batch_op.drop_index("ix_outbox_emails_status_next_attempt_at")
    op.drop_table("outbox_emails")
