"""Reading uploaded files before an import: CSV tables (delimiter, encoding, quoting, each bad
file refused with its reason) and vCards as Google, Apple and Outlook write them (2.1, 3.0,
4.0), with the card a damaged file breaks at. No database: these readers are pure."""

from __future__ import annotations

import pytest

from crm.formats import csv_io, vcard
from crm.formats.csv_io import Table, TableError, read_table
from crm.formats.records import Address, ContactRecord, Email, Phone
from crm.formats.vcard import CardError, read_vcards, vcard_chunks

# --- Helpers --------------------------------------------------------------------------------------


def lines(*text: str, end: str = "\r\n") -> str:
    """A file's text with the given line ends (CRLF, as Excel and address books write)."""
    return "".join(line + end for line in text)


def table_error(data: bytes, encoding: str = "utf-8") -> TableError:
    with pytest.raises(TableError) as caught:
        read_table(data, encoding)
    return caught.value


def card_error(data: bytes) -> CardError:
    with pytest.raises(CardError) as caught:
        read_vcards(data)
    return caught.value


def one_card(text: str) -> ContactRecord:
    (record,) = read_vcards(text.encode("utf-8"))
    return record


PEOPLE = (("Given names", "Family name", "E-mail"), ("José", "Núñez", "jose@sre.example"))


def people_file(delimiter: str) -> bytes:
    return lines(*(delimiter.join(row) for row in PEOPLE)).encode("utf-8")


# --- CSV: delimiters ------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_the_delimiter_is_found_from_the_header(delimiter):
    table = read_table(people_file(delimiter))

    assert table == Table(
        header=["Given names", "Family name", "E-mail"],
        rows=[["José", "Núñez", "jose@sre.example"]],
        delimiter=delimiter,
    )


def test_a_semicolon_file_keeps_commas_inside_its_cells():
    """Excel in Spanish or German saves with semicolons; commas are then just text."""
    data = lines("Nombre;Apellidos;Notas", "Ana;Ruiz Soto;Llamar por la mañana, no antes").encode()

    table = read_table(data)

    assert table.delimiter == ";"
    assert table.rows == [["Ana", "Ruiz Soto", "Llamar por la mañana, no antes"]]


# --- CSV: encodings -------------------------------------------------------------------------------


def test_utf8_reads_the_same_with_and_without_a_byte_order_mark():
    plain = people_file(",")

    with_bom = read_table(csv_io.UTF8_BOM + plain)

    assert with_bom == read_table(plain)
    assert with_bom.header[0] == "Given names"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(codec):
    """Excel's "Unicode text" is UTF-16 with a byte-order mark and tabs."""
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[codec]
    data = bom + lines("Nombre\tApellido", "José\tNúñez Peña").encode(codec)

    table = read_table(data)

    assert table.header == ["Nombre", "Apellido"]
    assert table.rows == [["José", "Núñez Peña"]]


def test_windows_1252_accents_are_read_when_that_encoding_is_chosen():
    data = lines("Nombre,Apellido,Notas", "Ñandú,Pérez Güémez,Cuota de 5 €").encode("cp1252")

    table = read_table(data, "cp1252")

    assert table.rows == [["Ñandú", "Pérez Güémez", "Cuota de 5 €"]]


# --- CSV: quoting, short rows, blank lines --------------------------------------------------------


def test_quoted_fields_keep_commas_quotes_and_line_breaks():
    data = lines(
        "Name,Notes",
        '"Ruiz, Carlos","First line',
        'second line, with ""quotes"""',
        "Ana,plain",
    ).encode()

    table = read_table(data)

    assert table.rows == [
        ["Ruiz, Carlos", 'First line\r\nsecond line, with "quotes"'],
        ["Ana", "plain"],
    ]


def test_short_rows_are_padded_and_long_rows_cut_to_the_header():
    data = lines("A,B,C", "1", "1,2,3,4,5").encode()

    assert read_table(data).rows == [["1", "", ""], ["1", "2", "3"]]


def test_blank_lines_and_rows_of_empty_cells_are_skipped():
    data = lines("A,B", "", "1,2", ",", "  ,  ", "", "3,4").encode()

    assert read_table(data).rows == [["1", "2"], ["3", "4"]]


def test_header_names_are_trimmed():
    assert read_table(b" Given names , Family name \n").header == ["Given names", "Family name"]


def test_a_file_with_only_a_header_has_no_rows():
    assert read_table(b"Given names,Family name\r\n").rows == []


# --- CSV: bad files -------------------------------------------------------------------------------


def test_a_csv_over_the_size_limit_is_too_large():
    data = b"A,B\n" + b"x" * (csv_io.MAX_TABLE_BYTES + 1 - 4)
    assert len(data) == csv_io.MAX_TABLE_BYTES + 1

    assert table_error(data).reason == csv_io.TOO_LARGE


