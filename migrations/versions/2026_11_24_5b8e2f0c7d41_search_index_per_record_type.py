"""search index per record type (SQLite)

SQLite gets one FTS5 table per record type (search_fts_organization, search_fts_contact,
search_fts_interaction) in place of one table that also indexed the type: a search for
people then reads only people's words, instead of intersecting every match of a word among
a million meetings with the word "contact". Triggers keep each table in step with the
documents of its type. PostgreSQL already has one partial index per type: nothing changes.

Revision ID: 5b8e2f0c7d41
Revises: cea373a5c275
Create Date: 2026-11-24 04:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b8e2f0c7d41'
down_revision = 'cea373a5c275'
branch_labels = None
depends_on = None

RECORD_TYPES = ("organization", "contact", "interaction")
OPTIONS = (
    "content='search_documents', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'"
)
TRIGGERS = ("search_fts_insert", "search_fts_delete", "search_fts_update")


def _add(row):
    """Statements that index ``row`` (new or old) in its own type's table."""
    return " ".join(
        f"INSERT INTO search_fts_{t}(rowid, content) SELECT {row}.id, {row}.content "
        f"WHERE {row}.record_type = '{t}';"
        for t in RECORD_TYPES
    )


def _remove(row):
    return " ".join(
        f"INSERT INTO search_fts_{t}(search_fts_{t}, rowid, content) "
        f"SELECT 'delete', {row}.id, {row}.content WHERE {row}.record_type = '{t}';"
        for t in RECORD_TYPES
    )


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS search_fts")
    for record_type in RECORD_TYPES:
        fts = f"search_fts_{record_type}"
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(content, {OPTIONS})")
        op.execute(
            f"INSERT INTO {fts}(rowid, content) SELECT id, content FROM search_documents "
            f"WHERE record_type = '{record_type}'"
        )
    # One trigger per kind of change, its statements in order: the old words go before the
    # new ones come.
    op.execute(
        f"CREATE TRIGGER search_fts_insert AFTER INSERT ON search_documents BEGIN {_add('new')} END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_documents "
        f"BEGIN {_remove('old')} END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_documents "
        f"BEGIN {_remove('old')} {_add('new')} END"
    )


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for record_type in RECORD_TYPES:
        op.execute(f"DROP TABLE IF EXISTS search_fts_{record_type}")
    op.execute(f"CREATE VIRTUAL TABLE search_fts USING fts5(record_type, content, {OPTIONS})")
    op.execute(
        "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_documents BEGIN "
        "INSERT INTO search_fts(rowid, record_type, content) "
        "VALUES (new.id, new.record_type, new.content); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_documents BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, record_type, content) "
        "VALUES ('delete', old.id, old.record_type, old.content); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_documents BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, record_type, content) "
        "VALUES ('delete', old.id, old.record_type, old.content); "
        "INSERT INTO search_fts(rowid, record_type, content) "
        "VALUES (new.id, new.record_type, new.content); END"
    )
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
