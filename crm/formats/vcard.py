"""vCard 3.0 (RFC 2426, the most widely accepted) and 4.0 (RFC 6350) for contact lists.

Written by hand: the format is small, and no library writes both versions with the escaping,
folding and type parameters every address book accepts. Files are read with vobject, which
also reads the cards other programs write (2.1, 3.0 and 4.0).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import Any

import vobject

from crm.formats import FormatError
from crm.formats.records import Address, ContactRecord, Email, Phone

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


# --- Reading ---------------------------------------------------------------------------

MAX_VCARD_BYTES = 20 * 1024 * 1024
MAX_CARDS = 100_000


class CardError(FormatError):
    """The file cannot be read as vCards; ``card`` is the one that failed (1-based)."""

    def __init__(self, reason: str, card: int = 0) -> None:
        super().__init__(reason)
        self.card = card


TOO_LARGE = "too_large"
NOT_VCARD = "not_vcard"
MALFORMED = "malformed"
TOO_MANY = "too_many"
_PHONE_KINDS = {"cell": "mobile", "fax": "fax", "home": "home", "work": "work"}


def _types(prop: Any) -> set[str]:
    """TYPE=work,voice (3.0, 4.0) and the bare ;WORK;VOICE of vCard 2.1 (as Outlook writes)."""
    found: set[str] = set()
    for value in prop.params.get("TYPE", []):
        found.update(part.strip().lower() for part in value.split(","))
    found.update(str(value).strip().lower() for value in getattr(prop, "singletonparams", []))
    return found


def _text(card: Any, name: str) -> str:
    prop = card.contents.get(name)
    return str(prop[0].value).strip() if prop else ""


def _card_record(card: Any) -> ContactRecord:
    name = card.contents.get("n")
    family = given = prefix = ""
    if name:
        value = name[0].value
        family = " ".join(value.family) if isinstance(value.family, list) else value.family
        given = " ".join(value.given) if isinstance(value.given, list) else value.given
        prefix = " ".join(value.prefix) if isinstance(value.prefix, list) else value.prefix
    if not (family or given):
        formatted = _text(card, "fn").split()
        given, family = (
            (" ".join(formatted[:-1]), formatted[-1])
            if len(formatted) > 1
            else (
                "",
                " ".join(formatted),
            )
        )
    emails = []
    for prop in card.contents.get("email", []):
        types = _types(prop)
        kind = "work" if "work" in types else "personal" if "home" in types else "other"
        if "work" not in types and "home" not in types and "internet" in types and not emails:
            kind = "work"
        emails.append(Email(str(prop.value).strip(), kind))
    phones = []
    for prop in card.contents.get("tel", []):
        types = _types(prop)
        kind = next((k for t, k in _PHONE_KINDS.items() if t in types), "other")
        raw = str(prop.value).strip().removeprefix("tel:")
        number, _, extension = raw.partition(";ext=")
        if not extension and " ext. " in number:
            number, _, extension = number.partition(" ext. ")
        phones.append(Phone(number.strip(), kind, extension.strip()))
    organization = department = ""
    if card.contents.get("org"):
        parts = card.contents["org"][0].value
        parts = parts if isinstance(parts, list) else [parts]
        organization = parts[0] if parts else ""
        department = "; ".join(p for p in parts[1:] if p)
    address = Address()
    for prop in card.contents.get("adr", []):
        value = prop.value
        address = Address(
            street=_joined(value.street),
            city=_joined(value.city),
            region=_joined(value.region),
            postal_code=_joined(value.code),
            country=_joined(value.country),
        )
        if "work" in _types(prop):
            break
    tags: list[str] = []
    for prop in card.contents.get("categories", []):
        values = prop.value if isinstance(prop.value, list) else [prop.value]
        tags.extend(str(v).strip() for v in values if str(v).strip())
    uid = _text(card, "uid").removeprefix("urn:uuid:")
    return ContactRecord(
        uid=uid,
        given_names=given.strip(),
        family_name=family.strip(),
        honorific=prefix.strip(),
        preferred_language=_text(card, "lang")[:2].lower() or "en",
        emails=tuple(emails),
        phones=tuple(phones),
        organization=organization.strip(),
        title=_text(card, "title"),
        department=department.strip(),
        work_address=address,
        tags=tuple(tags),
        notes=_text(card, "note"),
    )


def _joined(value: Any) -> str:
    return " ".join(value).strip() if isinstance(value, list) else str(value or "").strip()


def read_vcards(data: bytes) -> list[ContactRecord]:
    """Every card in a .vcf file (vCard 2.1, 3.0 or 4.0), read with vobject."""
    if len(data) > MAX_VCARD_BYTES:
        raise CardError(TOO_LARGE)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text or "BEGIN:VCARD" not in text.upper():
        raise CardError(NOT_VCARD)
    records: list[ContactRecord] = []
    components = vobject.readComponents(text, ignoreUnreadable=False)
    while True:
        number = len(records) + 1
        try:
            card = next(components)
        except StopIteration:
            break
        except Exception as error:  # vobject raises several unrelated types on bad input
            raise CardError(MALFORMED, number) from error
        if card.name.upper() != "VCARD":
            raise CardError(NOT_VCARD, number)
        if number > MAX_CARDS:
            raise CardError(TOO_MANY)
        try:
            records.append(_card_record(card))
        except (AttributeError, TypeError, ValueError, IndexError) as error:
            raise CardError(MALFORMED, number) from error
    if not records:
        raise CardError(NOT_VCARD)
    return records
