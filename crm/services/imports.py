"""Imports of contacts from CSV (the app's own columns, Google's and Outlook's) and vCard.

An import is planned (each column mapped to a field), previewed and then committed. Preview
and commit run the same code, row by row, inside a savepoint: the preview rolls everything
back, so what it shows is exactly what the commit would do. Each row goes through the same
validation as the contact form. A committed import remembers what it created and the values
it replaced, so it can be undone as a whole while nothing it wrote has changed since.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any

import pycountry
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.extensions import db
from crm.formats.csv_io import Table
from crm.formats.records import Address, ContactRecord, Email, Phone
from crm.models import (
    Affiliation,
    AuditEvent,
    Contact,
    ContactEmail,
    ContactPhone,
    EmailKind,
    ImportBatch,
    ImportedRecord,
    InteractionContact,
    Organization,
    OrganizationKind,
    PhoneKind,
    RelationshipTier,
    Sensitivity,
    Tag,
    User,
    interaction_organizations,
)
from crm.models.base import utcnow
from crm.services import records
from crm.services.contacts import (
    AffiliationInput,
    ContactInput,
    EmailInput,
    PhoneInput,
    add_affiliation,
    create_contact,
    name_key,
    update_contact,
)
from crm.services.errors import PermissionDenied, RecordNotFound, ValidationError, parse_id
from crm.services.exports import app_columns
from crm.services.normalize import fold, normalize_email, normalize_phone
from crm.services.organizations import OrganizationInput, create_organization, find_by_name
from crm.services.tags import resolve_tags
from crm.services.visibility import visible


class OnMatch(enum.StrEnum):
    SKIP = "skip"
    UPDATE = "update"
    CREATE = "create"

    @property
    def label(self) -> str:
        return str(ON_MATCH_LABELS[self])


ON_MATCH_LABELS = {
    OnMatch.SKIP: _l("Skip people already in the contacts"),
    OnMatch.UPDATE: _l("Update people already in the contacts with what the file adds"),
    OnMatch.CREATE: _l("Create them anyway (duplicates)"),
}

# The fields a column can fill. Several columns may fill the same repeatable field (e-mail,
# phone); the n-th "type" or "extension" column goes with the n-th address or number.
FIELDS: dict[str, Any] = {
    "honorific": _l("Honorific"),
    "given_names": _l("Given names"),
    "family_name": _l("Family name"),
    "second_family_name": _l("Second family name"),
    "family_names": _l("Both family names (split in two when there are two words)"),
    "full_name": _l("Full name"),
    "preferred_language": _l("Preferred language"),
    "email": _l("E-mail"),
    "email_kind": _l("E-mail type"),
    "email_work": _l("Work e-mail"),
    "email_personal": _l("Personal e-mail"),
    "phone": _l("Phone"),
    "phone_kind": _l("Phone type"),
    "phone_extension": _l("Phone extension"),
    "phone_work": _l("Work phone"),
    "phone_mobile": _l("Mobile phone"),
    "phone_home": _l("Home phone"),
    "phone_fax": _l("Fax"),
    "phone_other": _l("Other phone"),
    "organization": _l("Organization"),
    "title": _l("Title"),
    "department": _l("Department"),
    "street": _l("Street"),
    "city": _l("City"),
    "region": _l("State or province"),
    "postal_code": _l("Postal code"),
    "country": _l("Country"),
    "tags": _l("Tags"),
    "tier": _l("Tier"),
    "owner": _l("Owner"),
    "sensitivity": _l("Sensitivity"),
    "notes": _l("Notes"),
    "uid": _l("ID"),
}

# Headers recognised without asking, compared case- and accent-blind.
_ALIASES = {
    "honorific": ["honorific", "title", "name prefix", "prefix", "tratamiento", "titulo"],
    "given_names": [
        "given names",
        "given name",
        "first name",
        "first",
        "nombre",
        "nombres",
    ],
    "family_name": ["family name", "apellido", "apellido paterno", "primer apellido"],
    "second_family_name": ["second family name", "apellido materno", "segundo apellido"],
    "family_names": ["last name", "surname", "apellidos"],
    "full_name": ["name", "full name", "nombre completo"],
    "preferred_language": ["preferred language", "language", "idioma"],
    "email": ["e-mail", "email", "correo", "correo electronico", "e-mail address"],
    "email_work": [],
    "organization": [
        "organization",
        "organisation",
        "company",
        "organization name",
        "organization 1 - name",
        "organizacion",
        "dependencia",
    ],
    "title": ["job title", "organization title", "organization 1 - title", "position", "cargo"],
    "department": [
        "department",
        "organization department",
        "organization 1 - department",
        "area",
    ],
    "street": ["street", "business street", "address 1 - street", "calle"],
    "city": ["city", "business city", "address 1 - city", "ciudad"],
    "region": [
        "state or province",
        "state",
        "business state",
        "address 1 - region",
        "estado",
    ],
    "postal_code": [
        "postal code",
        "zip",
        "business postal code",
        "address 1 - postal code",
        "codigo postal",
    ],
    "country": ["country", "business country/region", "address 1 - country", "pais"],
    "tags": ["tags", "labels", "categories", "group membership", "etiquetas"],
    "tier": ["tier", "nivel"],
    "owner": ["owner", "responsable"],
    "sensitivity": ["sensitivity", "sensibilidad"],
    "notes": ["notes", "note", "notas"],
    "uid": ["id", "uid"],
    "phone_work": ["business phone", "business phone 2", "company main phone"],
    "phone_mobile": ["mobile phone", "mobile", "celular"],
    "phone_home": ["home phone", "home phone 2"],
    "phone_fax": ["business fax", "fax"],
    "phone_other": ["other phone", "primary phone"],
}


# Numbered columns: "E-mail 2" (this app), "E-mail 2 - Value" (Google), "E-mail 2 Address"
# (Outlook), with their types, labels and extensions.
_NUMBERED_ALIASES = (
    *((f"e-mail {{n}}{suffix}", "email") for suffix in ("", " - value", " address")),
    *((f"e-mail {{n}}{suffix}", "email_kind") for suffix in (" type", " - label", " - type")),
    *((f"phone {{n}}{suffix}", "phone") for suffix in ("", " - value")),
    *((f"phone {{n}}{suffix}", "phone_kind") for suffix in (" type", " - label", " - type")),
    ("phone {n} extension", "phone_extension"),
)


def column_set(header: list[str]) -> str:
    """Which program's columns a CSV has: "google", "outlook", "app" or "custom"."""
    names = set(header)
    if "E-mail 1 - Value" in names or "Given Name" in names:
        return "google"
    if "E-mail Address" in names and "Business Phone" in names:
        return "outlook"
    mapping = detect_mapping(header)
    if "" not in mapping and "uid" in mapping:
        return "app"
    return "custom"


