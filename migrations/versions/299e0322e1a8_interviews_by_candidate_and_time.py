"""A candidate's interviews by time, in one index: a recruiter's upcoming interviews are
found through their own candidates, so the dashboard's cost follows the caseload, not the
agency. It replaces the index on the candidate alone (its first column).

Reviewed by hand: the new index is made before the old one goes, so lookups by candidate
always have one.

Revision ID: 299e0322e1a8
Revises: 64d30ad615b7
Create Date: 2026-11-26 12:37:07.200156

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "299e0322e1a8"
down_revision = "64d30ad615b7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interviews_candidate_id_starts_at", ["candidate_id", "starts_at"], unique=False
        )
        batch_op.drop_index("ix_interviews_candidate_id")


def downgrade():
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.create_index("ix_interviews_candidate_id", ["candidate_id"], unique=False)
        batch_op.drop_index("ix_interviews_candidate_id_starts_at")
