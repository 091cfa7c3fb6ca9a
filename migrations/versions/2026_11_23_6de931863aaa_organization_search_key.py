"""organization search key: every name an organization goes by, folded, for word searches

Revision ID: 6de931863aaa
Revises: 049c5b5e2536
Create Date: 2026-11-23 20:37:11.035015

"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "6de931863aaa"
down_revision = "049c5b5e2536"
branch_labels = None
depends_on = None


def _fold(text: str) -> str:
    """Case- and accent-fold, as the app does at the time of this migration."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped).strip()


def upgrade():
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_key", sa.String(length=500), server_default="", nullable=False)
        )
    organizations = sa.table(
        "organizations",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_es", sa.String),
        sa.column("acronym", sa.String),
        sa.column("search_key", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(organizations.c.id, organizations.c.name, organizations.c.name_es, organizations.c.acronym)
    ).all()
    for row in rows:
        key = _fold(" ".join(p for p in (row.name, row.name_es, row.acronym) if p))
        connection.execute(
            organizations.update().where(organizations.c.id == row.id).values(search_key=key)
        )


def downgrade():
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("search_key")
