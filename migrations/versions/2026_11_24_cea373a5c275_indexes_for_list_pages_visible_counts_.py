"""indexes for list pages, visible counts, phones and tags

Organizations and contacts get their gate's columns (sensitivity, deleted_at) in the index
behind their sort key and in one of their own, so a page of the list however deep, and the
visible count, are read from an index alone; these replace the single-column name_key and
sensitivity indexes. A person's phones and the records under a tag are found by index.

Revision ID: cea373a5c275
Revises: a41c7e3d9b10
Create Date: 2026-11-24 03:26:41.781144

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cea373a5c275'
down_revision = 'a41c7e3d9b10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contact_phones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_phones_contact_id'), ['contact_id'], unique=False)

    with op.batch_alter_table('contact_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_tags_tag_id'), ['tag_id'], unique=False)

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_name_key'))
        batch_op.drop_index(batch_op.f('ix_contacts_sensitivity'))
        batch_op.create_index('ix_contacts_gate', ['sensitivity', 'deleted_at'], unique=False)
        batch_op.create_index('ix_contacts_listing', ['name_key', 'id', 'sensitivity', 'deleted_at'], unique=False)

    with op.batch_alter_table('organization_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_tags_tag_id'), ['tag_id'], unique=False)

    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizations_name_key'))
        batch_op.drop_index(batch_op.f('ix_organizations_sensitivity'))
        batch_op.create_index('ix_organizations_gate', ['sensitivity', 'deleted_at'], unique=False)
        batch_op.create_index('ix_organizations_listing', ['name_key', 'id', 'sensitivity', 'deleted_at'], unique=False)



def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index('ix_organizations_listing')
        batch_op.drop_index('ix_organizations_gate')
        batch_op.create_index(batch_op.f('ix_organizations_sensitivity'), ['sensitivity'], unique=False)
        batch_op.create_index(batch_op.f('ix_organizations_name_key'), ['name_key'], unique=False)

    with op.batch_alter_table('organization_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_tags_tag_id'))

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_listing')
        batch_op.drop_index('ix_contacts_gate')
        batch_op.create_index(batch_op.f('ix_contacts_sensitivity'), ['sensitivity'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_name_key'), ['name_key'], unique=False)

    with op.batch_alter_table('contact_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_tags_tag_id'))

    with op.batch_alter_table('contact_phones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_phones_contact_id'))

