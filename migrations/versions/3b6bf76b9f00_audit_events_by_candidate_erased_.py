"""Audit events say which candidate they concern; candidates can be marked erased.

Reviewed by hand. Existing events about an interview get that interview's candidate, so a
data export or an erasure finds them; indexes serve the admin's audit filters.

Revision ID: 3b6bf76b9f00
Revises: d66d2d61488f
Create Date: 2026-11-25 20:36:18.811292

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3b6bf76b9f00"
down_revision = "d66d2d61488f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("candidate_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_events_candidate_id_candidates"),
            "candidates",
            ["candidate_id"],
            ["id"],
        )

    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE audit_events SET candidate_id = "
        "(SELECT candidate_id FROM interviews WHERE interviews.id = audit_events.interview_id) "
        "WHERE interview_id IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("erased_at")

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_audit_events_candidate_id_candidates"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_audit_events_candidate_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))
        batch_op.drop_column("candidate_id")
