"""The export file formats on their own, without the app: CSV (RFC 4180, formula-safe, the
Google and Outlook column sets), vCard 3.0 and 4.0, and XLSX. Every file is read back by an
independent parser (the csv module, vobject, openpyxl)."""

from __future__ import annotations

import csv
import inspect
import io
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
import vobject
from openpyxl import load_workbook

from crm.formats.csv_io import (
    GOOGLE_COLUMNS,
    OUTLOOK_COLUMNS,
    UTF8_BOM,
    csv_chunks,
    google_row,
    neutralise,
    outlook_row,
)
from crm.formats.records import Address, ContactRecord, Email, Phone
from crm.formats.vcard import vcard_chunks
from crm.formats.xlsx import xlsx_chunks

# --- Helpers: a detailed record, reading files back ----------------------------------------------

UID = "0f8c7d5e-1111-4222-8333-444455556666"
UPDATED = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
NOTE = 'First line\nSecond, with a comma; a semicolon and a \\ backslash "quoted"'


def jose(**changes: Any) -> ContactRecord:
    """A Mexican consul with two surnames, accents, an honorific, two e-mails, four phones
    (work with an extension, a second work line, mobile, fax) and tags (one with a comma)."""
    record = ContactRecord(
        uid=UID,
        honorific="Lic.",
        given_names="José Ángel",
        family_name="Núñez",
        second_family_name="Peña",
        preferred_language="es",
        emails=(
            Email("jose.nunez@sre.gob.mx", "work"),
            Email("jangel.nunez@correo.mx", "personal"),
        ),
        phones=(
            Phone("+16192310016", "work", "123"),
            Phone("+16192310099", "work"),
            Phone("+526641234567", "mobile"),
            Phone("+16192310017", "fax"),
        ),
        organization="Consulado General de México en San Diego",
        title="Cónsul",
        department="Protección consular",
        work_address=Address("1549 India St", "San Diego", "US-CA", "92101", "US"),
        tags=("Frontera, norte", "Consular"),
        notes=NOTE,
        updated_at=UPDATED,
    )
    return replace(record, **changes)


def csv_text(chunks: Sequence[bytes]) -> str:
    return b"".join(chunks).decode("utf-8")


def read_csv(chunks: Sequence[bytes]) -> list[list[str]]:
    """The records of a CSV file, as the csv module reads them."""
    return list(csv.reader(io.StringIO(csv_text(chunks), newline="")))


def column_set_rows(header: Sequence[str], row: Sequence[str]) -> dict[str, str]:
    assert len(row) == len(header)
    return dict(zip(header, row, strict=True))


def read_cards(data: bytes) -> list[Any]:
    return list(vobject.readComponents(data.decode("utf-8")))


def one_card(version: str, record: ContactRecord | None = None) -> Any:
    (card,) = read_cards(b"".join(vcard_chunks([record or jose()], version)))
    return card


def types(prop: Any) -> set[str]:
    """A property's TYPE values, lower case, whether listed or quoted with commas."""
    return {t.lower() for value in prop.params.get("TYPE", []) for t in value.split(",")}


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[: -len(b"\r\n")].split(b"\r\n")


def read_sheet(chunks: Iterator[bytes]) -> Any:
    """The first worksheet of the workbook the chunks make up."""
    return load_workbook(io.BytesIO(b"".join(chunks))).worksheets[0]


def sheet_name_of(name: str) -> str:
    chunks = xlsx_chunks(["A"], [["x"]], sheet_name=name)
    return load_workbook(io.BytesIO(b"".join(chunks))).sheetnames[0]


# --- CSV: formula neutralising -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["=1+2", "+SUM(A1)", "-2+3", "@SUM(1)", "\tTab", "\rCarriage", "\nNewline"],
    ids=["equals", "plus", "minus", "at", "tab", "cr", "lf"],
)
def test_a_value_a_spreadsheet_would_run_gets_a_leading_apostrophe(value):
    assert neutralise(value) == "'" + value


def test_a_valid_e164_number_is_left_as_it_is():
    assert neutralise("+526641234567") == "+526641234567"
    assert neutralise("+16192310016") == "+16192310016"


