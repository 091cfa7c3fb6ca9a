"""Exports of contacts and organizations: what goes into a file, read in batches through the
visibility gate, and the audit event that records who exported what.

Records are read a thousand at a time with plain queries (no ORM objects kept), so exporting
a hundred thousand contacts holds a few batches in memory, never the list: contacts as one
query that a thread reads a batch ahead, organizations in keyset-paginated batches.
"""

from __future__ import annotations

import enum
import json
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DateTime,
    Select,
    SmallInteger,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    type_coerce,
)

from crm.extensions import db
from crm.formats import csv_io
from crm.formats.records import Address, ContactRecord, Email, OrganizationRecord, Phone
from crm.models import (
    Affiliation,
    AuditEvent,
    Contact,
    ContactEmail,
    ContactPhone,
    LastHeldInteraction,
    Organization,
    RelationshipTier,
    Sensitivity,
    Tag,
    User,
    WorkArea,
    contact_tags,
    organization_tags,
    organization_work_areas,
)
from crm.models.base import utcnow
from crm.services.audit import Action
from crm.services.contacts import current_post_clause
from crm.services.id_lists import among
from crm.services.interactions import local_time
from crm.services.visibility import visibility_clause

BATCH_SIZE = 1000
SENSITIVITY_CODES = {level.value: level.code for level in Sensitivity}


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    CSV_GOOGLE = "csv-google"
    CSV_OUTLOOK = "csv-outlook"
    VCARD3 = "vcard3"
    VCARD4 = "vcard4"
    XLSX = "xlsx"

    @property
    def label(self) -> str:
        return str(EXPORT_FORMAT_LABELS[self])

    @property
    def is_csv(self) -> bool:
        return self.value.startswith("csv")


EXPORT_FORMAT_LABELS = {
    ExportFormat.CSV: _l("CSV, every field"),
    ExportFormat.CSV_GOOGLE: _l("CSV for Google Contacts"),
    ExportFormat.CSV_OUTLOOK: _l("CSV for Outlook"),
    ExportFormat.VCARD3: _l("vCard 3.0 (most address books)"),
    ExportFormat.VCARD4: _l("vCard 4.0"),
    ExportFormat.XLSX: _l("Excel workbook (.xlsx)"),
}
ORGANIZATION_FORMATS = (ExportFormat.CSV, ExportFormat.XLSX)


# --- Contacts ----------------------------------------------------------------------------


def _read(stmt: Select[Any]) -> Any:
    """Rows of a plain (Core) select on the session's connection: no ORM layer in between."""
    return db.session.connection().execute(stmt)


def _after(key_columns: Sequence[Any], last: Sequence[Any]) -> Any:
    """The rows after ``last`` in the order of ``key_columns``: written so the index on the
    first key gives a range to start from (a row-value comparison would make some databases
    scan from the top for every batch)."""
    first, rest = key_columns[0], key_columns[1:]
    return and_(first >= last[0], or_(first > last[0], tuple_(*rest) > tuple_(*last[1:])))


def _batches(stmt: Select[Any], key_columns: Sequence[Any]) -> Iterator[list[Any]]:
    """Rows of ``stmt`` in keyset-paginated batches (no OFFSET, no growing memory)."""
    last: tuple[Any, ...] | None = None
    while True:
        page = stmt.order_by(*key_columns).limit(BATCH_SIZE)
        if last is not None:
            page = page.where(_after(key_columns, last))
        rows = _read(page).all()
        if not rows:
            return
        yield rows
        last = tuple(getattr(rows[-1], c.key) for c in key_columns)
        if len(rows) < BATCH_SIZE:
            return


