"""time zone of the last held interaction

Each last-held row keeps its interaction's time zone, so an export dates a person's last
meeting where it was held without reading a million interactions again. Existing rows are
filled from their interaction.

Revision ID: ec2e7d2865d0
Revises: 9c3d6a1e2f58
Create Date: 2026-11-24 04:33:01.765259

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ec2e7d2865d0'
down_revision = '9c3d6a1e2f58'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('last_held_interactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), server_default='', nullable=False))
    op.execute(
        "UPDATE last_held_interactions SET timezone = COALESCE((SELECT interactions.timezone "
        "FROM interactions WHERE interactions.id = last_held_interactions.interaction_id), '')"
    )


def downgrade():
    with op.batch_alter_table('last_held_interactions', schema=None) as batch_op:
        batch_op.drop_column('timezone')