def test_an_e164_number_with_its_extension_is_left_as_it_is():
    # As the Google and Outlook columns write it, so the number imports without an apostrophe.
    assert neutralise("+16192310016 ext. 123") == "+16192310016 ext. 123"
    assert neutralise("+16192310016 ext. 123=1") == "'+16192310016 ext. 123=1"


@pytest.mark.parametrize(
    "value", ["+ 52 (664)", "+1", "+52 664 123 4567", "+0526641234567", "+16192310016 ext. "]
)
def test_a_plus_string_that_is_not_e164_is_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize(
    ("value", "expected"),
    [("José Núñez", "José Núñez"), ("a=b", "a=b"), (None, ""), (42, "42"), ("", "")],
)
def test_ordinary_values_are_written_unchanged(value, expected):
    assert neutralise(value) == expected


# --- CSV: RFC 4180, UTF-8, BOM, streaming --------------------------------------------------------


def test_every_cell_of_a_written_file_is_neutralised_header_included():
    rows = [["=1+2", "plain", None, 42, "+526641234567", "", "@x", date(2026, 3, 1)]]

    data = b"".join(csv_chunks(["=Header", "Name"], rows)).decode()

    header, row = list(csv.reader(io.StringIO(data)))
    assert header == ["'=Header", "Name"]
    assert row == ["'=1+2", "plain", "", "42", "+526641234567", "", "'@x", "2026-03-01"]


def test_csv_lines_end_with_crlf_and_read_back_as_written():
    rows = [["Núñez Peña", "José Ángel"], ["Smith", "Mary"]]

    data = b"".join(csv_chunks(["Family", "Given"], rows))

    assert data.endswith(b"\r\n")
    assert data.count(b"\r\n") == 3
    assert data.count(b"\n") == data.count(b"\r\n")
    assert read_csv([data]) == [["Family", "Given"], *rows]


def test_fields_with_commas_quotes_and_newlines_are_quoted_and_read_back_whole():
    tricky = ["Tijuana, B.C.", 'He said "hola"', "Line one\nLine two", "plain"]

    data = b"".join(csv_chunks(["A", "B", "C", "D"], [tricky]))

    assert b'"Tijuana, B.C."' in data
    assert b'"He said ""hola"""' in data
    assert b'"Line one\nLine two"' in data
    assert b'"plain"' not in data  # quotes only where needed
    assert read_csv([data])[1] == tricky


def test_csv_is_utf8_without_a_bom_by_default():
    data = b"".join(csv_chunks(["Nombre"], [["Núñez"]]))

    assert not data.startswith(UTF8_BOM)
    assert UTF8_BOM not in data
    assert "Núñez".encode() in data


def test_the_bom_is_written_once_at_the_very_start_of_a_many_chunk_file():
    chunks = list(
        csv_chunks(["Nombre"], [[f"Núñez {n}"] for n in range(7)], bom=True, rows_per_chunk=2)
    )

    assert len(chunks) >= 3
    assert chunks[0].startswith(UTF8_BOM)
    assert all(UTF8_BOM not in chunk for chunk in chunks[1:])
    assert b"".join(chunks).count(UTF8_BOM) == 1
    body = b"".join(chunks)[len(UTF8_BOM) :]
    assert read_csv([body]) == [["Nombre"], *([f"Núñez {n}"] for n in range(7))]


def test_cells_that_look_like_formulas_are_neutralised_in_header_and_rows():
    data = b"".join(csv_chunks(["=Header", "Phone"], [["@SUM(1)", "+526641234567"]]))

    assert read_csv([data]) == [["'=Header", "Phone"], ["'@SUM(1)", "+526641234567"]]


def test_csv_chunks_is_a_generator_that_reads_rows_as_it_goes():
    consumed = 0

    def rows() -> Iterator[list[str]]:
        nonlocal consumed
        for n in range(1000):
            consumed += 1
            yield [f"Person {n}", "x"]

    chunks = csv_chunks(["Name", "X"], rows(), rows_per_chunk=100)

    assert inspect.isgenerator(chunks)
    assert consumed == 0
    first = next(chunks)
    assert consumed < 200  # the first chunk left before most rows were read
    rest = list(chunks)
    assert len(rest) >= 9
    assert len(read_csv([first, *rest])) == 1001


