from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length

from crm.form_helpers import AppForm, optional_int
from crm.models import FeedScope, WorkArea
from crm.services.calendar import FeedInput


class FeedForm(AppForm):
    name = StringField(
        _l("Name"),
        validators=[Length(max=120)],
        description=_l("As your calendar will show it. Leave empty for a name from the choice."),
    )
    scope = SelectField(_l("Shows"), validate_choice=False, default=FeedScope.MINE.value)
    organization_name = StringField(
        _l("Organization"),
        validators=[Length(max=200)],
        description=_l("For one organization's meetings: also those of its people."),
        render_kw={"list": "organization-options", "data-lookup": "organizations"},
    )
    work_area_id = SelectField(_l("Work area"), coerce=optional_int, validate_choice=False)
    busy_only = BooleanField(
        _l("Busy blocks only"),
        description=_l("For sharing outside the office: times only, shown as “Busy”."),
    )
    include_emails = BooleanField(_l("Include participants' e-mail addresses"), default=True)

    def set_choices(self, work_areas: Sequence[WorkArea]) -> None:
        self.scope.choices = [(s.value, s.label) for s in FeedScope]
        self.work_area_id.choices = [("", "—"), *((w.id, w.label) for w in work_areas)]

    def to_input(self) -> FeedInput:
        return FeedInput(
            name=self.name.data or "",
            scope=self.scope.data or "",
            organization_name=self.organization_name.data or "",
            work_area_id=self.work_area_id.data,
            busy_only=bool(self.busy_only.data),
            include_emails=bool(self.include_emails.data),
        )


class InvitationForm(AppForm):
    invitation = FileField(
        _l("Invitation file (.ics)"),
        validators=[FileRequired(message=_l("Choose an .ics file."))],
        description=_l("Save the invitation from Outlook, Google Calendar or Apple Calendar."),
    )
