from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from crm.form_helpers import AppForm, country_choices, optional_int, sensitivity_choices
from crm.models import County, GovernmentLevel, OrganizationKind, RelationshipTier, User, WorkArea
from crm.services.organizations import OrganizationInput


class OrganizationForm(AppForm):
    kind = SelectField(_l("Kind"), validate_choice=False)
    name = StringField(
        _l("Official name"),
        validators=[DataRequired(message=_l("Enter the organization's name.")), Length(max=200)],
    )
    name_es = StringField(_l("Spanish or alternate name"), validators=[Length(max=200)])
    acronym = StringField(_l("Acronym"), validators=[Length(max=32)])
    country = SelectField(_l("Country"), validate_choice=False)
    subdivision = StringField(
        _l("State or province (ISO 3166-2)"),
        validators=[Length(max=6)],
        description=_l("For example US-CA or MX-BCN."),
    )
    government_level = SelectField(_l("Government level"), validate_choice=False)
    parent = StringField(
        _l("Part of"),
        validators=[Length(max=200)],
        description=_l("The organization this one belongs to, by name."),
        render_kw={"list": "organization-options", "data-lookup": "organizations"},
    )
    website = StringField(_l("Website"), validators=[Length(max=300)])
    email = StringField(_l("E-mail"), validators=[Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    street = StringField(_l("Street address"), validators=[Length(max=300)])
    city = StringField(_l("City"), validators=[Length(max=120)])
    postal_code = StringField(_l("Postal code"), validators=[Length(max=20)])
    tier_id = SelectField(_l("Relationship tier"), coerce=optional_int, validate_choice=False)
    owner_id = SelectField(_l("Owner"), coerce=optional_int, validate_choice=False)
    sensitivity = SelectField(_l("Sensitivity"), validate_choice=False, default="official")
    tags = StringField(
        _l("Tags"), validators=[Length(max=500)], description=_l("Separate tags with commas.")
    )
    work_area_ids = SelectMultipleField(
        _l("Work areas"), coerce=int, validate_choice=False, validators=[Optional()]
    )
    county_ids = SelectMultipleField(
        _l("Consular district (counties served)"),
        coerce=int,
        validate_choice=False,
        validators=[Optional()],
        description=_l("Consulates only."),
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=10000)])

    def set_choices(
        self,
        tiers: Sequence[RelationshipTier],
        owners: Sequence[User],
        work_areas: Sequence[WorkArea],
        counties: Sequence[County],
    ) -> None:
        self.kind.choices = [(k.value, k.label) for k in OrganizationKind]
        self.country.choices = country_choices()
        self.government_level.choices = [(g.value, g.label) for g in GovernmentLevel]
        self.tier_id.choices = [("", _l("No tier"))] + [(t.id, t.label) for t in tiers]
        self.owner_id.choices = [("", _l("Nobody"))] + [(u.id, u.full_name) for u in owners]
        self.sensitivity.choices = sensitivity_choices()
        self.work_area_ids.choices = [(w.id, w.label) for w in work_areas]
        self.county_ids.choices = [(c.id, f"{c.name} ({c.subdivision})") for c in counties]

    def to_input(self) -> OrganizationInput:
        return OrganizationInput(
            kind=self.kind.data or "",
            name=self.name.data or "",
            name_es=self.name_es.data or "",
            acronym=self.acronym.data or "",
            country=self.country.data or "",
            subdivision=self.subdivision.data or "",
            government_level=self.government_level.data or "",
            parent=self.parent.data or "",
            website=self.website.data or "",
            email=self.email.data or "",
            phone=self.phone.data or "",
            street=self.street.data or "",
            city=self.city.data or "",
            postal_code=self.postal_code.data or "",
            tier_id=self.tier_id.data,
            owner_id=self.owner_id.data,
            sensitivity=self.sensitivity.data or "",
            tags=self.tags.data or "",
            work_area_ids=list(self.work_area_ids.data or []),
            county_ids=list(self.county_ids.data or []),
            notes=self.notes.data or "",
        )
