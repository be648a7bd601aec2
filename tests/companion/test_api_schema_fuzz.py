"""Schemathesis against /v1/openapi.json: every check it knows passes on every operation.

The companion is built as it ships (default settings and budgets, the real engine) and
driven in-process over WSGI; every request carries the extension's Origin, so it reaches the
handlers rather than the Host/Origin guard. Schemathesis sends what the document allows
(the answer must be a 2xx that fits it) and what it forbids (the answer must be a 4xx),
tries every boundary the document names, and methods it does not list (405 with `Allow`),
and checks status codes, content types, headers, bodies and the response time. The cases
are the same on every run (tests/conftest.py's Hypothesis profile), so a run never turns red
on a fresh draw; `--hypothesis-profile=explore` draws new ones to hunt with. A failure
prints a curl command that replays it. A failure means the document and the companion
disagree: fix the one that is wrong, not this test.
"""

from __future__ import annotations

import base64
import io
import logging

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from PIL import Image
from schemathesis import GenerationMode

from companion.api.openapi import openapi_document
from companion.app import create_app
from companion.config import EXTENSION_ID, Settings

EXTENSION_ORIGIN = f"chrome-extension://{EXTENSION_ID}"
DEFAULTS = Settings()
# Per operation, positive and negative cases together; the coverage phase adds its own cases
# (each boundary and wrong type the document names). About a minute on a loaded 2-core machine.
MAX_EXAMPLES = 50
# What the companion promises: OCR stops at its budget per image and the text check at its
# own, so a check answers within their sum; the slack is for decoding and a busy machine.
RESPONSE_LIMIT_S = DEFAULTS.max_images * DEFAULTS.ocr_budget_s + DEFAULTS.check_budget_s + 5.0


@st.composite
def encoded_images(draw) -> str:
    """A small real image (random pixels, size and format), base64-encoded.

    Image fields say `format: byte` and `contentMediaType: image/*`: JSON Schema can say
    "base64", not "decodes to a JPEG, PNG, WebP or GIF". Generating real images keeps
    positive_data_acceptance strict (an image must be taken) rather than excusing every 4xx
    on the operations that carry one; any other bytes get a 400, which the document lists.
    """
    width, height = draw(st.integers(1, 24)), draw(st.integers(1, 24))
    pixels = draw(st.binary(min_size=width * height * 3, max_size=width * height * 3))
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(out, format=draw(st.sampled_from(
        ["PNG", "JPEG", "GIF", "WEBP"])))
    return base64.b64encode(out.getvalue()).decode("ascii")


schemathesis.openapi.format("byte", encoded_images())

# Loaded from the function that serves /v1/openapi.json rather than through the app, because
# schemathesis 4.32's lazy `pytest.from_fixture` loader fails under pytest 9.2 (it sets
# `node._nodeid`, which pytest's nodes no longer have); the first test pins that the
# document served is this one.
LIMITS = {"max_text_chars": DEFAULTS.max_text_chars, "max_images": DEFAULTS.max_images}
schema = schemathesis.openapi.from_dict(openapi_document(**LIMITS))
schema.config.headers = {"Origin": EXTENSION_ORIGIN}
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                max_examples=MAX_EXAMPLES)
schema.config.checks.update(included_check_names=["all"], max_response_time=RESPONSE_LIMIT_S)


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory, detection_engine):
    """The companion with default settings and the default engine's parts, with the text budget it
    ships with (the shared engine's is generous; OCR keeps the shared engine's, as before)."""
    from companion.detection.engine import DetectionEngine

    engine = DetectionEngine(detection_engine.rules, detection_engine.org, detection_engine.analyzer,
                             detection_engine.ocr, ocr_budget_s=detection_engine.ocr_budget_s,
                             check_budget_s=DEFAULTS.check_budget_s)
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("fuzz") / "data"), engine=engine)
    yield app
    app.extensions["postguard"].audit.close()


class LogRecorder(logging.Handler):
    """Every log record of every library, formatted with its arguments and traceback."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def app_logs():
    root, recorder = logging.getLogger(), LogRecorder()
    level = root.level
    root.addHandler(recorder)
    root.setLevel(logging.DEBUG)
    yield recorder
    root.removeHandler(recorder)
    root.setLevel(level)


def quoted_user_text(case) -> list[str]:
    """The post text and justification of this case, when long enough to be unmistakable."""
    body = case.body if isinstance(case.body, dict) else {}
    values = [body.get("text"), body.get("justification")]
    return [v for v in values if isinstance(v, str) and len(v.strip()) >= 8]


def test_the_fuzzed_document_is_the_served_one(fuzzed_app):
    response = fuzzed_app.test_client().get("/v1/openapi.json", headers={"Origin": EXTENSION_ORIGIN})
    assert response.status_code == 200
    assert response.get_json() == openapi_document(**LIMITS)


# No deadline and no health checks: a check with ten images runs OCR ten times, and building
# real images and long texts is slow by Hypothesis's measure; neither says anything about the
# API (max_response_time is the check that does).
@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_passes_every_schemathesis_check(case, fuzzed_app, app_logs):
    app_logs.lines.clear()

    def user_text_stays_out_of_errors_and_logs(ctx, response, case_):
        for value in quoted_user_text(case_):
            if response.status_code >= 400:
                assert value.casefold() not in response.text.casefold(), "an error answer quotes the post"
            assert not any(value.casefold() in line.casefold() for line in app_logs.lines), \
                "a log record quotes the post"

    case.call_and_validate(app=fuzzed_app, headers={"Origin": EXTENSION_ORIGIN},
                           additional_checks=[user_text_stays_out_of_errors_and_logs])
