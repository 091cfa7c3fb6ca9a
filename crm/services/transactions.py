"""How a request's transaction ends when it only read.

psycopg forgets every statement it has prepared on a connection whenever a transaction rolls
back. Ending each page's reads with a rollback would then have PostgreSQL parse and plan every
statement of every request afresh, the user's own row and a search's matches alike. For a
transaction that wrote nothing, COMMIT and ROLLBACK leave the database the same, so such a
transaction ends with COMMIT, and the connection keeps what it has prepared.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import ORMExecuteState, Session

WROTE_KEY = "transaction_wrote"


@sa_event.listens_for(Session, "after_begin")
def _nothing_written_yet(session: Session, _transaction: Any, _connection: Any) -> None:
    session.info[WROTE_KEY] = False


@sa_event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.info[WROTE_KEY] = True


@sa_event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    """An insert, update or delete run as a statement writes without a flush."""
    if not state.is_select:
        state.session.info[WROTE_KEY] = True


def wrote_nothing(session: Session) -> bool:
    """Whether the session's transaction has neither written nor has changes to write."""
    return not (
        session.info.get(WROTE_KEY, True) or session.new or session.dirty or session.deleted
    )


def end_read_only(session: Session) -> None:
    """End a transaction that wrote nothing with COMMIT (see the module's docstring); leave
    any other to whoever owns it."""
    if not (session.in_transaction() and wrote_nothing(session)):
        return
    # Nothing was written, so nothing the session holds went stale: its records stay loaded
    # for a response that still reads them while it streams (as an export does).
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
