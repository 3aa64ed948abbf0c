"""Job postings: what a public posting says on the job (title, description, arrangement,
type, hours, pay, the two disclosures, the employer's size band, closing date, owner),
and a table of published versions, each kept as it went up (Ontario's posting rules,
docs/job-postings.md). The unused ``is_public`` flag goes: a job is public while it has a
published version up.

Reviewed by hand: the new NOT NULL columns get a server default while existing jobs are
filled in, then the default is dropped (the model gives one); batch mode for SQLite.

Revision ID: b2f0bfcf696f
Revises: 23400447e8aa
Create Date: 2026-11-26 14:23:22.388770

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b2f0bfcf696f"
down_revision = "23400447e8aa"
branch_labels = None
depends_on = None


def _choice(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


FILLED_IN = {  # NOT NULL columns: what existing jobs get
    "public_title": (sa.String(length=160), ""),
    "description": (sa.Text(), ""),
    "work_arrangement": (_choice("work_arrangement", "on_site", "hybrid", "remote"), "on_site"),
    "employment_type": (
        _choice("employment_type", "permanent", "contract", "temporary"),
        "permanent",
    ),
    "schedule": (_choice("schedule", "full_time", "part_time"), "full_time"),
    "pay_per": (_choice("pay_per", "year", "hour"), "year"),
}


def upgrade():
    op.create_table(
        "job_postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("covered", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column("taken_down_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_job_postings_job_id_jobs")),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_job_postings_published_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_postings")),
        sa.UniqueConstraint("job_id", "version", name=op.f("uq_job_postings_job_id")),
    )
    with op.batch_alter_table("job_postings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_postings_job_id"), ["job_id"], unique=False)

    with op.batch_alter_table("jobs", schema=None) as batch_op:
        for name, (type_, value) in FILLED_IN.items():
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=value))
        batch_op.add_column(sa.Column("hours_per_week", sa.Numeric(precision=4, scale=1)))
        batch_op.add_column(sa.Column("pay_low", sa.Numeric(precision=10, scale=2)))
        batch_op.add_column(sa.Column("pay_high", sa.Numeric(precision=10, scale=2)))
        batch_op.add_column(sa.Column("uses_ai", sa.Boolean()))
        batch_op.add_column(sa.Column("existing_vacancy", sa.Boolean()))
        batch_op.add_column(
            sa.Column("employer_size", _choice("employer_size", "25_or_more", "under_25"))
        )
        batch_op.add_column(sa.Column("closes_on", sa.Date()))
        batch_op.add_column(sa.Column("recruiter_id", sa.Integer()))
        batch_op.create_index(batch_op.f("ix_jobs_recruiter_id"), ["recruiter_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_jobs_recruiter_id_users"), "users", ["recruiter_id"], ["id"]
        )
        batch_op.drop_column("is_public")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        for name in FILLED_IN:
            batch_op.alter_column(name, server_default=None)


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_public", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.drop_constraint(batch_op.f("fk_jobs_recruiter_id_users"), type_="foreignkey")
        for name in ("work_arrangement", "employment_type", "schedule", "pay_per", "employer_size"):
            batch_op.drop_constraint(
                batch_op.f(f"ck_jobs_{name}"), type_="check"
            )  # SQLite keeps them
        batch_op.drop_index(batch_op.f("ix_jobs_recruiter_id"))
        for name in (
            "recruiter_id",
            "closes_on",
            "employer_size",
            "existing_vacancy",
            "uses_ai",
            "pay_high",
            "pay_low",
            "hours_per_week",
            *FILLED_IN,
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("job_postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_postings_job_id"))
    op.drop_table("job_postings")