def _alias_table() -> dict[str, str]:
    table = {fold(alias): key for key, aliases in _ALIASES.items() for alias in aliases}
    for n in range(1, 10):
        for pattern, key in _NUMBERED_ALIASES:
            table[fold(pattern.format(n=n))] = key
    # The app's own headers in the language of the person importing.
    for key, label in FIELDS.items():
        table.setdefault(fold(str(label)), key)
    return table


def detect_mapping(header: list[str]) -> list[str]:
    """A field for each column, from its header ("" for a column to leave out). A file in
    the app's own columns (in English or the reader's language) maps exactly."""
    for locale in {"en", str(get_locale() or "en")}:
        with force_locale(locale):
            own = {fold(label): key for key, label in app_columns()}
        if sum(fold(name) in own for name in header) >= len(header) // 2 + 1:
            aliases = _alias_table()
            return [own.get(fold(name)) or aliases.get(fold(name), "") for name in header]
    aliases = _alias_table()
    return [aliases.get(fold(name), "") for name in header]


# --- From a row to a person ------------------------------------------------------------------

_EMAIL_KINDS = {"work": "work", "home": "personal", "personal": "personal", "other": "other"}
_PHONE_KINDS = {
    "work": "work",
    "business": "work",
    "mobile": "mobile",
    "cell": "mobile",
    "home": "home",
    "fax": "fax",
    "work fax": "fax",
    "home fax": "fax",
    "other": "other",
}


