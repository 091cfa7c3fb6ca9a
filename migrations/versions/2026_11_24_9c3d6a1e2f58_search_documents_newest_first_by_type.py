"""search documents newest first by type (PostgreSQL)

PostgreSQL gets an index of each record type's documents by id, so a search with more than
a thousand visible matches lists the newest by walking that type's documents from the
newest, instead of every document of every type. SQLite reads its per-type FTS5 tables in
id order already: nothing changes there.

Revision ID: 9c3d6a1e2f58
Revises: 5b8e2f0c7d41
Create Date: 2026-11-24 04:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9c3d6a1e2f58'
down_revision = '5b8e2f0c7d41'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_search_documents_newest "
            "ON search_documents (record_type, id)"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_documents_newest")
