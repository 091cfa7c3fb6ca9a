"""Normalisation of names, codes, e-mail addresses and phone numbers (pure functions, no DB)."""

import pytest

from crm.services.normalize import (
    clean,
    fold,
    format_phone,
    is_country,
    is_subdivision_of,
    normalize_email,
    normalize_phone,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("José  Ángel Núñez", "jose angel nunez"),
        ("  Consulado General de MÉXICO ", "consulado general de mexico"),
        ("Ñuu Savi", "nuu savi"),
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_fold_ignores_case_accents_and_extra_spaces(text, folded):
    assert fold(text) == folded


def test_fold_makes_accented_and_plain_spellings_equal():
    assert fold("Núñez Peña") == fold("NUNEZ  pena")


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("  José   Núñez \t", "José Núñez"),
        ("Jose\u0301", "José"),  # decomposed accent is stored composed (NFC)
        (None, ""),
        ("   ", ""),
    ],
)
def test_clean_trims_and_collapses_spaces_but_keeps_characters(text, cleaned):
    assert clean(text) == cleaned


@pytest.mark.parametrize(("code", "valid"), [("US", True), ("MX", True), ("XX", False)])
def test_is_country(code, valid):
    assert is_country(code) is valid


@pytest.mark.parametrize(
    ("code", "country", "valid"),
    [
        ("US-CA", "US", True),
        ("MX-BCN", "MX", True),
        ("US-CA", "MX", False),
        ("MX-BCN", "US", False),
        ("US-ZZ", "US", False),
        ("XX-YY", "XX", False),
    ],
)
def test_is_subdivision_of(code, country, valid):
    assert is_subdivision_of(code, country) is valid


def test_normalize_email_trims_and_lowercases_the_domain():
    assert normalize_email("  jose.nunez@SRE.GOB.MX ") == "jose.nunez@sre.gob.mx"


@pytest.mark.parametrize("address", ["", "not-an-email", "two@@signs.example", "nodot@localhost"])
def test_normalize_email_refuses_invalid_addresses(address):
    with pytest.raises(ValueError):
        normalize_email(address)


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("(619) 555-0100", "US", "+16195550100"),
        ("619.555.0100", "US", "+16195550100"),
        ("+52 664 123 4567", "US", "+526641234567"),
        ("664 123 4567", "MX", "+526641234567"),
        ("+1 916 445 9555", "MX", "+19164459555"),
    ],
)
def test_normalize_phone_gives_e164(raw, region, e164):
    assert normalize_phone(raw, region) == e164


@pytest.mark.parametrize("raw", ["call me", "12345", "555-0100", "+52 1"])
def test_normalize_phone_refuses_garbage_and_incomplete_numbers(raw):
    with pytest.raises(ValueError):
        normalize_phone(raw, "US")


def test_normalize_phone_is_idempotent():
    e164 = normalize_phone("(619) 555-0100", "US")
    assert normalize_phone(e164, "MX") == e164


@pytest.mark.parametrize(
    ("e164", "viewer_region", "shown"),
    [
        ("+16195550100", "US", "(619) 555-0100"),
        ("+16195550100", "MX", "+1 619-555-0100"),
        ("+526641234567", "MX", "664 123 4567"),
        ("+526641234567", "US", "+52 664 123 4567"),
        ("", "US", ""),
        ("not a number", "US", "not a number"),
    ],
)
def test_format_phone_is_national_at_home_and_international_abroad(e164, viewer_region, shown):
    assert format_phone(e164, viewer_region) == shown