def _split_family(names: str) -> tuple[str, str]:
    """Two words are the two surnames; anything else stays whole in the first."""
    words = names.split()
    return (words[0], words[1]) if len(words) == 2 else (" ".join(words), "")


def _labels(value: str) -> list[str]:
    """Tags from "a ; b", Google's "a ::: b" or Outlook's "a;b"; Google's own label dropped."""
    parts = value.replace(":::", ";").split(";")
    return [p.strip() for p in parts if p.strip() and p.strip() != "* myContacts"]


def record_from_row(row: list[str], mapping: list[str]) -> ContactRecord:
    values: dict[str, list[str]] = {}
    for cell, target in zip(row, mapping, strict=False):
        if target:
            values.setdefault(target, []).append(cell.strip())

    def one(key: str) -> str:
        return next((v for v in values.get(key, []) if v), "")

    given, family, second = one("given_names"), one("family_name"), one("second_family_name")
    if not family and one("family_names"):
        family, second = _split_family(one("family_names"))
    if not (given or family) and one("full_name"):
        words = one("full_name").split()
        given = words[0] if len(words) > 1 else ""
        family, second = _split_family(" ".join(words[1:] if len(words) > 1 else words))
    emails: list[Email] = []
    kinds = values.get("email_kind", [])
    for index, address in enumerate(values.get("email", [])):
        for part in address.split(";"):
            if part.strip():
                kind = kinds[index].lower() if index < len(kinds) else "work"
                emails.append(Email(part.strip(), _EMAIL_KINDS.get(kind, "other")))
    for key, kind in (("email_work", "work"), ("email_personal", "personal")):
        emails += [Email(v, kind) for v in values.get(key, []) if v]
    phones: list[Phone] = []
    phone_kinds = values.get("phone_kind", [])
    extensions = values.get("phone_extension", [])
    for index, number in enumerate(values.get("phone", [])):
        for part in number.split(";"):
            if part.strip():
                kind = phone_kinds[index].lower() if index < len(phone_kinds) else "work"
                extension = extensions[index] if index < len(extensions) else ""
                phones.append(Phone(part.strip(), _PHONE_KINDS.get(kind, "other"), extension))
    for key in ("phone_work", "phone_mobile", "phone_home", "phone_fax", "phone_other"):
        kind = key.removeprefix("phone_")
        for number in values.get(key, []):
            if number:
                text, _, extension = number.partition(" ext. ")
                phones.append(Phone(text.strip(), kind, extension.strip()))
    return ContactRecord(
        uid=one("uid"),
        honorific=one("honorific"),
        given_names=given,
        family_name=family,
        second_family_name=second,
        preferred_language=(one("preferred_language") or "en")[:2].lower(),
        emails=tuple(emails),
        phones=tuple(phones),
        organization=one("organization"),
        title=one("title"),
        department=one("department"),
        work_address=Address(
            one("street"), one("city"), one("region"), one("postal_code"), one("country")
        ),
        tags=tuple(t for v in values.get("tags", []) for t in _labels(v)),
        tier=one("tier"),
        owner=one("owner"),
        sensitivity=one("sensitivity"),
        notes="\n".join(v for v in values.get("notes", []) if v),
    )


def records_from_table(table: Table, mapping: list[str]) -> list[ContactRecord]:
    return [record_from_row(row, mapping) for row in table.rows]


def records_from_vcards(cards: list[ContactRecord]) -> list[ContactRecord]:
    """vCards carry both surnames in one N component: split them like a "Last Name" column."""
    result = []
    for card in cards:
        family, second = (
            _split_family(card.family_name)
            if not card.second_family_name
            else (card.family_name, card.second_family_name)
        )
        result.append(replace(card, family_name=family, second_family_name=second))
    return result


# --- Matching ----------------------------------------------------------------------------------


