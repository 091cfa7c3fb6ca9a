from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from crm.form_helpers import AppForm, language_choices, sensitivity_choices, time_zone_choices
from crm.models import Role
from crm.services.admin import TierInput, WorkAreaInput
from crm.services.users import UserInput


class UserForm(AppForm):
    full_name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Enter the person's name.")), Length(max=200)],
    )
    email = StringField(
        _l("E-mail"),
        validators=[DataRequired(message=_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    role = SelectField(_l("Role"), validate_choice=False)
    clearance = SelectField(_l("Clearance"), validate_choice=False, default="official")
    language = SelectField(_l("Language"), validate_choice=False)
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    active = BooleanField(_l("Active (may sign in)"), default=True)
    password = PasswordField(
        _l("Password"),
        description=_l("At least 10 characters. Leave empty to keep the current password."),
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [(r.value, r.label) for r in Role]
        self.language.choices = language_choices()
        self.clearance.choices = sensitivity_choices()
        self.timezone.choices = time_zone_choices()

    def to_input(self) -> UserInput:
        return UserInput(
            email=self.email.data or "",
            full_name=self.full_name.data or "",
            role=self.role.data or "",
            clearance=self.clearance.data or "",
            language=self.language.data or "",
            timezone=self.timezone.data or "",
            active=bool(self.active.data),
            password=self.password.data or "",
        )


class TierForm(AppForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=80)]
    )
    rank = IntegerField(
        _l("Rank"),
        validators=[InputRequired(message=_l("Enter a whole number.")), NumberRange(min=1)],
        description=_l("1 is the most important."),
    )
    cadence_days = IntegerField(
        _l("Target contact cadence (days)"),
        validators=[
            InputRequired(message=_l("Enter a whole number.")),
            NumberRange(min=1, max=3650),
        ],
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])

    def to_input(self) -> TierInput:
        return TierInput(
            name=self.name.data or "",
            rank=self.rank.data or 0,
            cadence_days=self.cadence_days.data or 0,
            description=self.description.data or "",
        )


class WorkAreaForm(AppForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=120)]
    )
    name_es = StringField(_l("Name in Spanish"), validators=[Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])

    def to_input(self) -> WorkAreaInput:
        return WorkAreaInput(
            name=self.name.data or "",
            name_es=self.name_es.data or "",
            description=self.description.data or "",
        )
