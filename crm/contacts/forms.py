from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from crm.form_helpers import AppForm, optional_int, sensitivity_choices
from crm.models import EmailKind, PhoneKind, RelationshipTier, User
from crm.models.contact import LANGUAGE_LABELS
from crm.services.contacts import AffiliationInput, ContactInput, EmailInput, PhoneInput

# Blank rows offered for new e-mail addresses and phones (no JavaScript needed to add one).
SPARE_ROWS = 2


# Choices are set in __init__: WTForms 3.3 deprecates tuple choices given to the field.
class EmailEntryForm(Form):
    address = StringField(_l("E-mail"), validators=[Length(max=254)])
    kind = SelectField(_l("Type"), validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, k.label) for k in EmailKind]


class PhoneEntryForm(Form):
    number = StringField(_l("Phone"), validators=[Length(max=40)])
    extension = StringField(_l("Ext."), validators=[Length(max=10)])
    kind = SelectField(_l("Type"), validate_choice=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, k.label) for k in PhoneKind]


class ContactForm(AppForm):
    honorific = StringField(
        _l("Honorific"), validators=[Length(max=40)], description=_l("Lic., Mtra., Hon., Dr. …")
    )
    given_names = StringField(
        _l("Given name(s)"),
        validators=[DataRequired(message=_l("Enter the given name(s).")), Length(max=120)],
    )
    family_name = StringField(
        _l("Family name"),
        validators=[DataRequired(message=_l("Enter the family name.")), Length(max=120)],
        description=_l("First (paternal) surname."),
    )
    second_family_name = StringField(
        _l("Second family name"),
        validators=[Length(max=120)],
        description=_l("Second (maternal) surname, if any."),
    )
    preferred_language = SelectField(_l("Preferred language"), validate_choice=False)
    emails = FieldList(FormField(EmailEntryForm), min_entries=1)
    phones = FieldList(FormField(PhoneEntryForm), min_entries=1)
    phone_region = SelectField(_l("Numbers without a country code are in"), validate_choice=False)
    tier_id = SelectField(_l("Relationship tier"), coerce=optional_int, validate_choice=False)
    owner_id = SelectField(_l("Owner"), coerce=optional_int, validate_choice=False)
    sensitivity = SelectField(_l("Sensitivity"), validate_choice=False, default="official")
    tags = StringField(
        _l("Tags"), validators=[Length(max=500)], description=_l("Separate tags with commas.")
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=10000)])

    def set_choices(self, tiers: Sequence[RelationshipTier], owners: Sequence[User]) -> None:
        self.preferred_language.choices = list(LANGUAGE_LABELS.items())
        self.phone_region.choices = [("US", _l("United States")), ("MX", _l("Mexico"))]
        self.tier_id.choices = [("", _l("No tier"))] + [(t.id, t.label) for t in tiers]
        self.owner_id.choices = [("", _l("Nobody"))] + [(u.id, u.full_name) for u in owners]
        self.sensitivity.choices = sensitivity_choices()

    def add_spare_rows(self) -> None:
        for _ in range(SPARE_ROWS):
            self.emails.append_entry()
            self.phones.append_entry()

    def to_input(self) -> ContactInput:
        return ContactInput(
            honorific=self.honorific.data or "",
            given_names=self.given_names.data or "",
            family_name=self.family_name.data or "",
            second_family_name=self.second_family_name.data or "",
            preferred_language=self.preferred_language.data or "",
            tier_id=self.tier_id.data,
            owner_id=self.owner_id.data,
            sensitivity=self.sensitivity.data or "",
            tags=self.tags.data or "",
            notes=self.notes.data or "",
            emails=[EmailInput(e["address"] or "", e["kind"] or "") for e in self.emails.data],
            phones=[
                PhoneInput(p["number"] or "", p["kind"] or "", p["extension"] or "")
                for p in self.phones.data
            ],
            phone_region=self.phone_region.data or "US",
        )


class AffiliationForm(AppForm):
    organization = StringField(
        _l("Organization"),
        validators=[DataRequired(message=_l("Enter the organization.")), Length(max=200)],
        render_kw={"list": "organization-options", "data-lookup": "organizations"},
    )
    title = StringField(_l("Title or position"), validators=[Length(max=200)])
    department = StringField(_l("Department"), validators=[Length(max=200)])
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(
        _l("End date"), validators=[Optional()], description=_l("Leave empty while current.")
    )
    is_primary = BooleanField(_l("Main post"))

    def to_input(self) -> AffiliationInput:
        return AffiliationInput(
            organization=self.organization.data or "",
            title=self.title.data or "",
            department=self.department.data or "",
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            is_primary=bool(self.is_primary.data),
        )
