"""CSV (RFC 4180) for contact and organization lists, in the app's own columns and in the
column sets that Google Contacts and Outlook import, written as a stream.

Spreadsheet programs run a cell that starts with ``= + - @``, a tab or a line break as a
formula; such cells are written with a leading apostrophe. A phone number in E.164 (``+52…``)
is left as it is, so that Google and Outlook read it back as a number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from crm.formats import FormatError
from crm.formats.records import ContactRecord

FORMULA_STARTS = frozenset("=+-@\t\r\n")
# A phone number in E.164, with the extension as the Google and Outlook columns write it.
_E164 = re.compile(r"\+[1-9]\d{6,14}( ext\. \d+)?")
UTF8_BOM = "\ufeff".encode()


def neutralise(value: object) -> str:
    """A cell value that no spreadsheet will run as a formula."""
    if not isinstance(value, str):
        if value is None:
            return ""
        value = value.isoformat() if isinstance(value, date) else str(value)
    if value and value[0] in FORMULA_STARTS and not _E164.fullmatch(value):
        return "'" + value
    return value


def _cells(row: Iterable[object]) -> list[object]:
    """A row's cells neutralised. A plain text cell that cannot start a formula, by far the
    most common, passes without a call, as do an empty cell and a date: the csv writer
    writes them as "" and as ISO 8601, which no spreadsheet runs."""
    return [
        value
        if (value.__class__ is str and (not value or value[0] not in FORMULA_STARTS))
        or value is None
        or value.__class__ is date
        else neutralise(value)
        for value in row
    ]


def csv_chunks(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    bom: bool = False,
    rows_per_chunk: int = 500,
) -> Iterator[bytes]:
    """The file as UTF-8 chunks (CRLF line ends, quotes only where needed), a few hundred
    rows at a time, so a large export never sits in memory whole."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_cells(header))
    pending = 1
    for row in rows:
        writer.writerow(_cells(row))
        pending += 1
        if pending >= rows_per_chunk:
            yield _take(buffer, bom)
            bom = False
            pending = 0
    yield _take(buffer, bom)


def _take(buffer: io.StringIO, bom: bool) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return UTF8_BOM + data if bom else data


# --- Column sets -----------------------------------------------------------------------

# Google Contacts, as its "Google CSV" export writes and its import reads them.
GOOGLE_EMAILS = 3
GOOGLE_PHONES = 4
GOOGLE_COLUMNS: tuple[str, ...] = (
    "First Name",
    "Middle Name",
    "Last Name",
    "Name Prefix",
    "Name Suffix",
    "Nickname",
    "Organization Name",
    "Organization Title",
    "Organization Department",
    "Notes",
    "Labels",
    *(f"E-mail {n} - {part}" for n in range(1, GOOGLE_EMAILS + 1) for part in ("Label", "Value")),
    *(f"Phone {n} - {part}" for n in range(1, GOOGLE_PHONES + 1) for part in ("Label", "Value")),
    "Address 1 - Label",
    "Address 1 - Street",
    "Address 1 - City",
    "Address 1 - Region",
    "Address 1 - Postal Code",
    "Address 1 - Country",
)
_GOOGLE_LABELS = {
    "work": "Work",
    "personal": "Home",
    "home": "Home",
    "mobile": "Mobile",
    "fax": "Work Fax",
}

# Outlook, with the header names of its "Comma Separated Values" export and import.
OUTLOOK_COLUMNS: tuple[str, ...] = (
    "Title",
    "First Name",
    "Middle Name",
    "Last Name",
    "Suffix",
    "Company",
    "Department",
    "Job Title",
    "Business Street",
    "Business City",
    "Business State",
    "Business Postal Code",
    "Business Country/Region",
    "Business Phone",
    "Business Phone 2",
    "Business Fax",
    "Mobile Phone",
    "Home Phone",
    "Other Phone",
    "E-mail Address",
    "E-mail 2 Address",
    "E-mail 3 Address",
    "Categories",
    "Notes",
)


def _phone_text(number: str, extension: str) -> str:
    return f"{number} ext. {extension}" if extension else number