def _grouped_by_first(rows: Sequence[Any]) -> dict[int, list[Any]]:
    """Rows grouped by their first column (the record they belong to)."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    return grouped


# Separators of the values a person's row gathers from other tables into one text: ASCII's
# unit and record separators, which no stored text holds (``normalize.clean`` turns them, as
# all white space, into a plain space before a value is saved).
UNIT = "\x1f"
RECORD = "\x1e"


def _joined(*parts: Any, by: str = UNIT) -> Any:
    """Text columns (none of them NULL) as one text, split by ``by``."""
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + literal(by, String) + part
    return joined


def _gathered(*parts: Any) -> Any:
    """Every row's ``parts`` as one text, rows split by ``RECORD`` in no set order: the first
    part says where each goes."""
    return func.aggregate_strings(_joined(*parts), RECORD)


def _in_place(text: str | None) -> list[list[str]]:
    """The rows of a ``_gathered`` text, in the order their first part gives."""
    if not text:
        return []
    if RECORD not in text:  # one row, as most people have one e-mail and one phone
        return [text.split(UNIT)]
    rows = [row.split(UNIT) for row in text.split(RECORD)]
    rows.sort(key=lambda row: int(row[0]))
    return rows


_DONE = object()


def _read_ahead(batches: Callable[[], Iterator[Sequence[Any]]]) -> Iterator[Any]:
    """The rows of ``batches()``, run in a thread that reads the next batch while the caller
    works through this one: the database prepares it meanwhile, on another core."""
    ready: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def hand_over(item: Any) -> bool:
        """Queue ``item`` unless the reader has gone; whether to go on."""
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def fetch() -> None:
        try:
            with closing(batches()) as each:
                for batch in each:
                    if not hand_over(batch):
                        return
            hand_over(_DONE)
        except BaseException as error:  # handed to the reader, who raises it
            hand_over(error)

    fetcher = threading.Thread(target=fetch, name="export-read-ahead", daemon=True)
    fetcher.start()
    try:
        while (batch := ready.get()) is not _DONE:
            if isinstance(batch, BaseException):
                raise batch
            yield from batch
    finally:
        stop.set()
        fetcher.join()


def _people(
    contacts: Select[tuple[Contact]], viewer: User, *, in_batches: bool = False
) -> Select[Any]:
    """The people ``contacts`` selects, by name, with what their own rows and the derived
    activity hold; ``in_batches``, those after the name key and id given as the parameters
    ``after_key`` and ``after_id``."""
    stmt = (
        select(
            Contact.name_key,
            Contact.id,
            Contact.uid,
            Contact.honorific,
            Contact.given_names,
            Contact.family_name,
            Contact.second_family_name,
            Contact.preferred_language,
            # As its rank: a lookup costs less than an enum per row.
            type_coerce(Contact.sensitivity, SmallInteger).label("sensitivity"),
            Contact.notes,
            Contact.updated_at,
            RelationshipTier.name.label("tier"),
            User.full_name.label("owner"),
            # Each person's held meetings the viewer may see (kept per clearance as derived
            # data); the last one dated where it was held.
            LastHeldInteraction.held_at,
            LastHeldInteraction.timezone,
            LastHeldInteraction.held_count,
        )
        .outerjoin(RelationshipTier, Contact.tier_id == RelationshipTier.id)
        .outerjoin(User, Contact.owner_id == User.id)
        .outerjoin(
            LastHeldInteraction,
            and_(
                LastHeldInteraction.record_type == "contact",
                LastHeldInteraction.record_id == Contact.id,
                visibility_clause(LastHeldInteraction, viewer),
            ),
        )
        .where(contacts.whereclause)
        .order_by(Contact.name_key, Contact.id)
    )
    if in_batches:
        after = (bindparam("after_key", type_=String), bindparam("after_id"))
        stmt = stmt.where(_after((Contact.name_key, Contact.id), after)).limit(BATCH_SIZE)
    return stmt


def _gathered_for(person: Any, viewer: User, today: date) -> list[Any]:
    """What each person's row gathers from other tables, as texts: e-mails, phones and tags
    (see ``_in_place``), and the current main post at an organization the viewer may see."""
    emails = (
        select(
            _gathered(cast(ContactEmail.position, String), ContactEmail.address, ContactEmail.kind)
        )
        .where(ContactEmail.contact_id == person)
        .scalar_subquery()
    )
    phones = (
        select(
            _gathered(
                cast(ContactPhone.position, String),
                ContactPhone.number,
                ContactPhone.kind,
                ContactPhone.extension,
            )
        )
        .where(ContactPhone.contact_id == person)
        .scalar_subquery()
    )
    tags = (
        select(_gathered(Tag.name_key, Tag.name))
        .join(contact_tags, contact_tags.c.tag_id == Tag.id)
        .where(contact_tags.c.contact_id == person)
        .scalar_subquery()
    )
    post = (
        select(
            _joined(
                Affiliation.title,
                Affiliation.department,
                Organization.name,
                Organization.street,
                Organization.city,
                Organization.subdivision,
                Organization.postal_code,
                Organization.country,
            )
        )
        .join(Organization, Affiliation.organization_id == Organization.id)
        .where(
            Affiliation.contact_id == person,
            current_post_clause(today),
            visibility_clause(Organization, viewer),
        )
        .order_by(Affiliation.is_primary.desc(), Affiliation.start_date.desc().nulls_last())
        .limit(1)
        .scalar_subquery()
    )
    return [emails, phones, tags, post]


# The columns of a person's row, after the name key and id.
_ROW = (
    "uid",
    "honorific",
    "given_names",
    "family_name",
    "second_family_name",
    "preferred_language",
    "sensitivity",
    "notes",
    "updated_at",
    "tier",
    "owner",
    "held_at",
    "timezone",
    "held_count",
)
# Its instants (UTC).
_INSTANTS = ("updated_at", "held_at")
# A row read back from JSON by its name key and id.
_NAME_ORDER = itemgetter(0, 1)


def _streamed_rows(
    contacts: Select[tuple[Contact]], viewer: User, today: date
) -> Callable[[], Iterator[Sequence[Any]]]:
    """PostgreSQL: one query, streamed a batch at a time. The people are sorted first (OFFSET
    0 keeps the database from merging that into the outer query), so what each one gathers
    is looked up as the rows are read, not all before the first."""
    people = _people(contacts, viewer).offset(0).subquery()
    stmt = select(
        *(
            # Read as the driver gives them, in UTC (set below): no conversion per value.
            type_coerce(people.c[name], DateTime(timezone=True))
            if name in _INSTANTS
            else people.c[name]
            for name in _ROW
        ),
        *_gathered_for(people.c.id, viewer, today),
    ).order_by(people.c.name_key, people.c.id)
    # The request's own connection, taken here: the thread that reads has no app context.
    connection = db.session.connection()
    # Every row is read: planned for a first tenth, the walk by name and the lookups of
    # activity one by one take twice as long; compiling the plan would cost more still; and
    # a hundred thousand people are sorted in memory, not in files.
    connection.execute(
        text(
            "SET LOCAL cursor_tuple_fraction = 1; SET LOCAL jit = off; "
            "SET LOCAL work_mem = '64MB'; SET LOCAL TimeZone = 'UTC'"
        )
    )

    def batches() -> Iterator[Sequence[Any]]:
        # Options of this statement alone: the connection stays as it was.
        streamed = stmt.execution_options(stream_results=True, yield_per=BATCH_SIZE)
        with connection.execute(streamed) as result:
            yield from result.partitions()

    return batches


def _batches_as_json(
    contacts: Select[tuple[Contact]], viewer: User, today: date
) -> Callable[[], Iterator[Sequence[Any]]]:
    """SQLite: each batch as one JSON array, written by the database in one step. SQLite runs
    in this process and lets go of Python's lock while it steps: for a whole batch at once,
    so it works on the next batch on another core while this one is written, instead of
    taking the lock back after every row."""
    people = _people(contacts, viewer, in_batches=True).subquery()
    row = func.json_array(
        people.c.name_key,
        people.c.id,
        *(people.c[name] for name in _ROW),
        *_gathered_for(people.c.id, viewer, today),
    )
    batch = select(func.json_group_array(row))
    engine = db.engine  # taken here: the thread that reads has no app context

    def batches() -> Iterator[Sequence[Any]]:
        # A connection of its own: SQLite's may not cross threads.
        with engine.connect() as connection:
            after: dict[str, Any] = {"after_key": "", "after_id": 0}
            while rows := json.loads(connection.scalar(batch, after)):
                # In name order, as an aggregate does not promise to keep its rows' order
                # (already in order, so the sort only checks it).
                rows.sort(key=_NAME_ORDER)
                yield rows
                if len(rows) < BATCH_SIZE:
                    return
                after = {"after_key": rows[-1][0], "after_id": rows[-1][1]}

    return batches


# Where a row read back from JSON holds its instants (after the name key and id).
_UPDATED_AT = 2 + _ROW.index("updated_at")
_HELD_AT = 2 + _ROW.index("held_at")


def _typed(row: list[Any]) -> list[Any]:
    """A person's row read back from JSON as the streamed query gives it: without its name
    key and id, which only find the next batch, and with its instants as datetimes."""
    row[_UPDATED_AT] = _instant(row[_UPDATED_AT])
    row[_HELD_AT] = _instant(row[_HELD_AT])
    return row[2:]


def _instant(stored: str | None) -> datetime | None:
    """A UTC instant as SQLite stores it (see ``UTCDateTime``), its offset added to the text:
    parsed whole, a sixth of the time that setting the zone afterwards takes."""
    return datetime.fromisoformat(stored + "+00:00") if stored else None


def contact_records(
    contacts: Select[tuple[Contact]], viewer: User, today: date
) -> Iterator[ContactRecord]:
    """The contacts ``contacts`` selects (already gated, by conditions on Contact alone), as
    export records, by name.

    Each person's e-mails, phones, tags, current main post and activity come with their row,
    each gathered by an index lookup, instead of a query per thousand people for each. The
    next batch is read on a thread while this one is written. On SQLite that thread reads on
    a connection of its own, which sees only what is committed: callers commit first, as the
    export views do with the export's audit event. Close the records when done with them."""
    if db.engine.dialect.name == "sqlite":
        reader = _read_ahead(_batches_as_json(contacts, viewer, today))
        # Typed here: the reading thread has the database's work to wait on.
        rows: Iterator[Any] = map(_typed, reader)
    else:
        reader = rows = _read_ahead(_streamed_rows(contacts, viewer, today))
    try:
        for (
            uid,
            honorific,
            given_names,
            family_name,
            second_family_name,
            language,
            sensitivity,
            notes,
            updated_at,
            tier,
            owner,
            held_at,
            held_zone,
            held_count,
            email_text,
            phone_text,
            tag_text,
            post_text,
        ) in rows:
            if post_text:
                title, department, organization, *address = post_text.split(UNIT)
                work_address = Address(*address)
            else:
                title = department = organization = ""
                work_address = Address()
            yield ContactRecord(
                uid=uid,
                honorific=honorific,
                given_names=given_names,
                family_name=family_name,
                second_family_name=second_family_name,
                preferred_language=language,
                emails=tuple(Email(a, k) for _p, a, k in _in_place(email_text)),
                phones=tuple(Phone(n, k, x) for _p, n, k, x in _in_place(phone_text)),
                organization=organization,
                title=title,
                department=department,
                work_address=work_address,
                tags=tuple(
                    name for _key, name in sorted(t.split(UNIT) for t in tag_text.split(RECORD))
                )
                if tag_text
                else (),
                tier=tier or "",
                owner=owner or "",
                sensitivity=SENSITIVITY_CODES[sensitivity],
                notes=notes,
                updated_at=updated_at,
                last_interaction_on=local_time(held_at, held_zone).date() if held_at else None,
                interaction_count=held_count or 0,
            )
    finally:
        # Stops the reading thread now, not when the collector finds it: an error while
        # writing would otherwise keep it, and its connection, past the request.
        reader.close()


