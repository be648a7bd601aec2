"""The start cache: a long client list's matchers and the encoder's weights are read back from the
data dir on later starts; a damaged, cut-short or stale file is rebuilt with a log line that names
it, never a failed start; a broken clients.csv is never cached."""

from __future__ import annotations

import logging
import random
import shutil
import string
from pathlib import Path

import numpy as np
import pytest

from companion.config import EXAMPLE_ORG_DIR, Settings
from companion.detection import client_cache
from companion.detection.client_cache import load_client_matchers
from companion.detection.normalize import normalize_with_map
from companion.detection.org_matchers import OrgMatchers
from companion.errors import ConfigError
from companion.runtime import build_engine

HEADER = "name,aliases,contacts\n"


def _write_clients(path: Path, count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    word = lambda: "".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 9))).title()
    names = [f"{word()} {word()} {rng.choice(['GmbH', 'Ltd', 'S.r.l.', 'AB'])}" for _ in range(count)]
    rows = [f"{name},{name.split()[0]} Group,sales@{name.split()[0].lower()}.example;+49 40 {3000_0000 + i}"
            for i, name in enumerate(names)]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return names


def _found(matchers, text: str) -> list[str]:
    """The client labels the matchers find in `text` (names, aliases, e-mails and phones)."""
    return sorted({m.entry.label for m in matchers.find_clients(normalize_with_map(text), text, False)})


def _cache_files(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("clients-*.pickle"))


@pytest.fixture
def clients_csv(tmp_path) -> tuple[Path, list[str]]:
    path = tmp_path / "org" / "clients.csv"
    path.parent.mkdir()
    return path, _write_clients(path, 300)


def test_a_second_start_reads_the_matchers_it_built_and_finds_the_same_clients(clients_csv, tmp_path, caplog):
    path, names = clients_csv
    cache_dir = tmp_path / "cache"
    caplog.set_level(logging.INFO, logger="postguard")
    built = load_client_matchers(path, cache_dir, min_bytes=0)
    [file] = _cache_files(cache_dir)
    assert f"kept in {file}" in caplog.text
    caplog.clear()
    read = load_client_matchers(path, cache_dir, min_bytes=0)
    assert f"read from {file}" in caplog.text
    post = f"Dinner with {names[7]} and the {names[200].split()[0]} Group team; call +49 40 30000042"
    expected = sorted({names[7], names[200], names[42]})
    for matchers in (built, read):
        org = OrgMatchers.build(_example_org_without_clients(), clients=matchers)
        assert _found(org, post) == expected
    assert read.phone_regions == built.phone_regions == ("DE",)


def _example_org_without_clients():
    from companion.org import load_org

    return load_org(EXAMPLE_ORG_DIR, with_clients=False)


@pytest.mark.parametrize("damage", ["flip a byte", "cut short", "empty", "another file"])
def test_a_damaged_cache_file_is_named_in_the_log_and_built_again(clients_csv, tmp_path, caplog, damage):
    path, names = clients_csv
    cache_dir = tmp_path / "cache"
    load_client_matchers(path, cache_dir, min_bytes=0)
    [file] = _cache_files(cache_dir)
    data = bytearray(file.read_bytes())
    if damage == "flip a byte":
        data[len(data) // 2] ^= 0xFF
    elif damage == "cut short":
        data = data[: len(data) // 3]
    elif damage == "empty":
        data = bytearray()
    else:
        data = bytearray(b"PK\x03\x04 something else entirely")
    file.write_bytes(bytes(data))
    caplog.set_level(logging.INFO, logger="postguard")
    matchers = load_client_matchers(path, cache_dir, min_bytes=0)
    assert f"{file} is unusable" in caplog.text
    org = OrgMatchers.build(_example_org_without_clients(), clients=matchers)
    assert _found(org, f"Shipped to {names[11]} today") == [names[11]]
    assert _cache_files(cache_dir) == [file] and file.read_bytes() != bytes(data)  # written anew
    caplog.clear()
    load_client_matchers(path, cache_dir, min_bytes=0)
    assert f"read from {file}" in caplog.text


def test_a_changed_list_finds_no_stale_matchers(clients_csv, tmp_path):
    """Another list is another key: the old file is replaced, a removed client is no longer found."""
    path, names = clients_csv
    cache_dir = tmp_path / "cache"
    load_client_matchers(path, cache_dir, min_bytes=0)
    [old] = _cache_files(cache_dir)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:1] + lines[2:]) + "Brand New Client Oy,,\n", encoding="utf-8")  # names[0] out
    matchers = load_client_matchers(path, cache_dir, min_bytes=0)
    org = OrgMatchers.build(_example_org_without_clients(), clients=matchers)
    assert _found(org, f"Met {names[0]} and Brand New Client Oy") == ["Brand New Client Oy"]
    [new] = _cache_files(cache_dir)
    assert new != old and not old.exists()


def test_changed_building_code_finds_no_stale_matchers(clients_csv, tmp_path, monkeypatch):
    """The key holds the code that builds the matchers: a companion update builds them again."""
    path, _names = clients_csv
    cache_dir = tmp_path / "cache"
    load_client_matchers(path, cache_dir, min_bytes=0)
    [before] = _cache_files(cache_dir)
    real_key = client_cache._code_key
    monkeypatch.setattr(client_cache, "_code_key", lambda: real_key() + b"# one more line\n")
    load_client_matchers(path, cache_dir, min_bytes=0)
    [after] = _cache_files(cache_dir)
    assert after != before


