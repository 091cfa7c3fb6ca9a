"""vCard 3.0 (RFC 2426, the most widely accepted) and 4.0 (RFC 6350) for contact lists.

Written by hand: the format is small, and no library writes both versions with the escaping,
folding and type parameters every address book accepts. Files are read back in the tests
with vobject, an independent parser.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC

from crm.formats.records import Address, ContactRecord

VERSIONS = ("3.0", "4.0")
_EMAIL_TYPES = {"work": "WORK", "personal": "HOME"}
_PHONE_TYPES = {
    "work": ("WORK", "VOICE"),
    "mobile": ("CELL", "VOICE"),
    "home": ("HOME", "VOICE"),
    "fax": ("WORK", "FAX"),
}


def escape(value: str) -> str:
    """A text value: backslash, comma, semicolon and line breaks escaped (RFC 6350 3.4)."""
    return (
        value.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character; CRLF ends."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        # Continuation lines start with a space, which counts towards their 75 octets.
        limit = 75 if not out else 74
        if size + width > limit:
            out.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    out.append("".join(current))
    return "\r\n ".join(out) + "\r\n"


def _structured(*parts: str) -> str:
    return ";".join(escape(p) for p in parts)


def _address(address: Address) -> str:
    region = address.region.partition("-")[2] or address.region
    # PO box; extended; street; locality; region; postal code; country
    return _structured(
        "", "", address.street, address.city, region, address.postal_code, address.country
    )


def _lines(record: ContactRecord, version: str) -> Iterator[str]:
    v4 = version == "4.0"
    yield "BEGIN:VCARD"
    yield f"VERSION:{version}"
    yield "PRODID:-//Liaison CRM//Liaison CRM//EN"
    yield f"UID:urn:uuid:{record.uid}" if v4 else f"UID:{record.uid}"
    yield "N:" + _structured(record.family_names, record.given_names, "", record.honorific, "")
    yield "FN:" + escape(record.display_name)
    if record.organization:
        yield "ORG:" + _structured(
            record.organization, *([record.department] if record.department else [])
        )
    if record.title:
        yield "TITLE:" + escape(record.title)
    for position, email in enumerate(record.emails, start=1):
        kind = _EMAIL_TYPES.get(email.kind)
        if v4:
            params = f";TYPE={kind.lower()}" if kind else ""
            params += f";PREF={position}" if position == 1 else ""
        else:
            types = ["INTERNET", *([kind] if kind else []), *(["PREF"] if position == 1 else [])]
            params = ";TYPE=" + ",".join(types)
        yield f"EMAIL{params}:{escape(email.address)}"
    for position, phone in enumerate(record.phones, start=1):
        types = _PHONE_TYPES.get(phone.kind, ("VOICE",))
        if v4:
            uri = f"tel:{phone.number}" + (f";ext={phone.extension}" if phone.extension else "")
            pref = ";PREF=1" if position == 1 else ""
            yield f'TEL;VALUE=uri;TYPE="{",".join(t.lower() for t in types)}"{pref}:{uri}'
        else:
            number = phone.number + (f" ext. {phone.extension}" if phone.extension else "")
            types = (*types, "PREF") if position == 1 else types
            yield f"TEL;TYPE={','.join(types)}:{escape(number)}"
    if record.work_address:
        yield ("ADR;TYPE=work:" if v4 else "ADR;TYPE=WORK:") + _address(record.work_address)
    if v4 and record.preferred_language:
        yield f"LANG;PREF=1:{record.preferred_language}"
    if record.notes:
        yield "NOTE:" + escape(record.notes)
    if record.tags:
        yield "CATEGORIES:" + ",".join(escape(t) for t in record.tags)
    if record.updated_at is not None:
        stamp = record.updated_at.astimezone(UTC)
        yield "REV:" + (
            stamp.strftime("%Y%m%dT%H%M%SZ") if v4 else stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        )
    yield "END:VCARD"


def vcard_chunks(records: Iterable[ContactRecord], version: str = "3.0") -> Iterator[bytes]:
    """One file with every contact, a card at a time (UTF-8, CRLF, folded)."""
    if version not in VERSIONS:
        raise ValueError(f"vCard version {version!r} is not supported")
    for record in records:
        yield "".join(fold(line) for line in _lines(record, version)).encode("utf-8")
