from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length

from crm.form_helpers import AppForm
from crm.models import User
from crm.services.contact_lists import ListInput


class ContactListForm(AppForm):
    name = StringField(_l("Name"), validators=[Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    shared_with_ids = SelectMultipleField(
        _l("Shared with (read only)"),
        coerce=int,
        validate_choice=False,
        description=_l("They can see and export the list; only you change it."),
    )
    # For a smart list: the contact filters it keeps, as the contact list page's query string.
    smart_query = HiddenField()

    def set_choices(self, staff: Sequence[User], owner: User) -> None:
        self.shared_with_ids.choices = [(u.id, u.full_name) for u in staff if u.id != owner.id]

    def to_input(self, is_smart: bool, filters: dict) -> ListInput:
        return ListInput(
            name=self.name.data or "",
            description=self.description.data or "",
            is_smart=is_smart,
            filters=filters,
            shared_with_ids=list(self.shared_with_ids.data or []),
        )