def find_match(record: ContactRecord, viewer: User, phone_region: str) -> Contact | None:
    """The contact the viewer may see who is this person: same ID, e-mail, phone, or name
    at the same organization. A contact the viewer may not see never matches (it would
    reveal that it exists)."""
    if record.uid:
        found = db.session.scalars(
            visible(Contact, viewer).where(Contact.uid == record.uid)
        ).first()
        if found is not None:
            return found
    addresses = {e.address.casefold() for e in record.emails if e.address}
    if addresses:
        found = db.session.scalars(
            visible(Contact, viewer)
            .join(ContactEmail, ContactEmail.contact_id == Contact.id)
            .where(func.lower(ContactEmail.address).in_(addresses))
            .order_by(Contact.id)
        ).first()
        if found is not None:
            return found
    numbers = set()
    for phone in record.phones:
        try:
            numbers.add(normalize_phone(phone.number, phone_region))
        except ValueError:
            continue
    if numbers:
        found = db.session.scalars(
            visible(Contact, viewer)
            .join(ContactPhone, ContactPhone.contact_id == Contact.id)
            .where(ContactPhone.number.in_(numbers))
            .order_by(Contact.id)
        ).first()
        if found is not None:
            return found
    key = name_key(record.given_names, record.family_name, record.second_family_name)
    if not key.strip():
        return None
    same_name = visible(Contact, viewer).where(Contact.name_key == key)
    if record.organization:
        organization = find_by_name(record.organization, viewer)
        if organization is None:
            return None
        same_name = same_name.where(
            Contact.affiliations.any(Affiliation.organization_id == organization.id)
        )
    return db.session.scalars(same_name.order_by(Contact.id)).first()


# --- Running an import -----------------------------------------------------------------------


class RowStatus(enum.StrEnum):
    NEW = "new"
    MATCH = "match"
    UPDATED = "updated"
    SKIPPED = "skipped"
    ERROR = "error"


@dataclass
class RowOutcome:
    number: int  # as the file counts it: the header is row 1 of a CSV
    name: str
    status: RowStatus
    match_id: int | None = None
    match_name: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    file_name: str
    file_format: str  # "csv" or "vcard"
    records: list[ContactRecord]
    on_match: OnMatch = OnMatch.SKIP
    all_or_nothing: bool = True
    column_set: str = ""
    # The row number of the first record (2 for a CSV with a header row).
    first_row: int = 1


@dataclass
class ImportResult:
    outcomes: list[RowOutcome]
    batch: ImportBatch | None = None

    def count(self, *statuses: RowStatus) -> int:
        return sum(1 for o in self.outcomes if o.status in statuses)

    @property
    def has_errors(self) -> bool:
        return any(o.status is RowStatus.ERROR for o in self.outcomes)


def _tier_id(name: str) -> int | None:
    if not name:
        return None
    tier = db.session.scalars(
        select(RelationshipTier).where(func.lower(RelationshipTier.name) == name.casefold())
    ).first()
    if tier is None:
        raise ValidationError({"tier": _("No tier is called “%(name)s”.", name=name)})
    return tier.id


def _owner_id(name: str) -> int | None:
    if not name:
        return None
    owner = db.session.scalars(
        select(User).where(
            User.active,
            (func.lower(User.full_name) == name.casefold())
            | (func.lower(User.email) == name.casefold()),
        )
    ).first()
    if owner is None:
        raise ValidationError(
            {"owner": _("No active staff member is called “%(name)s”.", name=name)}
        )
    return owner.id


def _sensitivity(code: str) -> str:
    if not code:
        return Sensitivity.OFFICIAL.code
    try:
        return Sensitivity.from_code(code.strip().lower()).code
    except KeyError:
        raise ValidationError(
            {"sensitivity": _("Unknown sensitivity “%(code)s”.", code=code)}
        ) from None


def _contact_input(record: ContactRecord, phone_region: str) -> ContactInput:
    return ContactInput(
        given_names=record.given_names,
        family_name=record.family_name,
        second_family_name=record.second_family_name,
        honorific=record.honorific,
        preferred_language=record.preferred_language
        if record.preferred_language in ("en", "es")
        else "en",
        tier_id=_tier_id(record.tier),
        owner_id=_owner_id(record.owner),
        sensitivity=_sensitivity(record.sensitivity),
        notes=record.notes,
        emails=[
            EmailInput(e.address, e.kind if e.kind in EmailKind.__members__.values() else "other")
            for e in record.emails
        ],
        phones=[
            PhoneInput(
                p.number,
                p.kind if p.kind in PhoneKind.__members__.values() else "other",
                p.extension,
            )
            for p in record.phones
        ],
        phone_region=phone_region,
    )