# The app's own CSV and XLSX columns, up to this many e-mails and phones per person.
SLOTS = 3


def app_columns() -> list[tuple[str, str]]:
    """The app's own contact columns: the import field each one fills ("" for activity,
    which an import cannot set) and its header, in the reader's language."""
    columns = [
        ("honorific", _("Honorific")),
        ("given_names", _("Given names")),
        ("family_name", _("Family name")),
        ("second_family_name", _("Second family name")),
        ("preferred_language", _("Preferred language")),
    ]
    for n in range(1, SLOTS + 1):
        columns += [("email", _("E-mail %(n)s", n=n)), ("email_kind", _("E-mail %(n)s type", n=n))]
    for n in range(1, SLOTS + 1):
        columns += [
            ("phone", _("Phone %(n)s", n=n)),
            ("phone_kind", _("Phone %(n)s type", n=n)),
            ("phone_extension", _("Phone %(n)s extension", n=n)),
        ]
    return [
        *columns,
        ("organization", _("Organization")),
        ("title", _("Title")),
        ("department", _("Department")),
        ("street", _("Street")),
        ("city", _("City")),
        ("region", _("State or province")),
        ("postal_code", _("Postal code")),
        ("country", _("Country")),
        ("tags", _("Tags")),
        ("tier", _("Tier")),
        ("owner", _("Owner")),
        ("sensitivity", _("Sensitivity")),
        ("notes", _("Notes")),
        ("", _("Last interaction")),
        ("", _("Interactions")),
        ("", _("Updated")),
        ("uid", _("ID")),
    ]


