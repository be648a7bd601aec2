"""The aims of issue 7 on the public pattern set's TEST split (never used for tuning).

The set is built from upstream test data nobody here wrote (tests/data/public/patterns/
DATACARD.md). Each test asserts the figure reached when the split was first measured
after the work; where an aim was not reached the test says so and asserts the reached
figure, so a regression still fails.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_MEASURE = Path(__file__).parents[1] / "data" / "public" / "patterns" / "measure.py"
_spec = importlib.util.spec_from_file_location("public_patterns_measure", _MEASURE)
measure = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(measure)


@pytest.fixture(scope="module")
def figures(detection_engine):
    return measure.measure(detection_engine, measure.load("test"))


def test_phone_recall(figures):
    # aim 0.9; reached 1.000 on libphonenumber's example numbers and Presidio's phone cases
    assert figures["recall contact_pii from libphonenumber"] >= 0.99
    assert figures["recall contact_pii from presidio"] >= 0.99


def test_secret_recall(figures):
    # aim 0.9; reached 0.952 (20 of 21) on detect-secrets' own fixtures
    assert figures["credentials"]["recall"] >= 0.95


def test_price_recall(figures):
    # aim 0.9, reached: 0.912 (249 of 273) on price-parser's scraped prices (0.751 at first,
    # 0.824, 0.842 and 0.905 after the first three price passes; the fourth added the few
    # abbreviations CLDR does not give, грн, تومان, KD, as data). Many train/dev gains are
    # one-unit probes ("1 GEL", "1 KD") read as price tags; the misses left are single letters
    # and units of measure ("1 K", "1 KM"), names in scripts we do not read ("ლარი") and odd
    # shapes ("$..75").
    assert figures["pricing"]["recall"] >= 0.912


def test_address_recall(figures):
    # no numeric aim in the issue; reached 0.889 on OpenCage's formatting test cases
    assert figures["recall contact_pii from address-formatting"] >= 0.88


def test_false_alarms_on_clean_items(figures):
    # aim <= 3 %; reached 1.4 % (2 of 144 clean items), 1.8 % (1 of 56) on the strictly
    # clean ones (no category allowed at all)
    assert figures["clean"]["rate"] <= 0.015
    assert figures["clean_strict"]["rate"] <= 0.02


def test_precision_per_category(figures):
    # reached: contact_pii 0.961 (0.948 before amounts grouped with spaces beside a currency
    # stopped reading as phones too), credentials 1.000, pricing 0.996
    assert figures["contact_pii"]["precision"] >= 0.955
    assert figures["credentials"]["precision"] >= 0.99
    assert figures["pricing"]["precision"] >= 0.99
