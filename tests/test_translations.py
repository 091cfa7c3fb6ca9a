"""The catalogs: every marked string of the templates and the code is in the catalog template
and translated into Spanish (not fuzzy, every plural form), and no translation can break its
placeholders at run time."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

# The keywords `make messages` extracts with: Babel's defaults plus the lazy markers.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def message_key(message: Message) -> str | tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, list | tuple) else message.id


def keys(messages: Iterable[Message]) -> set[str | tuple[str, ...]]:
    return {message_key(m) for m in messages if m.id}


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def not_hidden(path: str) -> bool:
    """Walk every folder but hidden ones, as `make messages` does (``--ignore-dirs '.*'``):
    Babel's own default also skips folders starting with "_", such as templates/_macros."""
    return not Path(path).name.startswith(".")


@pytest.fixture(scope="module")
def extracted() -> set[str | tuple[str, ...]]:
    """Every marked string in the sources now, read as `make messages` reads them."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=not_hidden
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


@pytest.fixture(scope="module")
def template_catalog() -> Catalog:
    return read_catalog(ROOT / "crm/translations/messages.pot")


@pytest.fixture(scope="module")
def spanish() -> Catalog:
    return read_catalog(ROOT / "crm/translations/es/LC_MESSAGES/messages.po")


def test_the_catalog_template_holds_exactly_the_marked_strings(extracted, template_catalog):
    missing = extracted - keys(template_catalog)
    stale = keys(template_catalog) - extracted
    assert not missing, f"not in messages.pot (run `make messages`): {sorted(map(str, missing))}"
    assert not stale, f"no longer in the sources (run `make messages`): {sorted(map(str, stale))}"


def test_the_spanish_catalog_has_every_message_of_the_template(template_catalog, spanish):
    assert keys(spanish) == keys(template_catalog)


def test_every_spanish_message_is_translated_and_not_fuzzy(spanish):
    untranslated = [
        message_key(m)
        for m in spanish
        if m.id
        and (
            m.fuzzy
            or not (m.string if isinstance(m.string, str) else all(m.string))
            or (m.pluralizable and len(m.string) < spanish.num_plurals)
        )
    ]
    assert not untranslated, f"translate these in es/messages.po: {untranslated}"


def placeholders(text: str) -> set[str]:
    return {p for p in PLACEHOLDER.findall(text) if p != "%%"}


def test_translations_keep_the_placeholders_of_their_message(spanish):
    broken = []
    for m in spanish:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        expected = set().union(*(placeholders(i) for i in ids))
        for string in strings:
            # A singular may leave out the count ("Una persona"), never add or rename one.
            if not placeholders(string) <= expected or (
                placeholders(ids[-1]) - {"%(num)d", "%(num)s"} - placeholders(string)
            ):
                broken.append((m.id, string))
    assert not broken
    assert not [errors for _message, errors in spanish.check() if errors]