def contact_header() -> list[str]:
    return [label for _field, label in app_columns()]


def contact_row(record: ContactRecord) -> list[object]:
    row: list[object] = [
        record.honorific,
        record.given_names,
        record.family_name,
        record.second_family_name,
        record.preferred_language,
    ]
    emails, phones = record.emails, record.phones
    # More than the slots hold: the rest joins the last slot, so nothing is lost.
    for email in emails[:SLOTS]:
        row += (email.address, email.kind)
    if len(emails) > SLOTS:
        row[-2] = "; ".join(e.address for e in emails[SLOTS - 1 :])
    row += ("", "") * max(0, SLOTS - len(emails))
    for phone in phones[:SLOTS]:
        row += (phone.number, phone.kind, phone.extension)
    if len(phones) > SLOTS:
        row[-3] = "; ".join(p.number for p in phones[SLOTS - 1 :])
    row += ("", "", "") * max(0, SLOTS - len(phones))
    address = record.work_address
    return [
        *row,
        record.organization,
        record.title,
        record.department,
        address.street,
        address.city,
        address.region,
        address.postal_code,
        address.country,
        "; ".join(record.tags),
        record.tier,
        record.owner,
        record.sensitivity,
        record.notes,
        record.last_interaction_on,
        record.interaction_count,
        record.updated_at.date() if record.updated_at else None,
        record.uid,
    ]