def test_a_csv_of_exactly_the_size_limit_is_read(monkeypatch):
    monkeypatch.setattr(csv_io, "MAX_TABLE_BYTES", 12)

    assert read_table(b"A,B\n1,2\n3,4\n").rows == [["1", "2"], ["3", "4"]]
    assert table_error(b"A,B\n1,2\n3,4\n\n").reason == csv_io.TOO_LARGE


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
        b"Name,E-mail\nAna\x00,ana@example.org\n",
    ],
    ids=["png", "xlsx", "nul-in-text"],
)
def test_a_file_with_nul_bytes_is_binary(data):
    assert table_error(data).reason == csv_io.BINARY


def test_windows_1252_bytes_read_as_utf8_are_the_wrong_encoding():
    data = lines("Nombre,Apellido", "José,Peña").encode("cp1252")

    assert table_error(data, "utf-8").reason == csv_io.WRONG_ENCODING


@pytest.mark.parametrize(
    "data", [b"", csv_io.UTF8_BOM, b"\r\n", b"   \r\n\r\n"], ids=["nothing", "bom", "crlf", "blank"]
)
def test_a_file_without_a_header_is_empty(data):
    assert table_error(data).reason == csv_io.EMPTY


def test_a_file_without_any_delimiter_has_one_column():
    data = lines("Name", "Ana Ruiz", "Carlos Soto").encode()

    assert table_error(data).reason == csv_io.ONE_COLUMN


@pytest.mark.parametrize(
    "row",
    ['Ana,"never closed', 'Ana,"closed"then text'],
    ids=["unclosed-quote", "text-after-quote"],
)
def test_a_damaged_quote_is_malformed(row):
    error = table_error(lines("Name,Notes", row, "Carlos,ok").encode())

    assert error.reason == csv_io.MALFORMED
    assert error.detail


def test_more_rows_than_the_limit_are_too_many(monkeypatch):
    monkeypatch.setattr(csv_io, "MAX_TABLE_ROWS", 3)
    three = lines("A,B", "1,1", "2,2", "3,3")

    assert len(read_table(three.encode()).rows) == 3
    assert table_error((three + lines("4,4")).encode()).reason == csv_io.TOO_MANY_ROWS


# --- vCard: as address books write them -----------------------------------------------------------

GOOGLE_3_0 = lines(
    "BEGIN:VCARD",
    "VERSION:3.0",
    "FN:Lic. Rosa Ibarra",
    "N:Ibarra;Rosa;;Lic.;",
    "EMAIL;TYPE=INTERNET;TYPE=WORK:rosa.ibarra@sre.example",
    "EMAIL;TYPE=INTERNET;TYPE=HOME:rosa@casa.example",
    "TEL;TYPE=CELL:+52 664 123 4567",
    "TEL;TYPE=WORK:(619) 555-0100",
    "ADR;TYPE=WORK:;;Av. Juárez 1;Tijuana;BCN;22000;MX",
    "ORG:Consulado General de México;Protección",
    "TITLE:Cónsul adscrita",
    "NOTE:Primera línea\\nSegunda\\, con coma\\; y punto y coma",
    "CATEGORIES:Frontera,Capacitación",
    "END:VCARD",
)


def test_a_google_card_gives_every_field():
    assert one_card(GOOGLE_3_0) == ContactRecord(
        uid="",
        honorific="Lic.",
        given_names="Rosa",
        family_name="Ibarra",
        emails=(Email("rosa.ibarra@sre.example", "work"), Email("rosa@casa.example", "personal")),
        phones=(Phone("+52 664 123 4567", "mobile"), Phone("(619) 555-0100", "work")),
        organization="Consulado General de México",
        title="Cónsul adscrita",
        department="Protección",
        work_address=Address("Av. Juárez 1", "Tijuana", "BCN", "22000", "MX"),
        tags=("Frontera", "Capacitación"),
        notes="Primera línea\nSegunda, con coma; y punto y coma",
    )


APPLE_3_0 = lines(
    "BEGIN:VCARD",
    "VERSION:3.0",
    "PRODID:-//Apple Inc.//iPhone OS 17.4//EN",
    "N:Núñez Peña;José Luis;;;",
    "FN:José Luis Núñez Peña",
    "ORG:Fiscalía General del Estado;Unidad Antisecuestro;",
    "TITLE:Fiscal especializado",
    "EMAIL;type=INTERNET;type=WORK;type=pref:jl.nunez@fiscalia.example",
    "TEL;type=CELL;type=VOICE;type=pref:+52 (664) 555-0101",
    "TEL;type=WORK;type=VOICE:+1 619 555 0102 ext. 45",
    "item1.ADR;type=WORK;type=pref:;;1 Front St;San Diego;CA;92101;US",
    "item1.X-ABADR:us",
    "UID:5F1C2B3A-8D4E-4F60-9A7B-1C2D3E4F5A6B",
    "END:VCARD",
)


