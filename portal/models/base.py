"""Column types and enums shared by every model."""

from __future__ import annotations

from datetime import UTC
from typing import cast

from sqlalchemy import DateTime, Enum, Table, TypeDecorator

from ..followup.rules import Labelled


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as UTC; naive values are refused on the way in.

    SQLite has no time zones, so values are written as naive UTC there and given
    their zone back when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def table_of(model) -> Table:
    """A model's table, for Core statements in bulk (``__table__`` is typed as any FROM)."""
    return cast(Table, model.__table__)


def render_migration_item(type_, obj, autogen_context):
    """Alembic autogenerate hook: write UTCDateTime as a plain aware DateTime."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


class Choice(Labelled):
    """An enum whose members carry the words shown to people, offered as form choices."""

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


def choice_column(enum_cls: type[Labelled], name: str) -> Enum:
    """A VARCHAR with a CHECK constraint, portable across SQLite and PostgreSQL."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
