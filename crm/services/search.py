"""Global search: one box that finds organizations, contacts and interactions the way
officers type ("nunez tijuana", "cons san", "FGR BC", a phone number as heard).

Every record has a search document: its words, folded (lower case, accents removed) in
Python so both databases agree. A flush hook rewrites the documents of the records a flush
touched, in the same transaction. SQLite matches them with FTS5 (prefix indexes of one to
ten letters, bm25 rank); PostgreSQL with full-text search on a GIN index of every word's
first one to ten letters (so a typed word is one word of the index), ranked by ts_rank over
the words and their positions. Every hit is read through the visibility gate in the same
query, so a record above the user's clearance is never found, nor counted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import (
    Select,
    and_,
    bindparam,
    column,
    delete,
    false,
    func,
    insert,
    literal_column,
    select,
    table,
    text,
    true,
    union_all,
)
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, aliased, selectinload

from crm.extensions import db
from crm.models import (
    Affiliation,
    Contact,
    ContactEmail,
    ContactPhone,
    Interaction,
    Organization,
    SavedSearch,
    SearchDocument,
    User,
    WorkArea,
)
from crm.services import records
from crm.services.contacts import current_post_clause
from crm.services.errors import RecordNotFound, parse_id
from crm.services.id_lists import among
from crm.services.normalize import clean, fold, subdivision_name
from crm.services.visibility import gate_key, visibility_clause

RECORD_TYPES = ("organization", "contact", "interaction")
MODELS: dict[str, Any] = {
    "organization": Organization,
    "contact": Contact,
    "interaction": Interaction,
}
_WORD = re.compile(r"[a-z0-9]+")
MAX_QUERY_WORDS = 8


# --- Documents -----------------------------------------------------------------------------


def _digits(number: str) -> list[str]:
    """A phone number as people say it: in full, without the country code, the last seven."""
    digits = re.sub(r"\D", "", number)
    forms = [digits]
    for country in ("1", "52"):
        if digits.startswith(country) and len(digits) - len(country) >= 7:
            forms.append(digits[len(country) :])
    forms.append(digits[-7:])
    return forms


def _region_words(code: str) -> list[str]:
    """A state's name and its initials: "Baja California" and "BC" for MX-BCN."""
    name = subdivision_name(code) if code else ""
    words = name.split()
    return [name, "".join(w[0] for w in words)] if len(words) > 1 else [name]


def _join(*parts: Iterable[str] | str) -> str:
    words: list[str] = []
    for part in parts:
        words.extend([part] if isinstance(part, str) else part)
    text = fold(" ".join(w for w in words if w))
    # An address is one word to PostgreSQL's parser: add its parts, as SQLite sees them.
    pieces = " ".join(" ".join(_WORD.findall(w)) for w in text.split() if "@" in w or "." in w)
    return f"{text} {pieces}".strip()


def organization_documents(ids: set[int]) -> dict[int, str]:
    # A unit is also found by its parent's acronym: "FGR BC" finds the FGR's office in Baja
    # California.
    parent = aliased(Organization)
    rows = db.session.execute(
        select(
            parent.acronym.label("parent_acronym"),
            Organization.id,
            Organization.name,
            Organization.name_es,
            Organization.acronym,
            Organization.city,
            Organization.subdivision,
            Organization.email,
            Organization.website,
            Organization.phone,
        )
        .outerjoin(
            parent,
            and_(
                Organization.parent_id == parent.id,
                parent.deleted_at.is_(None),
                parent.sensitivity <= Organization.sensitivity,
            ),
        )
        .where(Organization.id.in_(ids))
    )
    return {
        row.id: _join(
            row.name,
            row.name_es,
            row.acronym,
            row.parent_acronym or "",
            row.city,
            row.subdivision,
            row.subdivision.partition("-")[2],
            _region_words(row.subdivision),
            row.email,
            re.sub(r"^https?://(www\.)?", "", row.website),
            _digits(row.phone) if row.phone else [],
        )
        for row in rows
    }


