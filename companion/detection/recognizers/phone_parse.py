"""libphonenumber's `parse`, for the phone-shaped runs the phone recognizer finds.

A post that is a contact list holds thousands of numbers, and `phonenumbers.parse` was
about half the cost of reading each: it looks for RFC 3966 parameters, extensions ("ext.
12", ";ext=", "#"), letters of vanity numbers and Unicode digits of every script, and
normalises the number twice. The runs we find (`phone.candidates`) hold none of that: ASCII
digits, at most one leading "+", and the separators " ().-/". For those the parse comes
down to which country code applies and what is left of the digits once an international or
a national prefix is stripped, and this module does exactly that, in the same order and
with libphonenumber's own helpers for each step (`_extract_country_code`,
`_maybe_strip_national_prefix_carrier_code`, `_test_number_length`, on its own metadata;
`phonenumbers` is pinned, so those helpers cannot change under us). Anything else is handed
to `phonenumbers.parse` itself. `tests/companion/test_dense_contact_posts.py` compares the
two on hundreds of thousands of random runs of every shape and country code.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata
from phonenumbers.re_util import enable_pattern_cache
from phonenumbers.phonenumberutil import (
    _MAX_LENGTH_FOR_NSN,
    _MIN_LENGTH_FOR_NSN,
    ValidationResult,
    _extract_country_code,
    _match_national_number,
    _maybe_strip_national_prefix_carrier_code,
    _test_number_length,
)

# What a run may hold for the short way; anything else (a tab, a "+" inside, letters) is
# parsed by libphonenumber. "(" and ")" anywhere, as parse ignores them once it has found
# the number's first digit or "+".
# libphonenumber compiles its metadata's patterns through `re`'s own cache, which keeps 512
# patterns for the whole process: a post with numbers of many countries pushed them out and
# each check compiled hundreds again (three quarters of a check of 100,000 random digits and
# signs). Its own cache keeps them all: about 1,300 patterns, 1 MB, for every region.
enable_pattern_cache()

_PLAIN_RUN = re.compile(r"[(]*\+?[0-9 ().\-/]*")
_NOT_STRIPPED = (ValidationResult.TOO_SHORT, ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
                 ValidationResult.INVALID_LENGTH)


class Unreadable(Exception):
    """Not a number libphonenumber's parse would return (it raises NumberParseException)."""


def country_code_and_nsn(raw: str, region: str | None) -> tuple[int, str]:
    """(country calling code, national significant number) of `raw` written in `region`
    (None: with its "+"), as `phonenumbers.parse` reads it; raises `Unreadable` where
    parse raises."""
    if not _PLAIN_RUN.fullmatch(raw):
        return _by_libphonenumber(raw, region)
    plus = "+" in raw
    digits = "".join(filter(str.isdigit, raw))
    if len(digits) < 3:
        return _by_libphonenumber(raw, region)  # parse's own rule for two digits and fewer
    metadata = _metadata(region) if region is not None else None
    if region is not None and metadata is None:
        raise Unreadable  # parse: "Missing or invalid default region"
    if plus:
        return _with_country_code(digits, region, metadata, raw)
    if metadata is None:
        raise Unreadable  # no "+" and no region
    idd = _idd(metadata.international_prefix)
    after_idd = idd.match(digits) if idd is not None else None
    if after_idd is not None and digits[after_idd.end():after_idd.end() + 1] != "0":
        return _with_country_code(digits[after_idd.end():], region, metadata, raw)
    country_code = metadata.country_code
    code = str(country_code)
    if digits.startswith(code):
        # Written with the region's own country code but no "+" ("44 20 7946 0958"): taken as
        # such when the digits fit the region only without it, or are too long with it.
        rest = _maybe_strip_national_prefix_carrier_code(digits[len(code):], metadata)[1]
        general = metadata.general_desc
        if ((not _match_national_number(digits, general, False) and _match_national_number(rest, general, False))
                or _test_number_length(digits, metadata) == ValidationResult.TOO_LONG):
            return country_code, _national_part(rest, _main_metadata(country_code, region, metadata))
    return country_code, _national_part(digits, metadata)


def _with_country_code(digits: str, region: str | None, metadata, raw: str) -> tuple[int, str]:
    """The number after "+" or an international prefix: its country code, then its national part."""
    if len(digits) <= _MIN_LENGTH_FOR_NSN:
        raise Unreadable  # parse: too short after the IDD
    country_code, rest = _extract_country_code(digits)
    if country_code == 0:
        return _by_libphonenumber(raw, region)  # parse has a second try for "+" runs
    return country_code, _national_part(rest, _main_metadata(country_code, region, metadata))


def _main_metadata(country_code: int, region: str | None, metadata):
    """Once a country code is read, its national part follows the rules of the code's main
    region (GB for +44, even when the post was read as Jersey's)."""
    number_region = phonenumbers.region_code_for_country_code(country_code)
    if number_region == region:
        return metadata
    return PhoneMetadata.metadata_for_region_or_calling_code(country_code, number_region)


def _national_part(national: str, metadata) -> str:
    """The national significant number: `national` less a national prefix or carrier code,
    when what is left still has a possible length (as parse decides)."""
    if len(national) < _MIN_LENGTH_FOR_NSN:
        raise Unreadable
    stripped = _maybe_strip_national_prefix_carrier_code(national, metadata)[1]
    if _test_number_length(stripped, metadata) not in _NOT_STRIPPED:
        national = stripped
    if not _MIN_LENGTH_FOR_NSN <= len(national) <= _MAX_LENGTH_FOR_NSN:
        raise Unreadable
    return national


def _by_libphonenumber(raw: str, region: str | None) -> tuple[int, str]:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise Unreadable from None
    return number.country_code, phonenumbers.national_significant_number(number)


@lru_cache(maxsize=None)
def _metadata(region: str):
    return PhoneMetadata.metadata_for_region(region.upper(), None)


@lru_cache(maxsize=None)
def _idd(pattern: str | None):
    return re.compile(pattern) if pattern else None
