"""What a run of the outbox did: one line per email, and the totals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class RunReport:
    """What a run did, one line per reminder, and the totals. ``echo``, when given, is
    told each line as it happens (the command prints them as it goes)."""

    lines: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    echo: Callable[[str], None] | None = None

    def add(self, outcome: str, line: str) -> None:
        self.counts[outcome] += 1
        self.lines.append(f"{outcome}: {line}")
        if self.echo is not None:
            self.echo(self.lines[-1])
