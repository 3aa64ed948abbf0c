"""Every list page through one helper: filter form, sort keys, pages, remembered filters.

A list view builds its query (already limited to what the person may see), names its
filters and sort keys, and hands them to ``list_page``; what comes back renders itself,
with status 200, or 400 when the filters could not be read (the list is then unfiltered
and the form says what was wrong).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import abort, current_app, redirect, render_template, request, session
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from ..extensions import db
from ..followup.rules import Labelled
from .forms import Form

MAX_PAGE = 100_000
# The query-string keys a list may remember for the person's next visit.
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

SortKey = InstrumentedAttribute[Any] | ColumnElement[Any]


@dataclass(frozen=True)
class Sorting:
    key: str
    descending: bool
    order: list[Any]  # ORDER BY clauses


@dataclass(frozen=True)
class Listing:
    """One page of a list, with the filter form and order it was made with."""

    form: Form
    page: Pagination
    sorting: Sorting | None
    filters_ok: bool

    @property
    def status(self) -> int:
        return 200 if self.filters_ok else 400

    def render(self, template: str, **context: Any) -> tuple[str, int]:
        """The list's page: ``form``, ``page`` and ``sorting`` are in the template's context."""
        page = render_template(
            template, form=self.form, page=self.page, sorting=self.sorting, **context
        )
        return page, self.status


def list_page(
    name: str | None,
    form: Form,
    query: Select[Any],
    filters: Callable[[Any, Select[Any]], Select[Any]],
    *,
    sort: Mapping[str, SortKey | Sequence[SortKey]] | None = None,
    default: str = "",
    then: SortKey | None = None,
    otherwise: Callable[[Select[Any]], Select[Any]] | None = None,
) -> Listing:
    """A page of ``query`` narrowed by ``filters(form, query)`` when the form is valid (else
    by ``otherwise(query)``, when given) and ordered by ``?sort=`` among the ``sort`` keys
    (``then`` breaks ties).

    With a ``name``, the person's filters and order are remembered for their next visit:
    opened bare, the list redirects to them; ``?clear=1`` forgets them (see
    ``remember_list_settings``)."""
    if name is not None:
        remember_list_settings(name)
    filters_ok = form.validate()
    if filters_ok:
        query = filters(form, query)
    elif otherwise is not None:
        query = otherwise(query)
    sorting = None
    if sort is not None:
        sorting = sorting_from_request(sort, default)
        query = query.order_by(*sorting.order)
    if then is not None:
        query = query.order_by(then)
    return Listing(form, paginate(query), sorting, filters_ok)


def remember_list_settings(name: str) -> None:
    """Keep a list's filters and order for the person's next visit. Opened bare, the list
    returns to them (a redirect, so the address shows what is applied); ``?clear=1``
    forgets them. The redirect ends the request (``abort`` with the response)."""
    saved = session.setdefault("lists", {})
    if "clear" in request.args:
        saved.pop(name, None)
        session.modified = True
        abort(redirect(request.path))
    chosen = {key: value for key, value in request.args.items() if key in LIST_SETTINGS and value}
    if chosen:
        if saved.get(name) != chosen:
            saved[name] = chosen
            session.modified = True
    elif saved.get(name) and "page" not in request.args:
        abort(redirect(f"{request.path}?{urlencode(saved[name])}"))


def contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with its wildcards escaped (escape='\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches(text: str, *columns: Any) -> ColumnElement[bool]:
    """A condition: ``text`` appears anywhere in any of the columns, ignoring case."""
    pattern = contains(text)
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def sorting_from_request(
    columns: Mapping[str, SortKey | Sequence[SortKey]], default: str
) -> Sorting:
    """A list's order from ``?sort=KEY`` (or ``-KEY``, descending); anything else: ``default``."""
    raw = request.args.get("sort", default)
    key, descending = raw.lstrip("-"), raw.startswith("-")
    if key not in columns:
        key, descending = default.lstrip("-"), default.startswith("-")
    chosen = columns[key]
    clauses: list[Any] = list(chosen) if isinstance(chosen, list | tuple) else [chosen]
    return Sorting(key, descending, [c.desc() if descending else c.asc() for c in clauses])


def by_label(column: Any, choices: type[Labelled]) -> ColumnElement[Any]:
    """Sort a column of choices by the words people read, not the codes stored."""
    return case({member.value: member.label for member in choices}, value=column, else_="")


def sort_url(key: str, current: Sorting) -> str:
    """This list ordered by ``key``; a second click on the same column reverses it."""
    args = request.args.to_dict()
    args.pop("page", None)
    args["sort"] = f"-{key}" if current.key == key and not current.descending else key
    return f"{request.path}?{urlencode(args)}"


# Pages ---------------------------------------------------------------------------------


def page_size() -> int:
    return int(current_app.config["PAGE_SIZE"])


def page_number() -> int:
    """The ?page= number, 404 when it is not a page number."""
    number = request.args.get("page", 1, type=int)
    if not 1 <= number <= MAX_PAGE:
        abort(404)
    return number


def page_url(page_number: int) -> str:
    """The current list URL with another page number, keeping the filters."""
    args: dict[str, Any] = request.args.to_dict()
    args["page"] = page_number
    return f"{request.path}?{urlencode(args)}"


class RowPagination(Pagination):
    """Pagination over a select of several columns (``db.paginate`` keeps only the first)."""

    def _query_items(self) -> list[Any]:
        query = self._query_args["select"]
        return list(db.session.execute(query.limit(self.per_page).offset(self._query_offset)).all())

    def _query_count(self) -> int:
        if self._query_args.get("count_query") is not None:  # cheaper, the same count
            return int(db.session.execute(self._query_args["count_query"]).scalar_one())
        query = self._query_args["select"].order_by(None).subquery()
        return int(db.session.execute(select(func.count()).select_from(query)).scalar_one())


class CountedPagination(Pagination):
    """Pagination over items already fetched for this page, with their total known."""

    def _query_items(self) -> list[Any]:
        return list(self._query_args["items"])

    def _query_count(self) -> int:
        return int(self._query_args["total"])


def paginate(query: Select[Any]) -> Pagination:
    """One page of a list of models: a page past the last shows the last one; a page number
    that is not one answers 404."""
    return _within_pages(
        lambda number: db.paginate(
            query, page=number, per_page=page_size(), max_per_page=100, count=True, error_out=False
        )
    )


def paginate_rows(query: Select[Any], count: Select[Any] | None = None) -> Pagination:
    """One page of a list of rows (several columns each), like ``paginate``; ``count``, when
    given, counts the same rows more cheaply than counting the query's."""
    return _within_pages(
        lambda number: RowPagination(
            page=number,
            per_page=page_size(),
            max_per_page=100,
            select=query,
            count_query=count,
            error_out=False,
        )
    )


def _within_pages(page_at: Callable[[int], Pagination]) -> Pagination:
    """The page asked for, or the last page when the list ends before it (a bookmark kept
    while the list shrank, a number typed by hand)."""
    number = page_number()
    pagination = page_at(number)
    if number > 1 and number > pagination.pages:
        pagination = page_at(max(pagination.pages, 1))
    return pagination


def count_by(column: Any, key_column: Any, ids: list[int], *where: Any) -> dict[int, int]:
    """One grouped query: how many rows per key, for the ids on the current page."""
    if not ids:
        return {}
    query = select(key_column, func.count(column)).where(key_column.in_(ids), *where)
    return dict(db.session.execute(query.group_by(key_column)).tuples().all())
