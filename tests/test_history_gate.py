"""Old audit events go out of sight when their record is raised above the reader's clearance."""

from crm.extensions import db
from crm.models import Sensitivity
from crm.services.contacts import ContactInput, create_contact, update_contact
from crm.services.history import AuditFilters, audit_log
from tests.factories import make_user


def labels(viewer):
    return [(e.action, e.record_label) for e in audit_log(AuditFilters(), viewer).items]


def test_events_of_a_record_raised_above_clearance_disappear_from_the_log(app, users):
    official_admin = make_user(role="admin", clearance=Sensitivity.OFFICIAL)
    contact = create_contact(
        ContactInput(given_names="Rosa", family_name="Ibáñez"), users["officer"]
    )
    db.session.commit()
    assert labels(official_admin) == [("create", "Rosa Ibáñez")]

    update_contact(
        contact,
        ContactInput(given_names="Rosa", family_name="Ibáñez", sensitivity="confidential"),
        users["admin"],
    )
    db.session.commit()

    assert labels(official_admin) == []
    assert labels(users["admin"]) == [("update", "Rosa Ibáñez"), ("create", "Rosa Ibáñez")]
