"""Views that take a file: marked with ``takes_files``, their requests may carry more than
the portal's small default body (MAX_CONTENT_LENGTH), and only they take files at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request

F = TypeVar("F", bound=Callable[..., Any])


def takes_files(*fields: str, up_to: int) -> Callable[[F], F]:
    """Mark a view whose form takes a file in ``fields``: its requests may carry ``up_to``
    bytes, and a file in any other field is refused like a file anywhere else."""

    def mark(view: F) -> F:
        view.takes_files_up_to = up_to  # type: ignore[attr-defined]
        view.takes_files_in = frozenset(fields)  # type: ignore[attr-defined]
        return view

    return mark


def _view():
    return current_app.view_functions.get(request.endpoint or "")


def file_limit() -> int | None:
    return getattr(_view(), "takes_files_up_to", None)


def file_fields() -> frozenset[str]:
    """The fields of this request's form that take a file (none for most)."""
    return getattr(_view(), "takes_files_in", frozenset())


def takes_files_here() -> bool:
    """Whether this request's view takes a file (its error pages say so)."""
    return file_limit() is not None


def allow_files() -> None:
    limit = file_limit()
    if limit is not None:
        request.max_content_length = limit
