"""an owner's records by tier

Contacts and organizations are indexed by owner and then tier (in place of owner alone), so
"my relationships going cold" reads the owner's own records in tier order instead of every
record by tier.

Revision ID: 6061dd456026
Revises: ec2e7d2865d0
Create Date: 2026-11-24 04:42:09.818551

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6061dd456026'
down_revision = 'ec2e7d2865d0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_owner_id'))
        batch_op.create_index('ix_contacts_owner_tier', ['owner_id', 'tier_id'], unique=False)

    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizations_owner_id'))
        batch_op.create_index('ix_organizations_owner_tier', ['owner_id', 'tier_id'], unique=False)



def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index('ix_organizations_owner_tier')
        batch_op.create_index(batch_op.f('ix_organizations_owner_id'), ['owner_id'], unique=False)

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_owner_tier')
        batch_op.create_index(batch_op.f('ix_contacts_owner_id'), ['owner_id'], unique=False)