def contact_documents(ids: set[int], today: date) -> dict[int, str]:
    words: dict[int, list[str]] = {}
    for row in db.session.execute(
        select(
            Contact.id,
            Contact.honorific,
            Contact.given_names,
            Contact.family_name,
            Contact.second_family_name,
        ).where(Contact.id.in_(ids))
    ):
        words[row.id] = [row.honorific, row.given_names, row.family_name, row.second_family_name]
    for contact_id, address in db.session.execute(
        select(ContactEmail.contact_id, ContactEmail.address).where(
            ContactEmail.contact_id.in_(ids)
        )
    ):
        words.setdefault(contact_id, []).append(address)
    for contact_id, number in db.session.execute(
        select(ContactPhone.contact_id, ContactPhone.number).where(ContactPhone.contact_id.in_(ids))
    ):
        words.setdefault(contact_id, []).extend(_digits(number))
    # Current posts: "nunez tijuana" finds the consul in Tijuana. The organization's name is
    # only matched; what is shown comes from the gate-checked records.
    for post in db.session.execute(
        select(
            Affiliation.contact_id,
            Affiliation.title,
            Organization.name,
            Organization.acronym,
            Organization.city,
        )
        .join(Organization, Affiliation.organization_id == Organization.id)
        .join(Contact, Affiliation.contact_id == Contact.id)
        .where(
            Affiliation.contact_id.in_(ids),
            current_post_clause(today),
            # Whoever may see the person may see these: a more sensitive (or trashed)
            # organization must not make them findable by its name.
            Organization.deleted_at.is_(None),
            Organization.sensitivity <= Contact.sensitivity,
        )
    ):
        words.setdefault(post.contact_id, []).extend(
            [post.title, post.name, post.acronym, post.city]
        )
    return {contact_id: _join(parts) for contact_id, parts in words.items()}


def interaction_documents(ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(
            Interaction.id, Interaction.subject, Interaction.summary, Interaction.location
        ).where(Interaction.id.in_(ids))
    )
    return {row.id: _join(row.subject, row.summary, row.location) for row in rows}


def _write_documents(
    session: Session, record_type: str, documents: dict[int, str], *, replace: bool = True
) -> None:
    if not documents:
        return
    if replace:
        session.execute(
            delete(SearchDocument).where(
                SearchDocument.record_type == record_type,
                SearchDocument.record_id.in_(documents),
            )
        )
    session.execute(
        insert(SearchDocument),
        [
            {"record_type": record_type, "record_id": record_id, "content": content}
            for record_id, content in documents.items()
        ],
    )


def index_records(
    organization_ids: set[int],
    contact_ids: set[int],
    interaction_ids: set[int],
    *,
    with_dependents: bool = True,
    replace: bool = True,
) -> None:
    """Rewrite the documents of these records from what the database holds now (and, unless
    told otherwise, of the units and people found through these organizations). Without
    ``replace`` they are only written: the caller has removed the old ones."""
    today = date.today()
    if organization_ids and with_dependents:
        # Units are found by their parent's acronym, people by their organization's name.
        organization_ids = organization_ids | set(
            db.session.scalars(
                select(Organization.id).where(Organization.parent_id.in_(organization_ids))
            )
        )
        contact_ids = contact_ids | set(
            db.session.scalars(
                select(Affiliation.contact_id).where(
                    Affiliation.organization_id.in_(organization_ids)
                )
            )
        )
    session = db.session()
    for chunk in _chunks(organization_ids):
        _write_documents(session, "organization", organization_documents(chunk), replace=replace)
    for chunk in _chunks(contact_ids):
        _write_documents(session, "contact", contact_documents(chunk, today), replace=replace)
    for chunk in _chunks(interaction_ids):
        _write_documents(session, "interaction", interaction_documents(chunk), replace=replace)


def _chunks(ids: set[int], size: int = 500) -> Iterable[set[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield set(ordered[start : start + size])


def rebuild_index() -> int:
    """Write every record's document (after a bulk load, or to repair the index)."""
    db.session.execute(delete(SearchDocument))
    total = 0
    for model in (Organization, Contact, Interaction):
        ids = set(db.session.scalars(select(model.id)))
        total += len(ids)
        index_records(
            ids if model is Organization else set(),
            ids if model is Contact else set(),
            ids if model is Interaction else set(),
            with_dependents=False,
            # Every document was just removed: looking each up again to remove it would
            # have PostgreSQL step over a million dead rows per batch.
            replace=False,
        )
    db.session.flush()
    return total


def index_is_complete() -> bool:
    documents = db.session.scalar(select(func.count()).select_from(SearchDocument)) or 0
    records_count = sum(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Organization, Contact, Interaction)
    )
    return documents >= records_count


# --- Keeping the index in step -------------------------------------------------------------

PENDING_KEY = "search_pending"


def _touched(session: Session) -> tuple[set[int], set[int], set[int]]:
    organizations: set[int] = set()
    contacts: set[int] = set()
    interactions: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Organization):
            organizations.add(obj.id)
        elif isinstance(obj, Contact):
            contacts.add(obj.id)
        elif isinstance(obj, ContactEmail | ContactPhone | Affiliation):
            contacts.add(obj.contact_id if obj.contact_id else getattr(obj.contact, "id", None))
        elif isinstance(obj, Interaction):
            interactions.add(obj.id)
    return organizations, contacts, interactions


