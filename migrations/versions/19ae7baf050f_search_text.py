"""Search that ignores case, accents and word order: a search_text column on candidates,
employers and jobs.

Reviewed by hand. The columns are added with an empty default, then filled for the rows
already there. The folding below is a copy of portal/models/search.py as it was when this
revision was written (a migration must not change when the app's code does); from here
on the models keep the column on every save.

Revision ID: 19ae7baf050f
Revises: e12ab0e6be2a
Create Date: 2026-11-26 10:30:00.000000

"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "19ae7baf050f"
down_revision = "e12ab0e6be2a"
branch_labels = None
depends_on = None

SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "ı": "i", "þ": "th", "ð": "d"}
)
TABLES = {  # table: (the words it is searched by, its phone column or None)
    "candidates": (("name", "email"), "phone"),
    "employers": (("name", "city"), None),
    "jobs": (("title", "location", "practice_area"), None),
}


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.translate(SPECIAL_LETTERS).split())


def _search_text(words, phone):
    text = " ".join(filter(None, (_fold(w) for w in words)))
    digits = re.sub(r"\D", "", phone or "")
    digits = digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
    return (f"{text} {digits}" if digits else text)[:600]


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("search_text", sa.String(length=600), server_default="", nullable=False)
            )
    connection = op.get_bind()
    for table, (words, phone) in TABLES.items():
        columns = ", ".join(("id", *words, *([phone] if phone else [])))
        rows = connection.execute(sa.text(f"SELECT {columns} FROM {table}")).mappings().all()
        if rows:
            connection.execute(
                sa.text(f"UPDATE {table} SET search_text = :text WHERE id = :id"),
                [
                    {"id": row["id"], "text": _search_text([row[w] for w in words], row.get(phone))}
                    for row in rows
                ],
            )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("search_text")