def _snapshot(contact: Contact) -> dict[str, Any]:
    """What an update replaces, to put back on undo."""
    return {
        "given_names": contact.given_names,
        "family_name": contact.family_name,
        "second_family_name": contact.second_family_name,
        "honorific": contact.honorific,
        "preferred_language": contact.preferred_language,
        "tier_id": contact.tier_id,
        "owner_id": contact.owner_id,
        "sensitivity": contact.sensitivity.code,
        "notes": contact.notes,
        "emails": [[e.address, e.kind] for e in contact.emails],
        "phones": [[p.number, p.kind, p.extension] for p in contact.phones],
        "tag_ids": [t.id for t in contact.tags],
    }


def _merged_input(contact: Contact, record: ContactRecord, phone_region: str) -> ContactInput:
    """The contact as it is, with what the file adds: blank cells never erase anything."""
    incoming = _contact_input(record, phone_region)
    known_emails = {e.address.casefold() for e in contact.emails}
    known_phones = {p.number for p in contact.phones}
    new_emails = []
    for email in incoming.emails:
        try:
            if normalize_email(email.address).casefold() in known_emails:
                continue
        except ValueError:
            pass  # the form's validation reports it
        new_emails.append(email)
    new_phones = []
    for phone in incoming.phones:
        try:
            if normalize_phone(phone.number, phone_region) in known_phones:
                continue
        except ValueError:
            pass
        new_phones.append(phone)
    return ContactInput(
        given_names=incoming.given_names or contact.given_names,
        family_name=incoming.family_name or contact.family_name,
        second_family_name=incoming.second_family_name or contact.second_family_name,
        honorific=incoming.honorific or contact.honorific,
        preferred_language=record.preferred_language
        if record.preferred_language in ("en", "es") and record.preferred_language != "en"
        else contact.preferred_language,
        tier_id=incoming.tier_id or contact.tier_id,
        owner_id=incoming.owner_id or contact.owner_id,
        sensitivity=incoming.sensitivity if record.sensitivity else contact.sensitivity.code,
        notes=contact.notes
        if not record.notes or record.notes in contact.notes
        else (f"{contact.notes}\n{record.notes}".strip()),
        tags=", ".join(t.name for t in contact.tags if "," not in t.name),
        emails=[EmailInput(e.address, e.kind) for e in contact.emails] + new_emails,
        phones=[PhoneInput(p.number, p.kind, p.extension) for p in contact.phones] + new_phones,
        phone_region=phone_region,
    )


def _organization(
    record: ContactRecord, actor: User, created: list[Organization]
) -> Organization | None:
    """The organization the row names: an existing one the actor may see, or a new one."""
    if not record.organization:
        return None
    found = find_by_name(record.organization, actor)
    if found is not None:
        return found
    address = record.work_address
    country = country_code(address.country or address.region.partition("-")[0] or "US")
    if country is None:
        raise ValidationError({"country": _("Unknown country “%(name)s”.", name=address.country)})
    region = address.region.upper()
    if region and "-" not in region:
        region = f"{country}-{region}"
    organization = create_organization(
        OrganizationInput(
            kind=OrganizationKind.AGENCY.value,
            name=record.organization,
            country=country,
            subdivision=region,
            street=address.street,
            city=address.city,
            postal_code=address.postal_code,
            notes=_("Created by an import of contacts."),
        ),
        actor,
    )
    created.append(organization)
    return organization


# Country names as people write them that ISO does not list.
_COUNTRY_NAMES = {"estados unidos": "US", "eua": "US", "eeuu": "US", "ee uu": "US"}


def country_code(text: str) -> str | None:
    """An ISO 3166-1 code for "US", "USA", "Mexico", "México", "United States of America"."""
    key = fold(text).replace(".", "").strip()
    if key in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[key]
    for candidate in (text.strip(), key):
        try:
            return pycountry.countries.lookup(candidate).alpha_2
        except LookupError:
            continue
    return None