@sa_event.listens_for(Session, "after_flush")
def _remember(session: Session, _context: Any) -> None:
    """Note what the flush wrote (new records have their ids by now)."""
    pending = session.info.setdefault(PENDING_KEY, (set(), set(), set()))
    for mine, touched in zip(pending, _touched(session), strict=True):
        mine.update(i for i in touched if i is not None)


@sa_event.listens_for(Session, "before_commit")
def _reindex(session: Session) -> None:
    """Rewrite the touched records' documents just before the transaction commits."""
    session.flush()  # a commit's own flush comes after this hook
    pending = session.info.pop(PENDING_KEY, None)
    if pending and any(pending):
        with session.no_autoflush:
            index_records(*pending)


@sa_event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


# --- Searching -----------------------------------------------------------------------------


@dataclass
class SearchFilters:
    q: str = ""
    types: tuple[str, ...] = RECORD_TYPES
    kind: str = ""  # organization kind
    country: str = ""
    tier_id: int | None = None
    work_area_id: int | None = None
    owner_id: int | None = None
    since: date | None = None  # interactions
    until: date | None = None
    timezone: str = "UTC"
    page: int = 1  # when one record type is searched

    @property
    def narrows(self) -> bool:
        """Whether a filter leaves out some of the matching records."""
        return any(
            (
                self.kind,
                self.country,
                self.tier_id,
                self.work_area_id,
                self.owner_id,
                self.since,
                self.until,
            )
        )


# Searching every type shows the best few of each, with a link to all of that type; searching
# one type shows its hits a page at a time.
PREVIEW_PER_TYPE = 5
PAGE_SIZE = 20


