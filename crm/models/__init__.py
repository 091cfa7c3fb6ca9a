"""Every model, importable from one place."""

from crm.models.audit import AuditEvent
from crm.models.base import Sensitivity
from crm.models.calendar_feed import CalendarFeed, FeedScope
from crm.models.contact import (
    Affiliation,
    Contact,
    ContactEmail,
    ContactPhone,
    EmailKind,
    PhoneKind,
    contact_tags,
)
from crm.models.contact_list import ContactList, ContactListMember, contact_list_shares
from crm.models.data_import import ImportBatch, ImportedRecord
from crm.models.follow_up import FollowUp
from crm.models.interaction import (
    Interaction,
    InteractionContact,
    InteractionKind,
    InteractionStatus,
    LastHeldInteraction,
    MonthlyActivity,
    interaction_organizations,
    interaction_staff,
    interaction_work_areas,
)
from crm.models.organization import (
    GovernmentLevel,
    Organization,
    OrganizationKind,
    consular_district_counties,
    organization_tags,
    organization_work_areas,
)
from crm.models.reference import County, RelationshipTier, Tag, WorkArea
from crm.models.search import SavedSearch, SearchDocument
from crm.models.user import Role, User

__all__ = [
    "Affiliation",
    "AuditEvent",
    "CalendarFeed",
    "Contact",
    "ContactEmail",
    "ContactList",
    "ContactListMember",
    "ContactPhone",
    "County",
    "EmailKind",
    "FeedScope",
    "FollowUp",
    "GovernmentLevel",
    "ImportBatch",
    "ImportedRecord",
    "Interaction",
    "InteractionContact",
    "InteractionKind",
    "InteractionStatus",
    "LastHeldInteraction",
    "MonthlyActivity",
    "Organization",
    "OrganizationKind",
    "PhoneKind",
    "RelationshipTier",
    "Role",
    "SavedSearch",
    "SearchDocument",
    "Sensitivity",
    "Tag",
    "User",
    "WorkArea",
    "consular_district_counties",
    "contact_list_shares",
    "contact_tags",
    "interaction_organizations",
    "interaction_staff",
    "interaction_work_areas",
    "organization_tags",
    "organization_work_areas",
]
