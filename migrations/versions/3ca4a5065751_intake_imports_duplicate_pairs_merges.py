"""Intake: spreadsheets being imported, likely duplicate candidates, merges; and what
duplicates are found by, on every candidate.

Reviewed by hand: three new tables; the outbox may send a new kind of email (a known
candidate applied again: to their recruiter), so its CHECK constraint on kind is widened
(SQLite rebuilds the table in batch mode); candidates gain name_key (the name's words folded and
sorted) and phone_key (the phone's digits), both indexed, empty by default and filled here
for the candidates already on file, in batches (the model keeps them on every save after).

Revision ID: 3ca4a5065751
Revises: 62d8682caf93
Create Date: 2026-11-26 19:39:21.008011

"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3ca4a5065751"
down_revision = "62d8682caf93"
branch_labels = None
depends_on = None

BATCH = 2000
KINDS = (
    "digest",
    "thank_you",
    "follow_up",
    "invitation",
    "password_reset",
    "password_changed",
    "email_change",
    "email_change_notice",
    "application_received",
)
NEW_KIND = "returning_applicant"
SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "ı": "i", "þ": "th", "ð": "d"}
)


# As the model computed them when this revision was written (a migration does not import
# the models, which go on changing).
def _name_key(name):
    decomposed = unicodedata.normalize("NFKD", re.sub(r"[^\w\s]|_", " ", name or "").casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(SPECIAL_LETTERS)
    return " ".join(sorted(bare.split()))[:120]


def _phone_key(phone):
    digits = re.sub(r"\D", "", phone or "")
    digits = digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
    return digits[:20] if len(digits) >= 7 else ""


def _fill_keys():
    connection = op.get_bind()
    candidates = sa.table(
        "candidates",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("phone", sa.String),
        sa.column("name_key", sa.String),
        sa.column("phone_key", sa.String),
    )
    rows = connection.execute(
        sa.select(candidates.c.id, candidates.c.name, candidates.c.phone)
    ).all()
    update = (
        sa.update(candidates)
        .where(candidates.c.id == sa.bindparam("row_id"))
        .values(name_key=sa.bindparam("new_name_key"), phone_key=sa.bindparam("new_phone_key"))
    )
    for start in range(0, len(rows), BATCH):
        connection.execute(
            update,
            [
                {
                    "row_id": r.id,
                    "new_name_key": _name_key(r.name),
                    "new_phone_key": _phone_key(r.phone),
                }
                for r in rows[start : start + BATCH]
            ],
        )


def _allow_kinds(batch_op, kinds) -> None:
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    batch_op.drop_constraint(op.f("ck_outbox_emails_email_kind"), type_="check")
    batch_op.create_check_constraint("email_kind", sa.text(f"kind IN ({listed})"))


def upgrade():
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        _allow_kinds(batch_op, (*KINDS, NEW_KIND))
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("default_role", sa.String(length=20), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "preview",
                "running",
                "done",
                "failed",
                name="import_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("progress_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_import_batches_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    op.create_table(
        "candidate_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("removed_id", sa.Integer(), nullable=False),
        sa.Column("removed_name", sa.String(length=120), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=True),
        sa.Column("undo", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["kept_id"], ["candidates.id"], name=op.f("fk_candidate_merges_kept_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["merged_by_id"], ["users.id"], name=op.f("fk_candidate_merges_merged_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["undone_by_id"], ["users.id"], name=op.f("fk_candidate_merges_undone_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_merges")),
    )
    with op.batch_alter_table("candidate_merges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidate_merges_kept_id"), ["kept_id"], unique=False)

    op.create_table(
        "duplicate_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.String(length=120), nullable=False),
        sa.Column("found_through", sa.String(length=20), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismissed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("first_id < second_id", name=op.f("ck_duplicate_pairs_first_is_older")),
        sa.ForeignKeyConstraint(
            ["dismissed_by_id"], ["users.id"], name=op.f("fk_duplicate_pairs_dismissed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["first_id"], ["candidates.id"], name=op.f("fk_duplicate_pairs_first_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["second_id"], ["candidates.id"], name=op.f("fk_duplicate_pairs_second_id_candidates")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_pairs")),
        sa.UniqueConstraint("first_id", "second_id", name=op.f("uq_duplicate_pairs_first_id")),
    )
    with op.batch_alter_table("duplicate_pairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duplicate_pairs_first_id"), ["first_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_duplicate_pairs_second_id"), ["second_id"], unique=False
        )

    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name_key", sa.String(length=120), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("phone_key", sa.String(length=20), server_default="", nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_candidates_name_key"), ["name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidates_phone_key"), ["phone_key"], unique=False)
    _fill_keys()


def downgrade():
    op.execute(f"DELETE FROM outbox_emails WHERE kind = '{NEW_KIND}'")
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        _allow_kinds(batch_op, KINDS)
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidates_phone_key"))
        batch_op.drop_index(batch_op.f("ix_candidates_name_key"))
        batch_op.drop_column("phone_key")
        batch_op.drop_column("name_key")

    with op.batch_alter_table("duplicate_pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duplicate_pairs_second_id"))
        batch_op.drop_index(batch_op.f("ix_duplicate_pairs_first_id"))

    op.drop_table("duplicate_pairs")
    with op.batch_alter_table("candidate_merges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_merges_kept_id"))

    op.drop_table("candidate_merges")
    op.drop_table("import_batches")
