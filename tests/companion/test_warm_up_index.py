"""The warm-up after a start builds the clients' OCR-tolerant index in batches with pauses between
them (so a check that comes with the start goes first): the index it builds is the one a photo's
first check would have built at once, and photos find the same clients with it."""

from __future__ import annotations

from test_start_cache import _write_clients

from companion.detection.normalize import normalize_with_map
from companion.detection.org_matchers import ClientMatchers
from companion.org import read_clients


def test_the_paused_index_is_the_index_and_finds_a_misread_client(tmp_path):
    path = tmp_path / "clients.csv"
    names = _write_clients(path, 3000)
    clients = read_clients(path)
    at_once, paused = ClientMatchers.build(clients).terms, ClientMatchers.build(clients).terms
    assert paused.fuzzy_index(pause_every=250) == at_once.fuzzy_index()
    name = names[1234]
    misread = name[:3] + ("l" if name[3] != "l" else "i") + name[4:]  # one letter as OCR misreads it
    norm = normalize_with_map(f"Invoice to {misread}, due in 30 days")
    assert name in {m.entry.label for m in paused.find_fuzzy(norm)}