def _messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.errors.values()]


def run_import(plan: ImportPlan, actor: User, phone_region: str, *, commit: bool) -> ImportResult:
    """Preview (``commit=False``, nothing is kept) or commit an import, row by row."""
    records.require_editor(actor)
    outcomes: list[RowOutcome] = []
    kept: list[ImportedRecord] = []
    outer = db.session.begin_nested()
    for offset, record in enumerate(plan.records):
        outcome = RowOutcome(
            number=plan.first_row + offset,
            name=" ".join(
                p for p in (record.given_names, record.family_name, record.second_family_name) if p
            ),
            status=RowStatus.NEW,
        )
        outcomes.append(outcome)
        row = db.session.begin_nested()
        written: list[ImportedRecord] = []
        try:
            match = find_match(record, actor, phone_region)
            if match is not None and plan.on_match is not OnMatch.CREATE:
                outcome.match_id, outcome.match_name = match.id, match.display_name
                if plan.on_match is OnMatch.SKIP:
                    outcome.status = RowStatus.SKIPPED
                    row.commit()
                    continue
                before = _snapshot(match)
                kept_tags = list(match.tags)
                update_contact(match, _merged_input(match, record, phone_region), actor)
                match.tags = list(
                    {t.id: t for t in [*kept_tags, *resolve_tags(record.tags)]}.values()
                )
                outcome.status = RowStatus.UPDATED
                written.append(
                    ImportedRecord(
                        record_type="contact", record_id=match.id, action="updated", before=before
                    )
                )
                contact = match
            else:
                if match is not None:
                    outcome.match_id, outcome.match_name = match.id, match.display_name
                contact = create_contact(_contact_input(record, phone_region), actor)
                if (
                    record.uid
                    and match is None
                    and not db.session.scalar(
                        select(func.count()).select_from(Contact).where(Contact.uid == record.uid)
                    )
                ):
                    contact.uid = record.uid
                contact.tags = resolve_tags(record.tags)
                db.session.flush()
                written.append(
                    ImportedRecord(record_type="contact", record_id=contact.id, action="created")
                )
            new_organizations: list[Organization] = []
            organization = _organization(record, actor, new_organizations)
            written.extend(
                ImportedRecord(record_type="organization", record_id=o.id, action="created")
                for o in new_organizations
            )
            if organization is not None and not any(
                a.organization_id == organization.id for a in contact.affiliations
            ):
                post = add_affiliation(
                    contact,
                    AffiliationInput(
                        organization.name,
                        title=record.title,
                        department=record.department,
                        is_primary=not contact.affiliations,
                    ),
                    actor,
                )
                written.append(
                    ImportedRecord(record_type="affiliation", record_id=post.id, action="created")
                )
            row.commit()
            kept.extend(written)
        except ValidationError as error:
            row.rollback()
            outcome.status = RowStatus.ERROR
            outcome.errors = _messages(error)
    result = ImportResult(outcomes=outcomes)
    if not commit or (plan.all_or_nothing and result.has_errors):
        outer.rollback()
        return result
    batch = ImportBatch(
        user_id=actor.id,
        file_name=plan.file_name[:255],
        file_format=plan.file_format,
        column_set=plan.column_set,
        on_match=plan.on_match.value,
        created_count=result.count(RowStatus.NEW),
        updated_count=result.count(RowStatus.UPDATED),
        skipped_count=result.count(RowStatus.SKIPPED, RowStatus.ERROR),
        records=kept,
    )
    db.session.add(batch)
    db.session.flush()
    batch.last_audit_event_id = db.session.scalar(select(func.max(AuditEvent.id)))
    outer.commit()
    result.batch = batch
    return result


# --- Past imports ------------------------------------------------------------------------------


def imports_for(viewer: User) -> list[ImportBatch]:
    """The viewer's imports (every import for an admin), newest first."""
    stmt = select(ImportBatch).order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
    if not viewer.is_admin:
        stmt = stmt.where(ImportBatch.user_id == viewer.id)
    return list(db.session.scalars(stmt.limit(200)))