def test_an_apple_card_gives_every_field():
    record = one_card(APPLE_3_0)

    assert (record.given_names, record.family_name) == ("José Luis", "Núñez Peña")
    assert (record.organization, record.department) == (
        "Fiscalía General del Estado",
        "Unidad Antisecuestro",
    )
    assert record.title == "Fiscal especializado"
    assert record.emails == (Email("jl.nunez@fiscalia.example", "work"),)
    assert record.phones == (
        Phone("+52 (664) 555-0101", "mobile"),
        Phone("+1 619 555 0102", "work", "45"),
    )
    assert record.work_address == Address("1 Front St", "San Diego", "CA", "92101", "US")
    assert record.uid == "5F1C2B3A-8D4E-4F60-9A7B-1C2D3E4F5A6B"


OUTLOOK_2_1 = lines(
    "BEGIN:VCARD",
    "VERSION:2.1",
    "N;LANGUAGE=es-mx;CHARSET=utf-8:Gómez;Ana",
    "FN;CHARSET=utf-8:Ana Gómez",
    "ORG;CHARSET=utf-8:Policía Estatal;Investigación",
    "TITLE:Comandante",
    "TEL;WORK;VOICE:(619) 555-0110",
    "TEL;CELL;VOICE:(619) 555-0111",
    "TEL;WORK;FAX:(619) 555-0112",
    "ADR;WORK;PREF:;;5 Main St;Chula Vista;CA;91910;US",
    "EMAIL;PREF;INTERNET:ana.gomez@policia.example",
    "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8:Prefiere espa=C3=B1ol",
    "END:VCARD",
)


def test_an_outlook_2_1_card_gives_name_organization_address_and_note():
    record = one_card(OUTLOOK_2_1)

    assert (record.given_names, record.family_name) == ("Ana", "Gómez")
    assert (record.organization, record.department, record.title) == (
        "Policía Estatal",
        "Investigación",
        "Comandante",
    )
    assert [p.number for p in record.phones] == [
        "(619) 555-0110",
        "(619) 555-0111",
        "(619) 555-0112",
    ]
    assert [e.address for e in record.emails] == ["ana.gomez@policia.example"]
    assert record.work_address == Address("5 Main St", "Chula Vista", "CA", "91910", "US")
    assert record.notes == "Prefiere español"


def test_an_outlook_2_1_card_gives_each_phone_and_e_mail_its_type():
    """vCard 2.1 (Outlook) writes types bare: TEL;WORK;VOICE, TEL;CELL;VOICE, EMAIL;INTERNET."""
    record = one_card(OUTLOOK_2_1)

    assert [p.kind for p in record.phones] == ["work", "mobile", "fax"]
    assert [e.kind for e in record.emails] == ["work"]


VCARD_4_0 = lines(
    "BEGIN:VCARD",
    "VERSION:4.0",
    "UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1",
    "FN:Carlos Ruiz",
    "N:Ruiz;Carlos;;Mtro.;",
    "EMAIL;TYPE=work;PREF=1:carlos.ruiz@agency.example",
    "EMAIL;TYPE=home:carlos@casa.example",
    'TEL;VALUE=uri;TYPE="work,voice";PREF=1:tel:+1-619-555-0120;ext=102',
    "TEL;VALUE=uri;TYPE=cell:tel:+1-619-555-0121",
    'TEL;VALUE=uri;TYPE="work,fax":tel:+1-619-555-0122',
    "LANG;PREF=1:es",
    "ORG:Aduanas;Inspección",
    "CATEGORIES:Frontera,Aduanas",
    "END:VCARD",
)


def test_a_4_0_card_reads_tel_uris_with_extensions_and_a_urn_uid():
    record = one_card(VCARD_4_0)

    assert record.uid == "4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert record.honorific == "Mtro."
    assert record.phones == (
        Phone("+1-619-555-0120", "work", "102"),
        Phone("+1-619-555-0121", "mobile"),
        Phone("+1-619-555-0122", "fax"),
    )
    assert record.emails == (
        Email("carlos.ruiz@agency.example", "work"),
        Email("carlos@casa.example", "personal"),
    )
    assert record.preferred_language == "es"
    assert record.tags == ("Frontera", "Aduanas")


def test_a_card_with_only_a_formatted_name_is_split_into_given_and_family():
    record = one_card(lines("BEGIN:VCARD", "VERSION:3.0", "FN:María José Ruiz", "END:VCARD"))

    assert (record.given_names, record.family_name) == ("María José", "Ruiz")


