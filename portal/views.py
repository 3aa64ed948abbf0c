"""Small helpers shared by the blueprints' views."""

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import abort, current_app, redirect, request, session
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, or_, select
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


def matches(text: str, *columns):
    """A condition: ``text`` appears anywhere in any of the columns, ignoring case."""
    pattern = contains(text)
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


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
        return db.session.execute(
            self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        ).all()

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
    return db.paginate(
        query, page=page_number(), per_page=page_size(), max_per_page=100, count=True
    )


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


@dataclass(frozen=True)
class Sorting:
    key: str
    descending: bool
    order: list  # ORDER BY clauses


def sorting(columns: dict, default: str) -> Sorting:
    """A list's order from ``?sort=KEY`` (or ``-KEY``, descending); anything else: ``default``."""
    raw = request.args.get("sort", default)
    key, descending = raw.lstrip("-"), raw.startswith("-")
    if key not in columns:
        key, descending = default.lstrip("-"), default.startswith("-")
    clauses = columns[key] if isinstance(columns[key], list | tuple) else [columns[key]]
    return Sorting(key, descending, [c.desc() if descending else c.asc() for c in clauses])


def sort_url(key: str, current: Sorting) -> str:
    """This list ordered by ``key``; a second click on the same column reverses it."""
    args = request.args.to_dict()
    args.pop("page", None)
    args["sort"] = f"-{key}" if current.key == key and not current.descending else key
    return f"{request.path}?{urlencode(args)}"


LIST_SETTINGS = (
    "q",
    "status",
    "role_sought",
    "role",
    "recruiter_id",
    "sort",
    "action",
    "who",
    "start",
    "end",
)


def remember_list_settings(name: str):
    """Keep a list's filters and order for the person's next visit. Opened bare, the list
    returns to them (a redirect, so the address shows what is applied); ``?clear=1``
    forgets them. Returns the redirect to make, or None."""
    saved = session.setdefault("lists", {})
    if "clear" in request.args:
        saved.pop(name, None)
        session.modified = True
        return redirect(request.path)
    chosen = {key: value for key, value in request.args.items() if key in LIST_SETTINGS and value}
    if chosen:
        if saved.get(name) != chosen:
            saved[name] = chosen
            session.modified = True
        return None
    if saved.get(name) and "page" not in request.args:
        return redirect(f"{request.path}?{urlencode(saved[name])}")
    return None