def get_import(batch_id: object, viewer: User) -> ImportBatch:
    batch = db.session.get(ImportBatch, parse_id(batch_id))
    if batch is None or not (viewer.is_admin or batch.user_id == viewer.id):
        raise RecordNotFound()
    return batch


def touched_since(batch: ImportBatch) -> bool:
    """Whether anything the import wrote has been changed since (by anyone)."""
    contact_ids = [r.record_id for r in batch.records if r.record_type == "contact"]
    organization_ids = [r.record_id for r in batch.records if r.record_type == "organization"]
    later = (
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.id > (batch.last_audit_event_id or 0),
            (
                (AuditEvent.record_type == "contact") & AuditEvent.record_id.in_(contact_ids)
                | (AuditEvent.record_type == "organization")
                & AuditEvent.record_id.in_(organization_ids)
                | (AuditEvent.record_type == "affiliation") & AuditEvent.contact_id.in_(contact_ids)
            ),
        )
    )
    if db.session.scalar(later):
        return True
    # Work added since around an organization the import created (a colleague's post or a
    # meeting with it) would be lost with it.
    own_posts = [r.record_id for r in batch.records if r.record_type == "affiliation"]
    others = (
        select(func.count())
        .select_from(Affiliation)
        .where(Affiliation.organization_id.in_(organization_ids), Affiliation.id.not_in(own_posts))
    )
    meetings = (
        select(func.count())
        .select_from(interaction_organizations)
        .where(interaction_organizations.c.organization_id.in_(organization_ids))
    )
    represented = (
        select(func.count())
        .select_from(InteractionContact)
        .where(InteractionContact.organization_id.in_(organization_ids))
    )
    return any(db.session.scalar(q) for q in (others, meetings, represented))


def can_undo(batch: ImportBatch) -> bool:
    return batch.undone_at is None and not touched_since(batch)


def undo_import(batch: ImportBatch, actor: User) -> None:
    """Take the whole import back: new people and organizations to the trash, new posts
    removed, updated people as they were. Refused once anything it wrote has changed."""
    records.require_editor(actor)
    if not (actor.is_admin or batch.user_id == actor.id):
        raise PermissionDenied()
    if batch.undone_at is not None:
        records.raise_if({"batch": _("This import has already been undone.")})
    if touched_since(batch):
        records.raise_if(
            {
                "batch": _(
                    "Records from this import have been changed since: "
                    "it can no longer be undone as a whole."
                )
            }
        )
    for item in reversed(batch.records):
        if item.record_type == "affiliation" and item.action == "created":
            post = db.session.get(Affiliation, item.record_id)
            if post is not None:
                db.session.delete(post)
        elif item.record_type == "contact" and item.action == "created":
            contact = db.session.get(Contact, item.record_id)
            if contact is not None and contact.deleted_at is None:
                records.soft_delete(contact, actor)
        elif item.record_type == "organization" and item.action == "created":
            organization = db.session.get(Organization, item.record_id)
            if organization is not None and organization.deleted_at is None:
                records.soft_delete(organization, actor)
        elif item.record_type == "contact" and item.action == "updated":
            contact = db.session.get(Contact, item.record_id)
            if contact is not None:
                _restore(contact, item.before, actor)
    batch.undone_at = utcnow()
    db.session.flush()


def _restore(contact: Contact, before: dict[str, Any], actor: User) -> None:
    update_contact(
        contact,
        ContactInput(
            given_names=before["given_names"],
            family_name=before["family_name"],
            second_family_name=before["second_family_name"],
            honorific=before["honorific"],
            preferred_language=before["preferred_language"],
            tier_id=before["tier_id"],
            owner_id=before["owner_id"],
            sensitivity=before["sensitivity"],
            notes=before["notes"],
            emails=[EmailInput(address, kind) for address, kind in before["emails"]],
            phones=[PhoneInput(number, kind, ext) for number, kind, ext in before["phones"]],
            # Numbers are stored in E.164 already: no region is needed to read them back.
            phone_region="US",
        ),
        actor,
    )
    contact.tags = list(db.session.scalars(select(Tag).where(Tag.id.in_(before["tag_ids"]))))
    db.session.flush()
