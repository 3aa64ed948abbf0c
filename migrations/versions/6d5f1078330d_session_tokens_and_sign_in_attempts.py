"""Per-person session tokens, and a table of sign-in attempts for throttling.

Reviewed by hand. session_token starts empty: existing sessions hold only an id, which no
longer matches, so everyone signs in once more after this upgrade (their token is made
then). sign_in_attempts is new, indexed by address and by email for the time-window counts.

Revision ID: 6d5f1078330d
Revises: 2313e38bda89
Create Date: 2026-11-25 20:25:26.376944

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "6d5f1078330d"
down_revision = "2313e38bda89"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
    )
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_attempts_address_at", ["address", "at"], unique=False)
        batch_op.create_index("ix_sign_in_attempts_email_at", ["email", "at"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_token")

    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_attempts_email_at")
        batch_op.drop_index("ix_sign_in_attempts_address_at")

    op.drop_table("sign_in_attempts")
