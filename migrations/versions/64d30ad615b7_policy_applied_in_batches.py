"""A policy change is applied to the open steps after it is saved, in short batches: each
version records how many interviews it had to reach and when it was applied, and an
index finds the open steps that do not follow the newest version yet.

Reviewed by hand. Versions saved before this revision were applied as they were saved
(inside the request), so they are marked applied at their creation time.

Revision ID: 64d30ad615b7
Revises: ef665caf50bf
Create Date: 2026-11-26 12:13:57.959322

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "64d30ad615b7"
down_revision = "ef665caf50bf"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("open_interviews", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(sa.Column("last_batch_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE policy_versions SET applied_at = created_at")

    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_steps_open_by_policy",
            ["policy_version_id", "interview_id"],
            unique=False,
            sqlite_where=sa.text("result IS NULL"),
            postgresql_where=sa.text("result IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_index("ix_steps_open_by_policy")

    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.drop_column("applied_at")
        batch_op.drop_column("last_batch_at")
        batch_op.drop_column("open_interviews")