def test_folded_lines_are_unfolded():
    record = one_card(
        lines(
            "BEGIN:VCARD",
            "VERSION:3.0",
            "N:Soto;Beatriz;;;",
            "FN:Beatriz Soto",
            "EMAIL;TYPE=INTERNET;TYPE=WORK:beatriz.soto.villanueva@secretaria-de-segurid",
            " ad.example",
            "NOTE:Una nota larga que el programa partió en dos líneas porque pasaba de seten",
            "\tta y cinco octetos.",
            "END:VCARD",
        )
    )

    assert record.emails == (Email("beatriz.soto.villanueva@secretaria-de-seguridad.example"),)
    assert record.notes == (
        "Una nota larga que el programa partió en dos líneas porque pasaba de setenta y cinco "
        "octetos."
    )


def test_every_card_of_a_file_is_read_in_order():
    records = read_vcards((GOOGLE_3_0 + APPLE_3_0 + VCARD_4_0).encode())

    assert [r.family_name for r in records] == ["Ibarra", "Núñez Peña", "Ruiz"]


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_the_apps_own_cards_read_back_as_written(version):
    written = ContactRecord(
        uid="0b7e2c1a-93b4-4c1e-8d5f-2a6b7c8d9e0f",
        honorific="Dra.",
        given_names="Inés",
        family_name="Peña",
        emails=(Email("ines.pena@sre.example", "work"), Email("ines@casa.example", "personal")),
        phones=(Phone("+16195550100", "work", "204"), Phone("+526641234567", "mobile")),
        organization="Secretaría de Relaciones Exteriores",
        title="Directora",
        department="Asuntos Jurídicos; Tratados",
        work_address=Address("Plaza Juárez 20", "Ciudad de México", "MX-CMX", "06010", "MX"),
        tags=("Extradición", "Trata, de personas"),
        notes="Dos líneas:\nla segunda; con signos, y \\ barra",
    )

    (read,) = read_vcards(b"".join(vcard_chunks([written], version)))

    assert read.uid == written.uid
    assert (read.honorific, read.given_names, read.family_name) == ("Dra.", "Inés", "Peña")
    assert read.emails == written.emails
    assert read.phones == written.phones
    assert (read.organization, read.title) == (written.organization, written.title)
    assert read.department == written.department
    assert read.work_address == Address("Plaza Juárez 20", "Ciudad de México", "CMX", "06010", "MX")
    assert read.tags == written.tags
    assert read.notes == written.notes


# --- vCard: bad files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Name,E-mail\r\nAna,ana@example.org\r\n",
        lines("BEGIN:VCALENDAR", "VERSION:2.0", "END:VCALENDAR").encode(),
        b"BEGIN:VCARD\x00\x00\x00",
    ],
    ids=["empty", "csv", "calendar", "binary"],
)
def test_a_file_that_is_not_a_vcard_says_so(data):
    assert card_error(data).reason == vcard.NOT_VCARD


def test_a_calendar_wrapping_a_card_is_not_a_vcard():
    data = lines("BEGIN:VCALENDAR", "BEGIN:VCARD", "FN:Ana", "END:VCARD", "END:VCALENDAR")

    error = card_error(data.encode())

    assert (error.reason, error.card) == (vcard.NOT_VCARD, 1)


@pytest.mark.parametrize(
    "damaged",
    [
        ["BEGIN:VCARD", "VERSION:3.0", "this line has no colon", "FN:Beto Dos", "END:VCARD"],
        ["BEGIN:VCARD", "VERSION:3.0", "FN:Beto Dos"],
        ["BEGIN:VCARD", "VERSION:3.0", "FN:Beto Dos", "END:VCALENDAR"],
    ],
    ids=["line-without-colon", "never-closed", "closed-as-something-else"],
)
def test_a_damaged_card_is_named_by_its_number(damaged):
    good = lines("BEGIN:VCARD", "VERSION:3.0", "N:Uno;Ana;;;", "FN:Ana Uno", "END:VCARD")

    error = card_error((good + lines(*damaged)).encode())

    assert (error.reason, error.card) == (vcard.MALFORMED, 2)


def test_a_vcard_file_over_the_size_limit_is_too_large():
    data = GOOGLE_3_0.encode()
    data += b" " * (vcard.MAX_VCARD_BYTES + 1 - len(data))

    assert card_error(data).reason == vcard.TOO_LARGE


def test_more_cards_than_the_limit_are_too_many(monkeypatch):
    monkeypatch.setattr(vcard, "MAX_CARDS", 2)

    assert len(read_vcards((GOOGLE_3_0 + APPLE_3_0).encode())) == 2
    assert card_error((GOOGLE_3_0 + APPLE_3_0 + VCARD_4_0).encode()).reason == vcard.TOO_MANY
