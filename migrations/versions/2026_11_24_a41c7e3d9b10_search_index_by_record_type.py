"""search index by record type

On SQLite the FTS5 table also indexes each document's record type, so a search for one type
matches only that type's documents instead of filtering every match afterwards. PostgreSQL
stores each document's words (a generated tsvector column, so a match is checked without
parsing the text again) and gets one partial index of them per record type, in place of the
expression index over every document.

Revision ID: a41c7e3d9b10
Revises: 72a0a37f73e4
Create Date: 2026-11-24 01:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a41c7e3d9b10'
down_revision = '72a0a37f73e4'
branch_labels = None
depends_on = None

TRIGGERS = ("search_fts_insert", "search_fts_delete", "search_fts_update")


def _create(columns):
    """The FTS5 table over these columns of search_documents, its triggers, and its rows."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(
        f"CREATE VIRTUAL TABLE search_fts USING fts5({names}, content='search_documents', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')"
    )
    op.execute(
        "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_documents BEGIN "
        f"INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_documents BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {names}) VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_documents BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {names}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new}); END"
    )
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")


def _drop():
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS search_fts")


RECORD_TYPES = ("organization", "contact", "interaction")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _drop()
        _create(("record_type", "content"))
        return
    op.execute("DROP INDEX IF EXISTS ix_search_documents_words")
    op.execute(
        "ALTER TABLE search_documents ADD COLUMN search_words tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED"
    )
    for record_type in RECORD_TYPES:
        op.execute(
            f"CREATE INDEX ix_search_documents_words_{record_type} ON search_documents "
            f"USING gin (search_words) WHERE record_type = '{record_type}'"
        )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _drop()
        _create(("content",))
        return
    for record_type in RECORD_TYPES:
        op.execute(f"DROP INDEX IF EXISTS ix_search_documents_words_{record_type}")
    op.execute("ALTER TABLE search_documents DROP COLUMN search_words")
    op.execute(
        "CREATE INDEX ix_search_documents_words ON search_documents "
        "USING gin (to_tsvector('simple', content))"
    )
