"""Counting the SQL statements a block of code sends to the database, for N+1 tests.

    with count_queries(db.engine) as queries:
        client.get("/contacts/")
    assert queries.count <= 20, queries.report()

Transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) is not counted: it says
nothing about how many times the data is read.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

TRANSACTION_CONTROL = re.compile(
    r"^\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)\b", flags=re.IGNORECASE
)


# One bound value: "?" (SQLite), "%(name)s" with an optional cast (psycopg), ":name", "$1".
PLACEHOLDER = r"(?:\?|%\(\w+\)s(?:::\w+)?|:\w+|\$\d+)"
# "IN (?, ?, ?)": expanded lists of bound values, as long as the data.
IN_LIST = re.compile(rf"\bIN \(\s*{PLACEHOLDER}(?:\s*,\s*{PLACEHOLDER})*\s*\)", re.IGNORECASE)


def is_transaction_control(statement: str) -> bool:
    return bool(TRANSACTION_CONTROL.match(statement))


def normalized(statement: str) -> str:
    """The statement on one line, so the same query with other bound values reads the same
    (parameters are bound separately; only the number of ``IN`` placeholders can differ)."""
    return IN_LIST.sub("IN (...)", " ".join(statement.split()))


@dataclass
class CountedQueries:
    """The statements run inside a ``count_queries`` block, in order."""

    statements: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"<{self.count} statements>"

    @property
    def count(self) -> int:
        return len(self.statements)

    def __len__(self) -> int:
        return len(self.statements)

    def repeated(self) -> Counter[str]:
        """Each (normalized) statement that ran more than once, and how many times."""
        counts = Counter(normalized(s) for s in self.statements)
        return Counter({s: n for s, n in counts.items() if n > 1})

    def report(self, limit: int = 400) -> str:
        """A numbered listing for failure messages, each statement cut to ``limit`` characters."""
        lines = [f"{self.count} statements:"]
        for number, statement in enumerate(self.statements, start=1):
            text = normalized(statement)
            lines.append(f"  {number:>3}. {text[:limit]}{' …' if len(text) > limit else ''}")
        return "\n".join(lines)


def grown_statements(few: CountedQueries, many: CountedQueries) -> dict[str, tuple[int, int]]:
    """The statements run more often with more data: statement -> (times before, times after)."""
    before = Counter(normalized(s) for s in few.statements)
    after = Counter(normalized(s) for s in many.statements)
    return {s: (before[s], n) for s, n in after.items() if n > before[s]}


def growth_report(few: CountedQueries, many: CountedQueries) -> str:
    """Why a page's count grew: the statements that ran more often (in full, with their
    counts before and after), then the whole listing with more data."""
    grown = grown_statements(few, many)
    lines = [f"{few.count} statements with the small office, {many.count} with the large one."]
    if grown:
        lines.append("Statements that ran more often with more data (before -> after):")
        for statement, (before, after) in sorted(grown.items(), key=lambda item: -item[1][1]):
            lines.append(f"  {before} -> {after}: {statement}")
    lines.append("With the large office, " + many.report(limit=200))
    return "\n".join(lines)


@contextmanager
def count_queries(engine: Engine) -> Iterator[CountedQueries]:
    """Record every SQL statement the engine executes inside the block (any connection, any
    session), leaving out transaction control."""
    counted = CountedQueries()

    def record(
        _connection: Any,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        if not is_transaction_control(statement):
            counted.statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", record)
