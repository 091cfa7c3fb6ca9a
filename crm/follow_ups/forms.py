from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from crm.form_helpers import AppForm, optional_int
from crm.models import User
from crm.services.follow_ups import FollowUpInput
from crm.services.records import active_users


class FollowUpForm(AppForm):
    description = StringField(
        _l("Follow-up"),
        validators=[DataRequired(message=_l("Describe what needs doing.")), Length(max=500)],
    )
    due_date = DateField(_l("Due"), validators=[DataRequired(message=_l("Enter the due date."))])
    assignee_id = SelectField(_l("Assignee"), coerce=optional_int, validate_choice=False)
    interaction_id = HiddenField()
    contact_id = HiddenField()
    organization_id = HiddenField()

    def set_choices(self, staff: Sequence[User]) -> None:
        self.assignee_id.choices = [(u.id, u.full_name) for u in staff]

    def to_input(self) -> FollowUpInput:
        return FollowUpInput(
            description=self.description.data or "",
            due_date=self.due_date.data,
            assignee_id=self.assignee_id.data,
            interaction_id=optional_int(self.interaction_id.data),
            contact_id=optional_int(self.contact_id.data),
            organization_id=optional_int(self.organization_id.data),
        )


def follow_up_form(**link: int) -> FollowUpForm:
    """A blank follow-up form for one record, assigned to the current user by default."""
    form = FollowUpForm(formdata=None, assignee_id=current_user.id, **link)
    form.set_choices(active_users())
    return form
