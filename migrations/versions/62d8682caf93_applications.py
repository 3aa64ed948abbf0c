"""Applications through the public form, with their résumés; the outbox can mail an
applicant, who has no account (an email names the application instead of a person).

Reviewed by hand: two new tables; on outbox_emails, user_id becomes nullable, an
application_id is added, and the CHECK constraint on kind is widened for the new kind
(SQLite rebuilds the table in batch mode; PostgreSQL drops and adds the constraint).
Downgrading deletes the applicants' emails first, so the narrower constraints hold.

Revision ID: 62d8682caf93
Revises: b2f0bfcf696f
Create Date: 2026-11-26 15:05:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "62d8682caf93"
down_revision = "b2f0bfcf696f"
branch_labels = None
depends_on = None

KINDS = (
    "digest",
    "thank_you",
    "follow_up",
    "invitation",
    "password_reset",
    "password_changed",
    "email_change",
    "email_change_notice",
)
NEW_KIND = "application_received"


def _allow_kinds(batch_op, kinds) -> None:
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    batch_op.drop_constraint(op.f("ck_outbox_emails_email_kind"), type_="check")
    batch_op.create_check_constraint("email_kind", sa.text(f"kind IN ({listed})"))


def upgrade():
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("posting_id", sa.Integer(), nullable=True),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_applications_candidate_id_candidates"),
        ),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_applications_job_id_jobs")),
        sa.ForeignKeyConstraint(
            ["posting_id"],
            ["job_postings.id"],
            name=op.f("fk_applications_posting_id_job_postings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_applications_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_applications_job_id"), ["job_id"], unique=False)
        batch_op.create_index(
            "ix_applications_source_created_at", ["source", "created_at"], unique=False
        )

    op.create_table(
        "resumes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_resumes_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_resumes_candidate_id_candidates")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resumes")),
        sa.UniqueConstraint("application_id", name=op.f("uq_resumes_application_id")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_resumes_stored_name")),
    )
    with op.batch_alter_table("resumes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resumes_candidate_id"), ["candidate_id"], unique=False)

    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("application_id", sa.Integer(), nullable=True))
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_emails_application_id_applications"),
            "applications",
            ["application_id"],
            ["id"],
        )
        _allow_kinds(batch_op, (*KINDS, NEW_KIND))


def downgrade():
    op.execute(f"DELETE FROM outbox_emails WHERE kind = '{NEW_KIND}' OR user_id IS NULL")
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_emails_application_id_applications"), type_="foreignkey"
        )
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("application_id")
        _allow_kinds(batch_op, KINDS)
    with op.batch_alter_table("resumes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resumes_candidate_id"))
    op.drop_table("resumes")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index("ix_applications_source_created_at")
        batch_op.drop_index(batch_op.f("ix_applications_job_id"))
        batch_op.drop_index(batch_op.f("ix_applications_candidate_id"))
    op.drop_table("applications")