def test_a_broken_client_list_is_reported_and_never_cached(tmp_path):
    path = tmp_path / "clients.csv"
    _write_clients(path, 50)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(",no name here,\n")
    cache_dir = tmp_path / "cache"
    with pytest.raises(ConfigError) as raised:
        load_client_matchers(path, cache_dir, min_bytes=0)
    assert raised.value.path == str(path) and raised.value.line == 52 and raised.value.field == "name"
    assert not cache_dir.exists() or not any(cache_dir.iterdir())
    with pytest.raises(ConfigError):  # the next start says it again
        load_client_matchers(path, cache_dir, min_bytes=0)


def test_a_cache_dir_that_cannot_be_written_does_not_stop_the_start(clients_csv, tmp_path, caplog):
    path, names = clients_csv
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache dir should be", encoding="utf-8")
    caplog.set_level(logging.INFO, logger="postguard")
    matchers = load_client_matchers(path, blocked / "cache", min_bytes=0)
    assert "cannot write" in caplog.text and str(blocked / "cache") in caplog.text
    org = OrgMatchers.build(_example_org_without_clients(), clients=matchers)
    assert _found(org, f"Order from {names[5]}") == [names[5]]


def test_a_short_list_is_built_without_a_cache_file(tmp_path):
    cache_dir = tmp_path / "cache"
    load_client_matchers(EXAMPLE_ORG_DIR / "clients.csv", cache_dir)
    assert not cache_dir.exists()


def test_the_engine_of_a_long_list_finds_its_clients_from_the_cache(tmp_path, detection_engine, caplog):
    """What a start does: build_engine with the start cache, twice, over a list past MIN_BYTES."""
    org_dir = tmp_path / "org"
    shutil.copytree(EXAMPLE_ORG_DIR, org_dir)
    names = _write_clients(org_dir / "clients.csv", 6000)
    assert (org_dir / "clients.csv").stat().st_size >= client_cache.MIN_BYTES
    cache_dir = tmp_path / "data" / "cache"
    caplog.set_level(logging.INFO, logger="postguard")
    settings = Settings(org_dir=org_dir, data_dir=tmp_path / "data")
    for _start in range(2):
        engine = build_engine(settings, analyzer=detection_engine.analyzer, cache_dir=cache_dir)
        result = engine.check(f"Great to sign the framework deal with {names[4321]} this week!")
        assert [f.rule for f in result.findings if f.rule == "client.named"] == ["client.named"]
    assert "read from" in caplog.text and str(cache_dir) in caplog.text


def test_the_encoder_reads_its_weights_from_a_stored_copy_and_survives_a_damaged_one(tmp_path, caplog):
    from companion.detection import semantic_model
    from companion.detection.semantic_model import SentenceEncoder

    sentences = ["Those people are all the same.", "祝大家斋月快乐", "Election week, expect slower replies."]
    expected = SentenceEncoder().encode(sentences)
    cache_dir = tmp_path / "cache"
    SentenceEncoder(cache_dir)
    semantic_model._copying.join()
    [copy] = sorted(cache_dir.glob("encoder-*.npz"))
    assert np.array_equal(SentenceEncoder(cache_dir).encode(sentences), expected)
    copy.write_bytes(copy.read_bytes()[: copy.stat().st_size // 2])
    caplog.set_level(logging.INFO, logger="postguard")
    encoder = SentenceEncoder(cache_dir)
    semantic_model._copying.join()
    assert f"{copy} is unusable" in caplog.text
    assert np.array_equal(encoder.encode(sentences), expected)
    assert copy.stat().st_size > 70_000_000  # written whole again


def test_compiled_patterns_are_read_back_and_match_as_compiled(tmp_path, caplog):
    """What an earlier start compiled with `regex` (Presidio's patterns) is put back in regex's cache:
    the next compile of the same pattern is that object, and it finds what a fresh compile finds."""
    import regex

    from companion.detection import pattern_cache
    from presidio_analyzer.predefined_recognizers import UrlRecognizer

    source = UrlRecognizer.PATTERNS[0].regex
    text = "see https://lumen-hardware.example.com/quote?id=42 or www.example.org today"
    expected = [m.span() for m in regex.finditer(source, text)]
    cache_dir = tmp_path / "cache"
    preloaded_before = pattern_cache._preloaded
    try:
        regex.compile(source)
        pattern_cache._preloaded = 0
        pattern_cache.keep(cache_dir)
        [file] = sorted(cache_dir.glob("regex-*.pickle"))
        regex.purge()
        assert pattern_cache.preload(cache_dir) > 0
        assert any(key[0] == source for key in regex._main._cache)  # there before anything compiles it
        preloaded = regex.compile(source)
        assert [m.span() for m in preloaded.finditer(text)] == expected
        regex.purge()
        file.write_bytes(file.read_bytes()[:-100])  # cut short
        caplog.set_level(logging.INFO, logger="postguard")
        assert pattern_cache.preload(cache_dir) == 0
        assert f"{file} is unusable" in caplog.text and not file.exists()
        assert [m.span() for m in regex.compile(source).finditer(text)] == expected
    finally:
        pattern_cache._preloaded = preloaded_before
