"""Small helpers shared by the blueprints' views."""

from urllib.parse import urlencode

from flask import abort, current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from .extensions import db


def page_size() -> int:
    return current_app.config["PAGE_SIZE"]


def form_status() -> int:
    """200 for a fresh form, 422 when a submitted one was refused."""
    return 422 if request.method == "POST" else 200


def contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with its wildcards escaped (escape='\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def flush_or_field_error(field, message: str) -> bool:
    """Flush; on a uniqueness clash roll back and put the message on the field.

    The view commits when this returns True (the view owns the transaction).
    """
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        field.errors = [*field.errors, message]
        return False
    return True


MAX_PAGE = 100_000


class RowPagination(Pagination):
    """Pagination over a select of several columns (``db.paginate`` keeps only the first)."""

    def _query_items(self) -> list:
        return db.session.execute(self._query_args["select"].limit(self.per_page).offset(self._query_offset)).all()

    def _query_count(self) -> int:
        query = self._query_args["select"].order_by(None).subquery()
        return db.session.execute(select(func.count()).select_from(query)).scalar()


class CountedPagination(Pagination):
    """Pagination over items already fetched for this page, with their total known."""

    def _query_items(self) -> list:
        return self._query_args["items"]

    def _query_count(self) -> int:
        return self._query_args["total"]


def page_number() -> int:
    """The ?page= number, 404 when it is not a page number."""
    number = request.args.get("page", 1, type=int)
    if not 1 <= number <= MAX_PAGE:
        abort(404)
    return number


def paginate(query: Select):
    """One page of a list of models; a page number that is not one answers 404."""
    return db.paginate(query, page=page_number(), per_page=page_size(), max_per_page=100, count=True)


def paginate_rows(query: Select) -> RowPagination:
    """One page of a list of rows (several columns each)."""
    return RowPagination(page=page_number(), per_page=page_size(), max_per_page=100, select=query)


def page_url(page_number: int) -> str:
    """The current list URL with another page number, keeping the filters."""
    args = request.args.to_dict()
    args["page"] = page_number
    return f"{request.path}?{urlencode(args)}"


def count_by(column, key_column, ids: list[int], *where) -> dict[int, int]:
    """One grouped query: how many rows per key, for the ids on the current page."""
    if not ids:
        return {}
    query: Select = select(key_column, func.count(column)).where(key_column.in_(ids), *where)
    return dict(db.session.execute(query.group_by(key_column)).all())


def changed_meanwhile(row) -> bool:
    """The form was filled in from an older version of ``row`` than the one stored now:
    someone else changed it while this person had the page open."""
    posted = request.form.get("version")
    return posted is not None and posted != str(row.version)