ContactColumns = tuple[list[str], Callable[[ContactRecord], list[object]]]


def contact_columns(export_format: ExportFormat) -> ContactColumns:
    """The header and the row function of a CSV or XLSX export."""
    if export_format is ExportFormat.CSV_GOOGLE:
        return list(csv_io.GOOGLE_COLUMNS), csv_io.google_row  # type: ignore[return-value]
    if export_format is ExportFormat.CSV_OUTLOOK:
        return list(csv_io.OUTLOOK_COLUMNS), csv_io.outlook_row  # type: ignore[return-value]
    return contact_header(), contact_row


# --- Organizations -------------------------------------------------------------------------


def organization_records(
    organizations: Select[tuple[Organization]], viewer: User, today: date
) -> Iterator[OrganizationRecord]:
    ids = organizations.order_by(None).with_only_columns(Organization.id).scalar_subquery()
    stmt = (
        select(
            Organization.id,
            Organization.name_key,
            Organization.name,
            Organization.kind,
            Organization.name_es,
            Organization.acronym,
            Organization.country,
            Organization.subdivision,
            Organization.government_level,
            Organization.website,
            Organization.email,
            Organization.phone,
            Organization.street,
            Organization.city,
            Organization.postal_code,
            Organization.sensitivity,
            Organization.notes,
            Organization.parent_id,
            RelationshipTier.name.label("tier"),
            User.full_name.label("owner"),
        )
        .outerjoin(RelationshipTier, Organization.tier_id == RelationshipTier.id)
        .outerjoin(User, Organization.owner_id == User.id)
        .where(Organization.id.in_(ids))
    )
    for rows in _batches(stmt, (Organization.name_key, Organization.id)):
        batch = [r.id for r in rows]
        # Parents are named only where the exporter may see them (the one gate).
        parents = dict(
            _read(
                select(Organization.id, Organization.name).where(
                    Organization.id.in_({r.parent_id for r in rows if r.parent_id}),
                    visibility_clause(Organization, viewer),
                )
            ).all()
        )
        tags = _grouped_by_first(
            _read(
                select(organization_tags.c.organization_id, Tag.name)
                .join(Tag, organization_tags.c.tag_id == Tag.id)
                .where(among(organization_tags.c.organization_id, batch))
                .order_by(organization_tags.c.organization_id, Tag.name_key)
            ).all()
        )
        areas = _grouped_by_first(
            _read(
                select(organization_work_areas.c.organization_id, WorkArea.name)
                .join(WorkArea, organization_work_areas.c.work_area_id == WorkArea.id)
                .where(among(organization_work_areas.c.organization_id, batch))
                .order_by(organization_work_areas.c.organization_id, WorkArea.name)
            ).all()
        )
        people = dict(
            _read(
                select(
                    Affiliation.organization_id, func.count(func.distinct(Affiliation.contact_id))
                )
                .join(Contact, Affiliation.contact_id == Contact.id)
                .where(
                    among(Affiliation.organization_id, batch),
                    current_post_clause(today),
                    visibility_clause(Contact, viewer),
                )
                .group_by(Affiliation.organization_id)
            ).all()
        )
        for row in rows:
            yield OrganizationRecord(
                name=row.name,
                kind=row.kind,
                name_es=row.name_es,
                acronym=row.acronym,
                country=row.country,
                subdivision=row.subdivision,
                government_level=row.government_level,
                parent=parents.get(row.parent_id, "") if row.parent_id else "",
                website=row.website,
                email=row.email,
                phone=row.phone,
                address=Address(
                    row.street, row.city, row.subdivision, row.postal_code, row.country
                ),
                tags=tuple(t.name for t in tags.get(row.id, [])),
                work_areas=tuple(a.name for a in areas.get(row.id, [])),
                tier=row.tier or "",
                owner=row.owner or "",
                sensitivity=row.sensitivity.code,
                notes=row.notes,
                people_count=people.get(row.id, 0),
            )