@dataclass
class SearchResults:
    query: str
    groups: dict[str, list[Any]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    # The types with more hits than were counted: their total reads "more than".
    more: set[str] = field(default_factory=set)
    # The page shown, when one type is searched (its hits come a page at a time).
    page: int = 1
    per_page: int = PREVIEW_PER_TYPE

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def pages(self) -> int:
        """How many pages the hits of one searched type fill."""
        return max(1, -(-self.total // self.per_page))


def query_words(query: str) -> list[str]:
    """The typed words, folded; a phone number typed with spaces or dashes is one word."""
    folded = fold(query)
    digits = re.sub(r"\D", "", folded)
    if len(digits) >= 7 and not re.search(r"[a-z]", folded):
        return [digits]
    return _WORD.findall(folded)[:MAX_QUERY_WORDS]


# The hits of one type are counted up to this; beyond it the page says "more than". Ranking
# reads every match, so past this many visible matches of a type (a broad word like "trata"
# matches tens of thousands of meetings) the most recently written come first instead.
COUNTED_AT_MOST = 1000
# Searching every type shows each type's best five and a link to all of them: a hundred
# counted are enough to say so, and each match counted is one more record read.
PREVIEW_COUNTED_AT_MOST = 100


def _fts(record_type: str) -> Any:
    """SQLite's FTS5 table of one record type's documents (the migrations create them)."""
    if record_type not in RECORD_TYPES:
        raise ValueError(record_type)
    return table(f"search_fts_{record_type}", column("rowid"), column("rank"))


def _fts_match(record_type: str) -> Any:
    """Every typed word, each as a prefix, in one type's FTS5 table (the words come at run
    time, as ``expression``: see ``_word_parameters``)."""
    return text(f"{_fts(record_type).name} MATCH :expression")


def _ts_query() -> Any:
    """Every typed word as a prefix, for ranking (the words come at run time, as
    ``ranked_terms``); parsed once per statement, not once per row."""
    return select(func.to_tsquery("simple", bindparam("ranked_terms"))).scalar_subquery()


def _word_parameters(words: list[str], ids: list[int] | None = None) -> dict[str, Any]:
    """The typed words (and the ids of a page's matches) as the search's statements take
    them, built once for any words (see ``_built_once``)."""
    if db.engine.dialect.name == "postgresql":
        parameters: dict[str, Any] = {
            "terms": _prefix_terms(words),
            "ranked_terms": " & ".join(f"{w}:*" for w in words),
        }
    else:
        parameters = {"expression": " AND ".join(f'"{w}"*' for w in words)}
    return parameters if ids is None else parameters | {"ids": ids}


# Statements without filters (the search box's, the type-ahead's), by what they depend on.
_UNFILTERED: dict[tuple[Any, ...], Any] = {}


def _built_once(
    key: tuple[Any, ...], build: Callable[[], Any], filters: SearchFilters | None = None
) -> Any:
    """A statement of the search built once for every viewer whose gate is the same, the
    words, ids and page coming as parameters: building one takes longer than the database
    takes to run it for a narrow word. One with filters is built each time, as filters
    are countless. ``key`` holds everything else the statement depends on."""
    if filters is not None and filters.narrows:
        return build()
    key = (db.engine.dialect.name, *key)
    statement = _UNFILTERED.get(key)
    if statement is None:
        statement = _UNFILTERED[key] = build()
    return statement


def _ts_vector() -> Any:
    """PostgreSQL's stored words of each document (a generated column the migrations add)."""
    return literal_column("search_documents.search_words")


def _of_type(record_type: str) -> Any:
    """The documents of one record type, the type written into the SQL: PostgreSQL then uses
    that type's partial index even in a plan prepared for any parameters."""
    if record_type not in RECORD_TYPES:
        raise ValueError(record_type)
    return SearchDocument.record_type == literal_column(f"'{record_type}'")


def _newest_matching(stmt: Select[Any], record_type: str) -> tuple[Select[Any], Any]:
    """Add the word match to a statement over the documents; return it with the order newest
    document first. SQLite joins the FTS5 table, which hands its matches over in that order.
    PostgreSQL walks the type's documents from the newest and checks each one's prefixes
    with ``ts_match_vq``, which no index answers, so the walk cannot turn into a read of the
    word index (which would gather every match, then sort them all)."""
    if db.engine.dialect.name == "postgresql":
        prefixes = literal_column("search_documents.search_prefixes")
        matched = func.ts_match_vq(prefixes, _prefix_query())
        return stmt.where(matched), SearchDocument.id.desc()
    fts = _fts(record_type)
    joined = stmt.join(fts, fts.c.rowid == SearchDocument.id).where(_fts_match(record_type))
    return joined, fts.c.rowid.desc()


def _ranked_among(stmt: Select[Any], record_type: str) -> tuple[Select[Any], Any]:
    """Narrow a statement over the documents to the matches already found (``ids``, at run
    time), and return it with their rank (best first). PostgreSQL ranks them by their stored
    words and positions without reading the word index again; SQLite's rank (bm25) comes only
    with a match."""
    stmt = stmt.where(among(MODELS[record_type].id))
    if db.engine.dialect.name == "postgresql":
        return stmt, -func.ts_rank(_ts_vector(), _ts_query())
    fts = _fts(record_type)
    joined = stmt.join(fts, fts.c.rowid == SearchDocument.id).where(_fts_match(record_type))
    return joined, fts.c.rank


def _filtered(model: Any, filters: SearchFilters, viewer: User) -> list[Any]:
    conditions: list[Any] = []
    if model is Organization:
        if filters.kind:
            conditions.append(Organization.kind == filters.kind)
        if filters.country:
            conditions.append(Organization.country == filters.country.upper())
        if filters.tier_id:
            conditions.append(Organization.tier_id == filters.tier_id)
        if filters.work_area_id:
            conditions.append(Organization.work_areas.any(WorkArea.id == filters.work_area_id))
        if filters.owner_id:
            conditions.append(Organization.owner_id == filters.owner_id)
    elif model is Contact:
        if filters.tier_id:
            conditions.append(Contact.tier_id == filters.tier_id)
        if filters.owner_id:
            conditions.append(Contact.owner_id == filters.owner_id)
        if filters.kind or filters.country:
            org = []
            if filters.kind:
                org.append(Organization.kind == filters.kind)
            if filters.country:
                org.append(Organization.country == filters.country.upper())
            conditions.append(
                Contact.affiliations.any(
                    and_(
                        current_post_clause(date.today()),
                        Affiliation.organization.has(
                            and_(visibility_clause(Organization, viewer), *org)
                        ),
                    )
                )
            )
    else:
        if filters.work_area_id:
            conditions.append(Interaction.work_areas.any(WorkArea.id == filters.work_area_id))
        if filters.owner_id:
            conditions.append(Interaction.owner_id == filters.owner_id)
        zone = ZoneInfo(filters.timezone)
        if filters.since:
            conditions.append(
                Interaction.starts_at >= datetime.combine(filters.since, time(), zone)
            )
        if filters.until:
            conditions.append(
                Interaction.starts_at < datetime.combine(filters.until, time(23, 59, 59), zone)
            )
    return conditions


# The planner's settings for a search on PostgreSQL (see ``_search_plan``).
_SEARCH_PLAN = {
    "enable_seqscan": "off",
    "enable_hashjoin": "off",
    "enable_mergejoin": "off",
    "enable_memoize": "off",
    "max_parallel_workers_per_gather": "0",
    "plan_cache_mode": "force_generic_plan",
}


@contextmanager
def _search_plan() -> Iterator[None]:
    """On PostgreSQL, how the queries of one search are planned; the usual settings come back
    when the search ends.

    PostgreSQL cannot judge how many documents a word matches ("director" counts alike among
    people, who have it, and meetings, which do not), nor how many of them a viewer may see.
    Guessing many, it would read every record the viewer may see into a hash, or every
    document in turn; guessing few, it starts workers of its own, which a busy server pays
    for. Each query of a search is written so that one plan is right whatever the count
    (see ``_pg_visible_matches``): these settings leave the planner no other. A search's
    matches come each by its key, so that a count stops at its limit. Its statements, which
    take longer to plan than to run, are planned once for any words (a generic plan), once
    per connection: the driver prepares a statement it has run a few times, and keeps it
    from one request to the next (see ``crm.services.transactions``).
    """
    if db.engine.dialect.name != "postgresql":
        yield
        return
    usual = _set_plan(_SEARCH_PLAN)
    yield
    # After an error the transaction is rolled back, and its settings with it.
    _set_plan(usual)


def _set_plan(settings: dict[str, str]) -> dict[str, str]:
    """Planner settings for the rest of the transaction (SET LOCAL, as parameters); returns
    the settings they replace, read before they change in the same statement."""
    names = sorted(settings)
    before = ", ".join(f"current_setting(%(name{n})s) AS before{n}" for n in range(len(names)))
    after = ", ".join(f"set_config(%(name{n})s, %(value{n})s, true)" for n in range(len(names)))
    params = {f"name{n}": name for n, name in enumerate(names)}
    params |= {f"value{n}": settings[name] for n, name in enumerate(names)}
    # Straight to the driver: this runs twice in every search, and is PostgreSQL's own SQL.
    row = (
        db.session.connection()
        .exec_driver_sql(
            f"WITH usual AS MATERIALIZED (SELECT {before}) SELECT usual.*, {after} FROM usual",
            params,
        )
        .one()
    )
    return {name: row[n] for n, name in enumerate(names)}


@dataclass
class _Matches:
    """The ids of a type's visible matches, up to one past ``counted``."""

    ids: list[int]
    counted: int
    # Found from the newest document on: the first of them are the newest matches.
    newest_first: bool


def _visible_matches(
    types: list[str], words: list[str], viewer: User, filters: SearchFilters, counted: int
) -> dict[str, _Matches]:
    """The visible records of these types that match, up to one past ``counted`` of each
    (what lies beyond is neither counted nor hinted at)."""
    if db.engine.dialect.name == "postgresql":
        return _pg_visible_matches(types, words, viewer, filters, counted)
    found = {}
    for record_type in types:
        statement = _built_once(
            ("matches", record_type, gate_key(viewer), counted),
            partial(_sqlite_matches_statement, record_type, viewer, filters, counted),
            filters,
        )
        # Plain ids, read on the connection: no ORM layer for up to a thousand rows.
        ids = db.session.connection().scalars(statement, _word_parameters(words)).all()
        found[record_type] = _Matches(ids, counted, newest_first=True)
    return found


def _sqlite_matches_statement(
    record_type: str, viewer: User, filters: SearchFilters, counted: int
) -> Any:
    model = MODELS[record_type]
    stmt, newest = _newest_matching(
        _matched_records(record_type, viewer, filters, model.id), record_type
    )
    # SQLite's FTS5 hands over a word's matches newest first at no cost, so the first pages of
    # a broad word are already among the ids counted.
    return stmt.order_by(newest).limit(counted + 1)


# A broad word ("trata" is in one meeting of twelve) has tens of thousands of matches, which
# the word index gathers all before the first is counted (10 ms among a million meetings).
# Reading the type's documents from the newest finds a thousand of them sooner (2 ms). So
# PostgreSQL first looks at the newest documents: when enough of them match, it walks.
SAMPLE_SIZE = 200
# Reading one document costs about twice what the word index spends on one match, so walking
# to a thousand matches at density d (1,001 / d documents) beats gathering the d * N matches
# of N documents when d * d * N exceeds about 2,300.
WALK_FACTOR = 2300
# A walk that has not found its thousand visible matches by then (the viewer may see few of
# them, or the filters keep few) leaves them to the word index.
WALK_AT_MOST = 50_000
# Gathered from the word index, matches come in no useful order, and a page beyond the count
# would walk from the newest document to find its newest matches: 5,000 documents for the
# five newest of a word that one person in a thousand has. When the sample says a word has
# at most about this many matches, the index's matches are all read and sorted, newest
# first, instead (a hundred people named "garcia lopez": 1 ms, against 4 ms for the walk).
GATHER_NEWEST_AT_MOST = 1000

# PostgreSQL's documents, with the columns the migrations add.
_DOCUMENTS = table(
    "search_documents",
    column("id"),
    column("record_type"),
    column("record_id"),
    column("search_prefixes"),
)


LONGEST_PREFIX = 10


def _prefix_query(words: list[str] | None = None) -> Any:
    """Every typed word as one word of PostgreSQL's prefix index, which holds the first one to
    ten letters of every word; a longer typed word as the start of the longer words, which
    the index holds whole. Without ``words`` they come at run time, as ``terms`` (from
    ``_prefix_terms``). Parsed once per statement, not once per document read."""
    terms = bindparam("terms") if words is None else bindparam("terms", _prefix_terms(words))
    return select(func.to_tsquery("simple", terms)).scalar_subquery()


def _prefix_terms(words: list[str]) -> str:
    return " & ".join(w if len(w) <= LONGEST_PREFIX else f"{w}:*" for w in words)


def _newest_documents(record_type: str, limit: int) -> Any:
    documents = _DOCUMENTS.alias()
    return (
        select(documents.c.id, documents.c.record_id, documents.c.search_prefixes)
        .where(documents.c.record_type == literal_column(f"'{record_type}'"))
        .order_by(documents.c.id.desc())
        .limit(limit)
        .subquery()
    )


def _pg_visible_matches(
    types: list[str], words: list[str], viewer: User, filters: SearchFilters, counted: int
) -> dict[str, _Matches]:
    limits = (counted, SAMPLE_SIZE, WALK_FACTOR, WALK_AT_MOST, GATHER_NEWEST_AT_MOST)
    statement = _built_once(
        ("matches", tuple(types), gate_key(viewer), *limits),
        lambda: _matches_statement(tuple(types), viewer, filters, counted),
        filters,
    )
    rows = db.session.connection().execute(statement, _word_parameters(words))
    found = {record_type: _Matches([], counted, newest_first=False) for record_type in types}
    # Every row says which way its type's matches were found.
    for record_type, record_id, newest_first in rows:
        found[record_type].ids.append(record_id)
        found[record_type].newest_first = newest_first
    return found


def _matches_statement(
    types: tuple[str, ...], viewer: User, filters: SearchFilters, counted: int
) -> Any:
    """The matches of every type searched, in one statement (see ``_matches_of_type``)."""
    return union_all(
        *(
            part
            for record_type in types
            for part in _matches_of_type(record_type, viewer, filters, counted)
        )
    )


def _matches_of_type(
    record_type: str, viewer: User, filters: SearchFilters, counted: int
) -> tuple[Select[Any], ...]:
    """Sample the newest documents of one type, then walk from the newest or gather the
    word's matches from its index, sorted newest first when they are few (see
    ``SAMPLE_SIZE`` and ``GATHER_NEWEST_AT_MOST``): three selects, each of the record type, a
    match's id, and whether the matches come newest first.

    Each way is its own part of the statement, and PostgreSQL runs only the one chosen. The
    walk matches with ``ts_match_vq``, which no index answers, so it cannot turn into a read
    of the word index; the word index's matches come from a subquery planned on its own, for
    every match, so a LIMIT cannot turn it into a walk."""
    model = MODELS[record_type]
    query = _prefix_query()
    conditions = (visibility_clause(model, viewer), *_filtered(model, filters, viewer))

    sample = _newest_documents(record_type, SAMPLE_SIZE)
    hits = (
        select(func.count().label("hits"))
        .select_from(sample)
        .where(func.ts_match_vq(sample.c.search_prefixes, query))
        .subquery()
    )
    # Every document of the type, as PostgreSQL last counted them.
    documents = literal_column(
        f"(SELECT reltuples FROM pg_class WHERE oid = '{model.__tablename__}'::regclass)"
    )
    newest = _newest_documents(record_type, WALK_AT_MOST)
    walked = (
        select(model.id)
        .select_from(newest)
        .join(model, model.id == newest.c.record_id)
        .where(func.ts_match_vq(newest.c.search_prefixes, query), *conditions)
        .order_by(newest.c.id.desc())
        .limit(counted + 1)
        .cte(f"walked_{record_type}")
        .prefix_with("MATERIALIZED")
    )
    walk = (
        select(
            and_(
                hits.c.hits * hits.c.hits * documents >= WALK_FACTOR * SAMPLE_SIZE**2,
                select(func.count()).select_from(walked).scalar_subquery() > counted,
            ).label("walk"),
            ((hits.c.hits + 1) * documents <= GATHER_NEWEST_AT_MOST * SAMPLE_SIZE).label("few"),
        )
        .select_from(hits)
        .cte(f"walk_{record_type}")
        .prefix_with("MATERIALIZED")
    )

    def gathered(newest_first: bool) -> Any:
        indexed = _DOCUMENTS.alias()
        matching = (
            select(indexed.c.id, indexed.c.record_id)
            .where(
                indexed.c.record_type == literal_column(f"'{record_type}'"),
                indexed.c.search_prefixes.op("@@")(query),
            )
            .order_by(*((indexed.c.id.desc(),) if newest_first else ()))
            .offset(0)
            .subquery()
        )
        return (
            select(model.id)
            .select_from(matching)
            .join(model, model.id == matching.c.record_id)
            .where(*conditions)
            .order_by(*((matching.c.id.desc(),) if newest_first else ()))
            .limit(counted + 1)
            .cte(f"gathered_{'newest_' if newest_first else ''}{record_type}")
            .prefix_with("MATERIALIZED")
        )

    walking = select(walk.c.walk).scalar_subquery()
    few = select(walk.c.few).scalar_subquery()
    newest, unordered = gathered(newest_first=True), gathered(newest_first=False)
    kind = literal_column(f"'{record_type}'")
    return (
        select(kind, walked.c.id, true()).where(walking),
        select(kind, newest.c.id, true()).where(~walking, few),
        select(kind, unordered.c.id, false()).where(~walking, ~few),
    )


def _matched_records(
    record_type: str, viewer: User, filters: SearchFilters, *columns: Any
) -> Select[Any]:
    model = MODELS[record_type]
    return (
        select(*(columns or (model,)))
        .select_from(model)
        .join(SearchDocument, and_(_of_type(record_type), SearchDocument.record_id == model.id))
        .where(visibility_clause(model, viewer), *_filtered(model, filters, viewer))
    )


def _page_of_hits(
    record_type: str,
    words: list[str],
    viewer: User,
    filters: SearchFilters,
    matches: _Matches,
    limit: int,
    offset: int = 0,
    with_emails: bool = False,
) -> list[Any]:
    """One page of the visible matches that ``_visible_matches`` found: best first when there
    are few enough to rank, else the newest first."""
    ids = matches.ids
    ranked = len(ids) <= matches.counted
    if not ranked and matches.newest_first and offset + limit <= len(ids):
        return _records_in_order(record_type, viewer, ids[offset : offset + limit], with_emails)
    model = MODELS[record_type]

    def build() -> Any:
        stmt = _matched_records(record_type, viewer, filters)
        if ranked:
            stmt, order = _ranked_among(stmt, record_type)
        else:
            stmt, order = _newest_matching(stmt, record_type)
        # Unranked, the order is already unique: a tie-breaker would make the database sort
        # every match instead of reading them in index order until the page is full.
        return (
            stmt.order_by(*((order, model.id) if ranked else (order,)))
            .limit(bindparam("limit"))
            .offset(bindparam("offset"))
            .options(*_loaded_with(with_emails))
        )

    statement = _built_once(
        ("page", record_type, gate_key(viewer), ranked, with_emails), build, filters
    )
    parameters = _word_parameters(words, ids if ranked else None)
    return list(db.session.scalars(statement, parameters | {"limit": limit, "offset": offset}))


def _records_in_order(
    record_type: str, viewer: User, ids: list[int], with_emails: bool
) -> list[Any]:
    """The records of these ids (each one visible to the viewer), in the order given."""
    model = MODELS[record_type]
    statement = _built_once(
        ("records", record_type, gate_key(viewer), with_emails),
        lambda: (
            select(model)
            .where(among(model.id), visibility_clause(model, viewer))
            .options(*_loaded_with(with_emails))
        ),
    )
    by_id = {record.id: record for record in db.session.scalars(statement, {"ids": ids})}
    return [by_id[i] for i in ids if i in by_id]


def _loaded_with(with_emails: bool) -> tuple[Any, ...]:
    """A contact's e-mails, loaded with the page that shows each one's first."""
    return (selectinload(Contact.emails),) if with_emails else ()


def search(filters: SearchFilters, viewer: User) -> SearchResults:
    """The visible records matching every typed word (each as a prefix), best first, by type:
    the best few of each type, or one page of the only type searched."""
    words = query_words(filters.q)
    types = [t for t in RECORD_TYPES if t in filters.types]
    single = len(types) == 1
    results = SearchResults(
        query=filters.q,
        page=max(filters.page, 1) if single else 1,
        per_page=PAGE_SIZE if single else PREVIEW_PER_TYPE,
    )
    if not words:
        return results
    counted = COUNTED_AT_MOST if single else PREVIEW_COUNTED_AT_MOST
    with _search_plan():
        found = _visible_matches(types, words, viewer, filters, counted)
        for record_type in types:
            _search_type(record_type, words, viewer, filters, found[record_type], results)
    return results


def _search_type(
    record_type: str,
    words: list[str],
    viewer: User,
    filters: SearchFilters,
    matches: _Matches,
    results: SearchResults,
) -> None:
    if len(matches.ids) > matches.counted:
        results.more.add(record_type)
    results.totals[record_type] = min(len(matches.ids), matches.counted)
    results.groups[record_type] = []
    if not matches.ids:
        return
    # A page past the end shows the last page, as list pages do.
    results.page = min(results.page, results.pages)
    results.groups[record_type] = _page_of_hits(
        record_type,
        words,
        viewer,
        filters,
        matches,
        results.per_page,
        (results.page - 1) * results.per_page,
        with_emails=record_type == "contact",
    )


def suggestions(query: str, viewer: User, per_type: int = 5) -> list[dict[str, Any]]:
    """Type-ahead: a few best hits of each type."""
    words = query_words(query)
    if not words:
        return []
    offered: list[dict[str, Any]] = []
    everything = SearchFilters()
    with _search_plan():
        found = _visible_matches(
            list(RECORD_TYPES), words, viewer, everything, PREVIEW_COUNTED_AT_MOST
        )
        for record_type, matches in found.items():
            if matches.ids:
                hits = _page_of_hits(record_type, words, viewer, everything, matches, per_type)
                offered += [{"type": record_type, "id": r.id, "label": _label(r)} for r in hits]
    return offered


def _label(record: Any) -> str:
    if isinstance(record, Contact):
        return record.display_name
    if isinstance(record, Organization):
        return f"{record.name} ({record.acronym})" if record.acronym else record.name
    return record.subject


# --- Saved searches ---------------------------------------------------------------------------


def saved_searches(user: User) -> list[SavedSearch]:
    return list(
        db.session.scalars(
            select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.name)
        )
    )


def save_search(name: str, query: str, user: User) -> SavedSearch:
    errors: dict[str, str] = {}
    name = clean(name)
    if not name:
        errors["name"] = _("Name the search.")
    records.raise_if(errors)
    saved = SavedSearch(user_id=user.id, name=name[:120], query=query[:1000])
    db.session.add(saved)
    db.session.flush()
    return saved


def delete_saved_search(search_id: object, user: User) -> None:
    saved = db.session.get(SavedSearch, parse_id(search_id))
    if saved is None or saved.user_id != user.id:
        raise RecordNotFound()
    db.session.delete(saved)
    db.session.flush()
