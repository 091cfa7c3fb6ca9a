from sqlalchemy import func, select

from crm.extensions import db
from crm.models import RelationshipTier


def test_reference_data_is_present_for_every_test(app, client, login_as):
    login_as("officer")
    response = client.get("/admin/tiers")
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(RelationshipTier)) == 3