# --- CSV: Google and Outlook column sets ---------------------------------------------------------

GOOGLE_HEADER = [
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
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "E-mail 2 - Label",
    "E-mail 2 - Value",
    "E-mail 3 - Label",
    "E-mail 3 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Phone 2 - Label",
    "Phone 2 - Value",
    "Phone 3 - Label",
    "Phone 3 - Value",
    "Phone 4 - Label",
    "Phone 4 - Value",
    "Address 1 - Label",
    "Address 1 - Street",
    "Address 1 - City",
    "Address 1 - Region",
    "Address 1 - Postal Code",
    "Address 1 - Country",
]

OUTLOOK_HEADER = [
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
]


def test_the_google_header_is_the_one_google_contacts_imports():
    assert list(GOOGLE_COLUMNS) == GOOGLE_HEADER


def test_the_outlook_header_is_the_one_outlook_imports():
    assert list(OUTLOOK_COLUMNS) == OUTLOOK_HEADER


@pytest.mark.parametrize(
    "record",
    [
        jose(),
        jose(emails=(), phones=(), tags=(), work_address=Address(), organization=""),
        jose(
            emails=tuple(Email(f"e{n}@x.example", "other") for n in range(6)),
            phones=tuple(Phone(f"+1619231001{n}", "other") for n in range(7)),
        ),
    ],
    ids=["detailed", "bare", "more-than-the-slots"],
)
@pytest.mark.parametrize(
    ("header", "row"),
    [(GOOGLE_HEADER, google_row), (OUTLOOK_HEADER, outlook_row)],
    ids=["google", "outlook"],
)
def test_every_column_set_row_has_as_many_cells_as_its_header(header, row, record):
    written = list(csv_chunks(header, [row(record)]))

    read = read_csv(written)
    assert read[0] == header
    assert [len(r) for r in read[1:]] == [len(header)]


def test_a_detailed_contact_lands_in_the_right_google_columns():
    cells = column_set_rows(GOOGLE_HEADER, google_row(jose()))

    assert cells["First Name"] == "José Ángel"
    assert cells["Middle Name"] == ""
    assert cells["Last Name"] == "Núñez Peña"
    assert cells["Name Prefix"] == "Lic."
    assert cells["Organization Name"] == "Consulado General de México en San Diego"
    assert cells["Organization Title"] == "Cónsul"
    assert cells["Organization Department"] == "Protección consular"
    assert cells["Notes"] == NOTE
    assert cells["Labels"] == "Frontera, norte ::: Consular"
    assert (cells["E-mail 1 - Label"], cells["E-mail 1 - Value"]) == (
        "Work",
        "jose.nunez@sre.gob.mx",
    )
    assert (cells["E-mail 2 - Label"], cells["E-mail 2 - Value"]) == (
        "Home",
        "jangel.nunez@correo.mx",
    )
    assert (cells["E-mail 3 - Label"], cells["E-mail 3 - Value"]) == ("", "")
    assert (cells["Phone 1 - Label"], cells["Phone 1 - Value"]) == (
        "Work",
        "+16192310016 ext. 123",
    )
    assert (cells["Phone 2 - Label"], cells["Phone 2 - Value"]) == ("Work", "+16192310099")
    assert (cells["Phone 3 - Label"], cells["Phone 3 - Value"]) == ("Mobile", "+526641234567")
    assert (cells["Phone 4 - Label"], cells["Phone 4 - Value"]) == ("Work Fax", "+16192310017")
    assert cells["Address 1 - Label"] == "Work"
    assert cells["Address 1 - Street"] == "1549 India St"
    assert cells["Address 1 - City"] == "San Diego"
    assert cells["Address 1 - Region"] == "CA"
    assert cells["Address 1 - Postal Code"] == "92101"
    assert cells["Address 1 - Country"] == "US"


