"""A recruiter's candidates with their names in one index: lists in name order and the
joins from a recruiter's steps and interviews to their candidates are read off the index
(on PostgreSQL the candidates' rows are scattered over as many pages as there are
candidates). It replaces the index on the recruiter alone, its first column.

Reviewed by hand: the new index is made before the old one goes.

Revision ID: 23400447e8aa
Revises: 6f4fe45b6e97
Create Date: 2026-11-26 13:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "23400447e8aa"
down_revision = "6f4fe45b6e97"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_candidates_recruiter_id_name", ["recruiter_id", "name", "id"], unique=False
        )
        batch_op.drop_index("ix_candidates_recruiter_id")


def downgrade():
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.create_index("ix_candidates_recruiter_id", ["recruiter_id"], unique=False)
        batch_op.drop_index("ix_candidates_recruiter_id_name")
