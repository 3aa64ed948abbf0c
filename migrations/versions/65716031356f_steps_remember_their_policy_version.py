"""Each step remembers the policy version its due time was worked out under.

Reviewed by hand. Settled steps keep their version, so a policy change applies only to
steps not yet done. Existing steps were last worked out under the newest version (every
policy change recomputed the open ones), so that is what they get; with no version saved
the column stays NULL, meaning the defaults of docs/policy.md.

Revision ID: 65716031356f
Revises: 1e2f7fe3c73a
Create Date: 2026-11-25 19:33:19.619218

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "65716031356f"
down_revision = "1e2f7fe3c73a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("policy_version_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_steps_policy_version_id_policy_versions"),
            "policy_versions",
            ["policy_version_id"],
            ["id"],
        )
    op.execute("UPDATE steps SET policy_version_id = (SELECT max(id) FROM policy_versions)")


def downgrade():
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_steps_policy_version_id_policy_versions"), type_="foreignkey"
        )
        batch_op.drop_column("policy_version_id")