def test_a_detailed_contact_lands_in_the_right_outlook_columns():
    record = jose(
        phones=(*jose().phones, Phone("+16195550100", "home"), Phone("+1619555", "other"))
    )

    cells = column_set_rows(OUTLOOK_HEADER, outlook_row(record))

    assert cells["Title"] == "Lic."
    assert cells["First Name"] == "José Ángel"
    assert cells["Middle Name"] == ""
    assert cells["Last Name"] == "Núñez Peña"
    assert cells["Company"] == "Consulado General de México en San Diego"
    assert cells["Department"] == "Protección consular"
    assert cells["Job Title"] == "Cónsul"
    assert cells["Business Street"] == "1549 India St"
    assert cells["Business City"] == "San Diego"
    assert cells["Business State"] == "CA"
    assert cells["Business Postal Code"] == "92101"
    assert cells["Business Country/Region"] == "US"
    assert cells["Business Phone"] == "+16192310016 ext. 123"
    assert cells["Business Phone 2"] == "+16192310099"
    assert cells["Business Fax"] == "+16192310017"
    assert cells["Mobile Phone"] == "+526641234567"
    assert cells["Home Phone"] == "+16195550100"
    assert cells["Other Phone"] == "+1619555"
    assert cells["E-mail Address"] == "jose.nunez@sre.gob.mx"
    assert cells["E-mail 2 Address"] == "jangel.nunez@correo.mx"
    assert cells["E-mail 3 Address"] == ""
    assert cells["Categories"] == "Frontera, norte;Consular"
    assert cells["Notes"] == NOTE


def test_column_set_rows_survive_the_csv_file_with_accents_and_the_note_intact():
    data = list(csv_chunks(GOOGLE_HEADER, [google_row(jose())], bom=True))

    header, row = read_csv([b"".join(data)[len(UTF8_BOM) :]])
    cells = column_set_rows(header, row)
    assert cells["Last Name"] == "Núñez Peña"
    assert cells["Notes"] == NOTE
    assert cells["Phone 3 - Value"] == "+526641234567"


# --- vCard: fields read back by vobject ----------------------------------------------------------

VERSIONS = ["3.0", "4.0"]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_card_carries_its_version(version):
    assert one_card(version).version.value == version


@pytest.mark.parametrize("version", VERSIONS)
def test_n_holds_both_surnames_the_given_names_and_the_honorific(version):
    name = one_card(version).n.value

    assert name.family == "Núñez Peña"
    assert name.given == "José Ángel"
    assert name.prefix == "Lic."
    assert name.additional == ""
    assert name.suffix == ""


@pytest.mark.parametrize("version", VERSIONS)
def test_fn_is_the_display_name(version):
    assert one_card(version).fn.value == "Lic. José Ángel Núñez Peña"


@pytest.mark.parametrize("version", VERSIONS)
def test_org_carries_the_department_and_title_the_post(version):
    card = one_card(version)

    assert card.org.value == ["Consulado General de México en San Diego", "Protección consular"]
    assert card.title.value == "Cónsul"


@pytest.mark.parametrize("version", VERSIONS)
def test_a_card_without_a_post_has_no_org_or_title(version):
    card = one_card(version, jose(organization="", title="", department=""))

    assert "org" not in card.contents
    assert "title" not in card.contents


@pytest.mark.parametrize("version", VERSIONS)
def test_each_email_is_typed_work_or_home_and_the_first_preferred(version):
    emails = one_card(version).contents["email"]

    assert [e.value for e in emails] == ["jose.nunez@sre.gob.mx", "jangel.nunez@correo.mx"]
    assert {"work"} <= types(emails[0])
    assert {"home"} <= types(emails[1])
    assert "work" not in types(emails[1])
    if version == "3.0":
        assert "pref" in types(emails[0])
    else:
        assert emails[0].params["PREF"] == ["1"]
        assert "PREF" not in emails[1].params