def google_row(record: ContactRecord) -> list[str]:
    emails: list[str] = []
    for email in record.emails[:GOOGLE_EMAILS]:
        emails += [_GOOGLE_LABELS.get(email.kind, "Other"), email.address]
    emails += [""] * (2 * GOOGLE_EMAILS - len(emails))
    phones: list[str] = []
    for phone in record.phones[:GOOGLE_PHONES]:
        phones += [
            _GOOGLE_LABELS.get(phone.kind, "Other"),
            _phone_text(phone.number, phone.extension),
        ]
    phones += [""] * (2 * GOOGLE_PHONES - len(phones))
    address = record.work_address
    return [
        record.given_names,
        "",
        record.family_names,
        record.honorific,
        "",
        "",
        record.organization,
        record.title,
        record.department,
        record.notes,
        " ::: ".join(record.tags),
        *emails,
        *phones,
        "Work" if address else "",
        address.street,
        address.city,
        address.region.partition("-")[2] or address.region,
        address.postal_code,
        address.country,
    ]


def outlook_row(record: ContactRecord) -> list[str]:
    def phones(kind: str, count: int) -> list[str]:
        found = [_phone_text(p.number, p.extension) for p in record.phones if p.kind == kind]
        return (found + [""] * count)[:count]

    other = [
        _phone_text(p.number, p.extension)
        for p in record.phones
        if p.kind not in ("work", "fax", "mobile", "home")
    ]
    emails = ([e.address for e in record.emails] + ["", "", ""])[:3]
    address = record.work_address
    return [
        record.honorific,
        record.given_names,
        "",
        record.family_names,
        "",
        record.organization,
        record.department,
        record.title,
        address.street,
        address.city,
        address.region.partition("-")[2] or address.region,
        address.postal_code,
        address.country,
        *phones("work", 2),
        *phones("fax", 1),
        *phones("mobile", 1),
        *phones("home", 1),
        other[0] if other else "",
        *emails,
        ";".join(record.tags),
        record.notes,
    ]


ColumnSet = tuple[tuple[str, ...], Callable[[ContactRecord], list[str]]]


# --- Reading ---------------------------------------------------------------------------

MAX_TABLE_BYTES = 20 * 1024 * 1024
MAX_TABLE_ROWS = 100_000
ENCODINGS = ("utf-8", "cp1252")
DELIMITERS = ",;\t|"


class TableError(FormatError):
    """The file cannot be read as a table."""


TOO_LARGE = "too_large"
BINARY = "binary"
WRONG_ENCODING = "wrong_encoding"
EMPTY = "empty"
ONE_COLUMN = "one_column"
TOO_MANY_ROWS = "too_many_rows"
MALFORMED = "malformed"


@dataclass(frozen=True)
class Table:
    header: list[str]
    # Each row as long as the header (short rows padded, extra cells dropped).
    rows: list[list[str]]
    delimiter: str


def read_table(data: bytes, encoding: str = "utf-8") -> Table:
    """A CSV file's header and rows. The delimiter (comma, semicolon, tab or bar) is found
    from the header line; UTF-8 with or without a byte-order mark, or Windows-1252."""
    if len(data) > MAX_TABLE_BYTES:
        raise TableError(TOO_LARGE)
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError(BINARY)
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        elif encoding == "utf-8":
            text = data.decode("utf-8-sig")
        else:
            text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise TableError(WRONG_ENCODING, str(error)) from error
    if "\x00" in text:
        raise TableError(BINARY)
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    if not first_line.strip():
        raise TableError(EMPTY)
    delimiter = max(DELIMITERS, key=first_line.count)
    if first_line.count(delimiter) == 0:
        raise TableError(ONE_COLUMN)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        header = [cell.strip() for cell in next(reader)]
        rows: list[list[str]] = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) >= MAX_TABLE_ROWS:
                raise TableError(TOO_MANY_ROWS)
            rows.append((row + [""] * len(header))[: len(header)])
    except csv.Error as error:
        raise TableError(MALFORMED, str(error)) from error
    return Table(header=header, rows=rows, delimiter=delimiter)
