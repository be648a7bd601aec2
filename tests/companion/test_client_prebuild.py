"""A long client list's first build runs in a process of its own beside the start
(companion/detection/client_prebuild.py): it writes the start cache the companion then reads, it
is not started when the cache already holds the list, and a broken list leaves no file, so the
companion's own build reports the error with its file, line and field."""

from __future__ import annotations

import logging

import pytest
from test_start_cache import _example_org_without_clients, _found, _write_clients

from companion.detection import client_cache, client_prebuild
from companion.detection.client_cache import cached_path, load_client_matchers
from companion.detection.org_matchers import OrgMatchers
from companion.errors import ConfigError


@pytest.fixture
def long_list(tmp_path):
    path = tmp_path / "org" / "clients.csv"
    path.parent.mkdir()
    names = _write_clients(path, 6000)
    assert path.stat().st_size >= client_cache.MIN_BYTES
    return path, names


def test_the_list_is_built_beside_the_start_and_read_from_its_file(long_list, tmp_path, caplog):
    path, names = long_list
    cache_dir = tmp_path / "cache"
    assert client_prebuild.start(path, cache_dir)
    caplog.set_level(logging.INFO, logger="postguard")
    matchers = load_client_matchers(path, cache_dir)  # waits for the other process, reads its file
    assert "built by a process of its own" in caplog.text
    assert f"matchers read from {cached_path(path, cache_dir)}" in caplog.text
    org = OrgMatchers.build(_example_org_without_clients(), clients=matchers)
    assert _found(org, f"Shipped to {names[4321]} today") == [names[4321]]
    assert not client_prebuild.start(path, cache_dir), "built again although the cache holds it"


def test_a_broken_list_leaves_no_file_and_the_start_names_the_error(long_list, tmp_path):
    path, _names = long_list
    with path.open("a", encoding="utf-8") as handle:
        handle.write(",no name here,\n")
    cache_dir = tmp_path / "cache"
    assert client_prebuild.start(path, cache_dir)
    with pytest.raises(ConfigError) as raised:
        load_client_matchers(path, cache_dir)
    assert raised.value.path == str(path) and raised.value.field == "name" and raised.value.line == 6002
    assert not list(cache_dir.glob("clients-*"))


def test_a_short_list_starts_no_process(tmp_path):
    from companion.config import EXAMPLE_ORG_DIR

    assert not client_prebuild.start(EXAMPLE_ORG_DIR / "clients.csv", tmp_path / "cache")
