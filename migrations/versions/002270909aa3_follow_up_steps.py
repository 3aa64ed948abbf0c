"""Follow-up steps per interview, policy versions, the audit trail, interviews.outcome_at.

Reviewed by hand. Steps of interviews that already exist are created by
"flask --app portal steps sync" (make run runs it), because their due times come
from the rules engine, which a migration should not import. An interview that already
has an outcome gets its last update time as the time of that outcome.

Revision ID: 002270909aa3
Revises: 129469cf8c45
Create Date: 2026-11-25 18:33:17.884529

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "002270909aa3"
down_revision = "129469cf8c45"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("timeline_business_days", sa.Integer(), nullable=False),
        sa.Column("thank_you_hours", sa.Integer(), nullable=False),
        sa.Column("follow_up_opens_business_days", sa.Integer(), nullable=False),
        sa.Column("follow_up_due_business_days", sa.Integer(), nullable=False),
        sa.Column("assumed_decision_business_days", sa.Integer(), nullable=False),
        sa.Column("move_on_business_days", sa.Integer(), nullable=False),
        sa.Column("due_soon_hours", sa.Integer(), nullable=False),
        sa.Column("day_ends_at", sa.Time(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_policy_versions_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
    )
    op.create_table(
        "steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("recruiter_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "timeline",
                "thank_you",
                "follow_up",
                "move_on",
                name="step_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "required_channel",
            sa.Enum(
                "email",
                "phone",
                "handwritten",
                name="required_channel",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column(
            "result",
            sa.Enum(
                "done_on_time",
                "done_late",
                "too_early",
                "wrong_channel",
                "waived",
                "not_needed",
                name="step_result",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("due_week", sa.Date(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "email",
                "phone",
                "handwritten",
                name="step_channel",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("waived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waived_by_id", sa.Integer(), nullable=True),
        sa.Column("waive_reason", sa.String(length=300), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_steps_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["users.id"], name=op.f("fk_steps_done_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_steps_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interviews.id"], name=op.f("fk_steps_interview_id_interviews")
        ),
        sa.ForeignKeyConstraint(
            ["recruiter_id"], ["users.id"], name=op.f("fk_steps_recruiter_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["waived_by_id"], ["users.id"], name=op.f("fk_steps_waived_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_steps")),
        sa.UniqueConstraint("interview_id", "kind", name=op.f("uq_steps_interview_id")),
    )
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_steps_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(
            "ix_steps_report",
            ["due_week", "recruiter_id", "due_at", "result", "employer_id"],
            unique=False,
        )
        batch_op.create_index("ix_steps_result_due_at", ["result", "due_at"], unique=False)
        batch_op.create_index(
            "ix_steps_recruiter_open", ["recruiter_id", "result", "due_at"], unique=False
        )

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=True),
        sa.Column("step_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_audit_events_interview_id_interviews"),
        ),
        sa.ForeignKeyConstraint(
            ["step_id"], ["steps.id"], name=op.f("fk_audit_events_step_id_steps")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_interview_id"), ["interview_id"], unique=False
        )

    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE interviews SET outcome_at = updated_at WHERE outcome <> 'pending'")


def downgrade():
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_column("outcome_at")

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_interview_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))

    op.drop_table("audit_events")
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_index("ix_steps_recruiter_open")
        batch_op.drop_index("ix_steps_result_due_at")
        batch_op.drop_index("ix_steps_report")
        batch_op.drop_index(batch_op.f("ix_steps_candidate_id"))

    op.drop_table("steps")
    op.drop_table("policy_versions")