def test_vcard3_phones_are_typed_and_keep_their_extension():
    phones = one_card("3.0").contents["tel"]

    assert [p.value for p in phones] == [
        "+16192310016 ext. 123",
        "+16192310099",
        "+526641234567",
        "+16192310017",
    ]
    assert types(phones[0]) == {"work", "voice", "pref"}
    assert types(phones[1]) == {"work", "voice"}
    assert types(phones[2]) == {"cell", "voice"}
    assert types(phones[3]) == {"work", "fax"}


def test_vcard4_phones_are_tel_uris_with_ext_and_typed():
    phones = one_card("4.0").contents["tel"]

    assert [p.value for p in phones] == [
        "tel:+16192310016;ext=123",
        "tel:+16192310099",
        "tel:+526641234567",
        "tel:+16192310017",
    ]
    assert all(p.params["VALUE"] == ["uri"] for p in phones)
    assert types(phones[0]) == {"work", "voice"}
    assert phones[0].params["PREF"] == ["1"]
    assert types(phones[2]) == {"cell", "voice"}
    assert types(phones[3]) == {"work", "fax"}


@pytest.mark.parametrize("version", VERSIONS)
def test_adr_is_the_work_address_with_the_state_code(version):
    card = one_card(version)
    address = card.adr.value

    assert types(card.adr) == {"work"}
    assert address.street == "1549 India St"
    assert address.city == "San Diego"
    assert address.region == "CA"
    assert address.code == "92101"
    assert address.country == "US"


@pytest.mark.parametrize("version", VERSIONS)
def test_a_note_keeps_newlines_commas_semicolons_and_backslashes(version):
    assert one_card(version).note.value == NOTE


@pytest.mark.parametrize("version", VERSIONS)
def test_categories_keep_a_comma_inside_a_tag(version):
    assert one_card(version).categories.value == ["Frontera, norte", "Consular"]


@pytest.mark.parametrize(
    ("version", "pattern"), [("3.0", "%Y-%m-%dT%H:%M:%SZ"), ("4.0", "%Y%m%dT%H%M%SZ")]
)
def test_rev_is_the_last_update_in_utc(version, pattern):
    pacific = UPDATED.astimezone(timezone(timedelta(hours=-8)))

    card = one_card(version, jose(updated_at=pacific))

    assert datetime.strptime(card.rev.value, pattern).replace(tzinfo=UTC) == UPDATED


def test_vcard3_uid_is_the_contacts_uid():
    assert one_card("3.0").uid.value == UID


def test_vcard4_uid_is_a_urn_uuid():
    assert one_card("4.0").uid.value == f"urn:uuid:{UID}"


@pytest.mark.parametrize("version", VERSIONS)
def test_the_uid_is_stable_across_exports_and_differs_between_people(version):
    other = jose(uid="9a9a9a9a-0000-4000-8000-000000000001", given_names="María")

    first = one_card(version).uid.value
    again = one_card(version).uid.value

    assert first == again
    assert one_card(version, other).uid.value != first


def test_vcard4_carries_the_preferred_language():
    assert one_card("4.0").lang.value == "es"


# --- vCard: lines, folding, versions, streaming --------------------------------------------------


LONG = jose(
    notes="Reunión en la garita de Otay Mesa con la señora Peña. " * 8 + "Emoji 😀🇲🇽 " * 12,
    title="Cónsul Adscrito para Asuntos Comunitarios y de Protección a Connacionales en Baja "
    "California y el Sur de California",
)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_physical_line_is_at_most_75_octets_and_valid_utf8(version):
    data = b"".join(vcard_chunks([LONG], version))

    lines = physical_lines(data)
    assert any(line.startswith(b" ") for line in lines)  # long lines were folded
    for line in lines:
        assert len(line) <= 75
        line.decode("utf-8")  # no character split between two lines


@pytest.mark.parametrize("version", VERSIONS)
def test_folded_lines_unfold_to_the_original_text(version):
    (card,) = read_cards(b"".join(vcard_chunks([LONG], version)))

    assert card.note.value == LONG.notes
    assert card.title.value == LONG.title


@pytest.mark.parametrize("version", VERSIONS)
def test_lines_end_with_crlf_only(version):
    data = b"".join(vcard_chunks([jose(), LONG], version))

    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.count(b"\r") == data.count(b"\r\n")


