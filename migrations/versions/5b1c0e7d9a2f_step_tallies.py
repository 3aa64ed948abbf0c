"""The compliance report's rollup: settled steps counted by the week they fell due, the
recruiter and the result, kept by triggers on ``steps`` so that every way a step is
written (a page, the policy batches, a command, a seed) keeps it right. Open steps are
not in it: the open steps' index gains the week, so the overdue part is counted live
from the index alone. (By employer the report still reads the steps: a rollup by week,
employer and result would be nearly as long as the steps themselves.)

Reviewed by hand. The triggers are written for each database (SQLite's own trigger
bodies; a PL/pgSQL function on PostgreSQL). The table is filled from the steps there are.
A later migration that makes SQLite rebuild the steps table (batch mode with recreate)
drops these triggers and must create them again: tests/test_compliance_rollup.py checks
they are there at head.

Revision ID: 5b1c0e7d9a2f
Revises: 299e0322e1a8
Create Date: 2026-11-26 12:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b1c0e7d9a2f"
down_revision = "299e0322e1a8"
branch_labels = None
depends_on = None

KEY = "(due_week, recruiter_key, result)"


def _add(row: str, when: str = "") -> str:
    """Count ``row`` in its tally (``when``: only if that holds; SQLite's trigger bodies
    have no IF). The WHERE also settles SQLite's reading of SELECT … ON CONFLICT."""
    return (
        f"INSERT INTO step_tallies {KEY[:-1]}, steps) SELECT {row}.due_week, "
        f"coalesce({row}.recruiter_id, 0), {row}.result, 1 "
        f"WHERE {when or 'true'} "
        f"ON CONFLICT {KEY} DO UPDATE SET steps = step_tallies.steps + 1"
    )


def _take(row: str) -> str:
    """Uncount ``row`` from its tally (nothing when it was open: no tally matches NULL)."""
    return (
        f"UPDATE step_tallies SET steps = steps - 1 WHERE due_week = {row}.due_week "
        f"AND recruiter_key = coalesce({row}.recruiter_id, 0) AND result = {row}.result"
    )


# Only changes the tallies can see fire the update trigger.
CHANGED = (
    "OLD.result IS DISTINCT FROM NEW.result OR OLD.due_week IS DISTINCT FROM NEW.due_week "
    "OR OLD.recruiter_id IS DISTINCT FROM NEW.recruiter_id"
)

SQLITE = [
    f"""CREATE TRIGGER step_tallies_insert AFTER INSERT ON steps
    WHEN NEW.result IS NOT NULL
    BEGIN {_add("NEW")}; END""",
    f"""CREATE TRIGGER step_tallies_delete AFTER DELETE ON steps
    WHEN OLD.result IS NOT NULL
    BEGIN {_take("OLD")}; END""",
    f"""CREATE TRIGGER step_tallies_update
    AFTER UPDATE OF result, due_week, recruiter_id ON steps
    WHEN {CHANGED.replace("IS DISTINCT FROM", "IS NOT")}
    BEGIN
      {_take("OLD")};
      {_add("NEW", "NEW.result IS NOT NULL")};
    END""",
]

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION step_tallies_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.result IS NOT NULL THEN
        {_take("OLD")};
      END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.result IS NOT NULL THEN
        {_add("NEW")};
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER step_tallies_insert AFTER INSERT ON steps
    FOR EACH ROW WHEN (NEW.result IS NOT NULL) EXECUTE FUNCTION step_tallies_follow()""",
    """CREATE TRIGGER step_tallies_delete AFTER DELETE ON steps
    FOR EACH ROW WHEN (OLD.result IS NOT NULL) EXECUTE FUNCTION step_tallies_follow()""",
    f"""CREATE TRIGGER step_tallies_update
    AFTER UPDATE OF result, due_week, recruiter_id ON steps
    FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION step_tallies_follow()""",
]


def upgrade():
    op.create_table(
        "step_tallies",
        sa.Column("due_week", sa.Date(), nullable=False),
        sa.Column("recruiter_key", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "due_week", "recruiter_key", "result", name=op.f("pk_step_tallies")
        ),
    )
    _open_by_recruiter(["recruiter_id", "due_at", "id", "due_week"])
    op.execute(
        f"INSERT INTO step_tallies {KEY[:-1]}, steps) "
        "SELECT due_week, coalesce(recruiter_id, 0), result, count(*) FROM steps "
        "WHERE result IS NOT NULL GROUP BY due_week, coalesce(recruiter_id, 0), result"
    )
    for statement in POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade():
    for trigger in ("step_tallies_insert", "step_tallies_delete", "step_tallies_update"):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON steps")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS step_tallies_follow()")
    _open_by_recruiter(["recruiter_id", "due_at", "id"])
    op.drop_table("step_tallies")


def _open_by_recruiter(columns: list[str]) -> None:
    """The open steps' index, with or without the week (the report's overdue part)."""
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_index("ix_steps_open_by_recruiter")
        batch_op.create_index(
            "ix_steps_open_by_recruiter",
            columns,
            unique=False,
            sqlite_where=sa.text("result IS NULL"),
            postgresql_where=sa.text("result IS NULL"),
        )
