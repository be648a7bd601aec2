"""libphonenumber's `is_valid_number`, on its own metadata, with one pattern per number length.

`phonenumbers.is_valid_number` tests a number against each of a region's number types in
turn (premium, toll free, ..., fixed line, mobile), each a separate regular expression
behind a Python-level cache lookup, and for a country code shared by several regions (+44:
GB, GG, IM, JE; +1: 25 regions) it does so region by region first: about 20 pattern tests a
number, half the cost of reading a phone number. Here each region's type patterns are
joined once into one alternation per number length (a type whose lengths exclude the
number's never matches it, as in libphonenumber), so a number costs two or three pattern
tests. The answer is libphonenumber's for every number: the same metadata, the same
order of regions, the same rules; `tests/companion/test_dense_contact_posts.py` compares the
two on thousands of numbers of every country code.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

_NON_GEO = phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY
_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
          "voicemail", "fixed_line")


def is_valid_number(number: phonenumbers.PhoneNumber) -> bool:
    """What `phonenumbers.is_valid_number(number)` answers, in fewer pattern tests."""
    return is_valid(number.country_code, phonenumbers.national_significant_number(number))


def is_valid(country_code: int, nsn: str) -> bool:
    """Whether the national significant number `nsn` is valid under `country_code`."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions:
        return False
    region = regions[0] if len(regions) == 1 else _region_from_list(nsn, regions)
    if region is None:
        return False
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region.upper())
    if metadata is None or (region != _NON_GEO
                            and country_code != phonenumbers.country_code_for_valid_region(region)):
        return False
    return _has_a_type(nsn, metadata)


def prepare(regions: tuple[str, ...]) -> None:
    """Build the regions' patterns now, at start-up, instead of at their first number."""
    for region in regions:
        metadata = PhoneMetadata.metadata_for_region(region, None)
        if metadata is not None:
            _patterns(metadata)


def _region_from_list(nsn: str, regions: tuple[str, ...]) -> str | None:
    """libphonenumber's `_region_code_for_number_from_list`: leading digits, else a type."""
    for region in regions:
        metadata = PhoneMetadata.metadata_for_region(region.upper(), None)
        if metadata is None:
            continue
        if metadata.leading_digits is not None:
            if _compiled(metadata.leading_digits).match(nsn):
                return region
        elif _has_a_type(nsn, metadata):
            return region
    return None


def _has_a_type(nsn: str, metadata) -> bool:
    """`_number_type_helper(nsn, metadata) != UNKNOWN`: the general pattern and one type's."""
    general, by_length = _patterns(metadata)
    if general is None or not general.fullmatch(nsn):
        return False
    pattern = by_length.get(len(nsn), by_length.get(None))
    return pattern is not None and pattern.fullmatch(nsn) is not None


def _patterns(metadata):
    """(general pattern, {length: alternation of the types that allow that length}), built
    once per region: libphonenumber keeps one metadata object per region for the process."""
    found = _BUILT.get(id(metadata))
    if found is None or found[0] is not metadata:
        found = _BUILT[id(metadata)] = (metadata, *_build(metadata))
    return found[1], found[2]


_BUILT: dict[int, tuple] = {}


def _build(metadata):
    general_desc = metadata.general_desc
    general = None
    if general_desc is not None and general_desc.national_number_pattern:
        general = _with_lengths(general_desc)
    descs = type_descs(metadata)
    lengths = {n for d in descs for n in d.possible_length}
    by_length = {}
    for length in list(lengths) + [None]:
        allowed = [d.national_number_pattern for d in descs
                   if not d.possible_length or (length is not None and length in d.possible_length)]
        if allowed:
            by_length[length] = re.compile("|".join(f"(?:{p})" for p in allowed))
    return general, by_length


def type_descs(metadata) -> list:
    """The region's number types that have a pattern, as libphonenumber tests them."""
    descs = [getattr(metadata, name) for name in _TYPES]
    if not metadata.same_mobile_and_fixed_line_pattern:
        descs.append(metadata.mobile)
    return [d for d in descs if d is not None and d.national_number_pattern]


def _with_lengths(desc):
    """The general pattern; its possible lengths, when it has any, must hold too."""
    pattern = re.compile(desc.national_number_pattern)
    if not desc.possible_length:
        return pattern
    lengths = frozenset(desc.possible_length)
    return _LengthChecked(pattern, lengths)


class _LengthChecked:
    """A pattern whose `fullmatch` first checks the number's length, as libphonenumber does."""

    def __init__(self, pattern: re.Pattern, lengths: frozenset[int]):
        self._pattern, self._lengths = pattern, lengths

    def fullmatch(self, nsn: str):
        return len(nsn) in self._lengths and self._pattern.fullmatch(nsn)


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)