@pytest.mark.parametrize("version", ["2.1", "4", "", "5.0"])
def test_an_unsupported_version_is_refused(version):
    with pytest.raises(ValueError, match="not supported"):
        list(vcard_chunks([jose()], version))


def test_vcard_chunks_is_a_generator_yielding_one_card_per_chunk():
    people = [jose(uid=f"00000000-0000-4000-8000-00000000000{n}") for n in range(3)]

    chunks = vcard_chunks(people, "4.0")

    assert inspect.isgenerator(chunks)
    written = list(chunks)
    assert len(written) == 3
    for chunk, person in zip(written, people, strict=True):
        (card,) = read_cards(chunk)
        assert card.uid.value == f"urn:uuid:{person.uid}"


def test_a_file_of_several_cards_reads_back_as_several_cards():
    people = [jose(), jose(uid="9a9a9a9a-0000-4000-8000-000000000001", given_names="María")]

    cards = read_cards(b"".join(vcard_chunks(people, "3.0")))

    assert [c.n.value.given for c in cards] == ["José Ángel", "María"]


# --- XLSX ----------------------------------------------------------------------------------------


def test_the_header_row_is_bold_and_frozen():
    sheet = read_sheet(xlsx_chunks(["Nombre", "Correo"], [["Núñez", "a@b.example"]]))

    assert [c.value for c in sheet[1]] == ["Nombre", "Correo"]
    assert all(c.font.b for c in sheet[1])
    assert not any(c.font.b for c in sheet[2])
    assert sheet.freeze_panes == "A2"


def test_column_widths_are_set_between_10_and_50():
    header = ["A", "Organization", "An extremely long column heading " * 3]

    sheet = read_sheet(xlsx_chunks(header, [["x", "y", "z"]]))

    widths = [sheet.column_dimensions[letter].width for letter in "ABC"]
    assert all(10 <= w <= 50 for w in widths)
    assert widths[0] == 10
    assert widths[2] == 50


def test_given_widths_are_used_within_the_limits():
    sheet = read_sheet(xlsx_chunks(["A", "B", "C"], [["x", "y", "z"]], widths=[25, 3, 90]))

    assert [sheet.column_dimensions[letter].width for letter in "ABC"] == [25, 10, 50]


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://evil")', "@SUM(1)", "+526641234567", "-2+3", "=1+2"]
)
def test_a_value_that_looks_like_a_formula_is_a_plain_string(value):
    sheet = read_sheet(xlsx_chunks(["Notes"], [[value]]))

    cell = sheet["A2"]
    assert cell.data_type == "s"
    assert cell.value == value


def test_dates_and_numbers_keep_their_types():
    sheet = read_sheet(
        xlsx_chunks(
            ["Day", "When", "Count", "Name"],
            [[date(2025, 3, 4), datetime(2025, 3, 4, 17, 30), 7, "Núñez"]],
        )
    )

    day, when, count, name = sheet[2]
    assert day.is_date
    assert day.value.date() == date(2025, 3, 4)
    assert when.is_date
    assert when.value == datetime(2025, 3, 4, 17, 30)
    assert count.data_type == "n"
    assert count.value == 7
    assert name.value == "Núñez"


def test_rows_are_written_in_order_after_the_header():
    rows = [[f"Person {n}", n] for n in range(50)]

    sheet = read_sheet(xlsx_chunks(["Name", "N"], rows))

    assert [[c.value for c in r] for r in sheet.iter_rows(min_row=2)] == rows


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Contacts", "Contacts"),
        ("a[b]c:d*e?f/g\\h", "a b c d e f g h"),
        ("x" * 40, "x" * 31),
        ("[Contactos: Núñez?]", "Contactos  Núñez"),
        ("///", "Sheet1"),
    ],
)
def test_sheet_names_are_cleaned_for_excel(name, expected):
    cleaned = sheet_name_of(name)

    assert cleaned == expected
    assert len(cleaned) <= 31
    assert not set(cleaned) & set("[]:*?/\\")
