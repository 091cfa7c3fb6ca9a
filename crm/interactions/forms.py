from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional

from crm.form_helpers import AppForm, sensitivity_choices, time_zone_choices
from crm.models import InteractionKind, InteractionStatus, User, WorkArea
from crm.services.interactions import InteractionInput, ParticipantInput


class InteractionForm(AppForm):
    subject = StringField(
        _l("Subject"),
        validators=[DataRequired(message=_l("Enter a subject.")), Length(max=300)],
    )
    kind = SelectField(_l("Kind"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    day = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter the date."))])
    all_day = BooleanField(_l("All day"), description=_l("A conference day: no times."))
    start = TimeField(_l("Starts"), validators=[Optional()])
    end = TimeField(_l("Ends"), validators=[Optional()])
    end_day = DateField(
        _l("Ends on"), validators=[Optional()], description=_l("Only if it ends on another day.")
    )
    timezone = SelectField(
        _l("Time zone"),
        validate_choice=False,
        description=_l("Where the meeting takes place: times are shown in this zone."),
    )
    location = StringField(_l("Location"), validators=[Length(max=300)])
    video_url = StringField(_l("Video link"), validators=[Length(max=500)])
    sensitivity = SelectField(_l("Sensitivity"), validate_choice=False, default="official")
    organization_names = FieldList(
        StringField(
            _l("Organization"),
            validators=[Length(max=200)],
            render_kw={"list": "organization-options", "data-lookup": "organizations"},
        ),
        min_entries=3,
    )
    staff_ids = SelectMultipleField(
        _l("Office staff"), coerce=int, validate_choice=False, validators=[Optional()]
    )
    work_area_ids = SelectMultipleField(
        _l("Work areas"), coerce=int, validate_choice=False, validators=[Optional()]
    )
    summary = TextAreaField(_l("Summary"), validators=[Length(max=20000)])
    outcome = TextAreaField(_l("Outcome and notes"), validators=[Length(max=20000)])
    # Carries the participants' errors, shown beside the people on the form.
    contacts = HiddenField()
    contact_search = StringField(
        _l("Find people"),
        validators=[Length(max=200)],
        render_kw={"list": "contact-options", "data-lookup": "contacts"},
    )

    def set_choices(self, staff: Sequence[User], work_areas: Sequence[WorkArea]) -> None:
        self.kind.choices = [(k.value, k.label) for k in InteractionKind]
        self.status.choices = [(s.value, s.label) for s in InteractionStatus]
        self.timezone.choices = time_zone_choices()
        self.sensitivity.choices = sensitivity_choices()
        self.staff_ids.choices = [(u.id, u.full_name) for u in staff]
        self.work_area_ids.choices = [(w.id, w.label) for w in work_areas]

    def to_input(self, participants: list[ParticipantInput]) -> InteractionInput:
        return InteractionInput(
            subject=self.subject.data or "",
            day=self.day.data,
            start=self.start.data,
            end=self.end.data,
            end_day=self.end_day.data,
            all_day=bool(self.all_day.data),
            timezone=self.timezone.data or "",
            kind=self.kind.data or "",
            status=self.status.data or "",
            location=self.location.data or "",
            video_url=self.video_url.data or "",
            summary=self.summary.data or "",
            outcome=self.outcome.data or "",
            sensitivity=self.sensitivity.data or "",
            contacts=participants,
            organization_names=[name or "" for name in self.organization_names.data],
            staff_ids=list(self.staff_ids.data or []),
            work_area_ids=list(self.work_area_ids.data or []),
        )