def organization_header() -> list[str]:
    return [
        _("Official name"),
        _("Kind"),
        _("Spanish or alternate name"),
        _("Acronym"),
        _("Country"),
        _("State or province"),
        _("Government level"),
        _("Part of"),
        _("Website"),
        _("E-mail"),
        _("Phone"),
        _("Street"),
        _("City"),
        _("Postal code"),
        _("Tags"),
        _("Work areas"),
        _("Tier"),
        _("Owner"),
        _("Sensitivity"),
        _("Notes"),
        _("Current people"),
    ]


def organization_row(record: OrganizationRecord) -> list[object]:
    return [
        record.name,
        record.kind,
        record.name_es,
        record.acronym,
        record.country,
        record.subdivision,
        record.government_level,
        record.parent,
        record.website,
        record.email,
        record.phone,
        record.address.street,
        record.address.city,
        record.address.postal_code,
        "; ".join(record.tags),
        "; ".join(record.work_areas),
        record.tier,
        record.owner,
        record.sensitivity,
        record.notes,
        record.people_count,
    ]


# --- The audit trail -----------------------------------------------------------------------


@dataclass(frozen=True)
class ExportSubject:
    """What was exported, as the audit log names it."""

    label: str
    record_type: str = "export"
    record_id: int = 0


def record_export(
    subject: ExportSubject, export_format: ExportFormat, rows: int, viewer: User
) -> None:
    """Who exported what and how many rows. As sensitive as the exporter's clearance: the
    count would tell someone cleared lower how many records they cannot see."""
    db.session.add(
        AuditEvent(
            occurred_at=utcnow(),
            actor_id=viewer.id,
            action=Action.EXPORT.value,
            record_type=subject.record_type,
            record_id=subject.record_id,
            record_label=subject.label[:400],
            sensitivity=viewer.clearance,
            changes={"format": [None, export_format.value], "rows": [None, rows]},
        )
    )
