"""search documents newest first: one index per record type (PostgreSQL)

The index of documents by (record_type, id) gave PostgreSQL a choice it made wrongly: to
list the newest of a broad word's contact matches it walked every document from the newest
by primary key, a million meetings' documents before the first contact's (about 130 ms).
One partial index of ids per type, as the word indexes are, holds only that type's
documents: walking it from the newest stops after a few. SQLite is unchanged.

Revision ID: 2917e856ffeb
Revises: 6061dd456026
Create Date: 2026-11-24 06:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '2917e856ffeb'
down_revision = '6061dd456026'
branch_labels = None
depends_on = None

RECORD_TYPES = ("organization", "contact", "interaction")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_documents_newest")
        for record_type in RECORD_TYPES:
            op.execute(
                f"CREATE INDEX IF NOT EXISTS ix_search_documents_newest_{record_type} "
                f"ON search_documents (id) WHERE record_type = '{record_type}'"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for record_type in RECORD_TYPES:
            op.execute(f"DROP INDEX IF EXISTS ix_search_documents_newest_{record_type}")
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_search_documents_newest "
            "ON search_documents (record_type, id)"
        )
