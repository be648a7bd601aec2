"""The real server keeps answering while it checks the worst posts anyone can send.

Once, one post of 99,999 digits made `postguard serve` stop answering anything until it
was killed. Now matching is linear and each check has a time budget; here three of the
worst posts under the size limit are checked at once, over real HTTP, while the
extension's health probe keeps asking.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from test_server import clean_env, request, running_server

MAX_CHARS = 99_999
HEALTH_WAIT_S = 5.0  # it waited 16 s and then forever; on a loaded machine it takes well under 1 s


def _worst_posts() -> list[str]:
    rnd = random.Random(11)
    digits_and_spaces = "".join(rnd.choice("0123456789 ") for _ in range(MAX_CHARS))
    phones = " ".join(f"+44 20 {rnd.randrange(1000, 9999)} {rnd.randrange(1000, 9999)}" for _ in range(6_000))
    return ["1" * MAX_CHARS, digits_and_spaces, phones[:MAX_CHARS]]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("hostile"), env=clean_env(POSTGUARD_CHECK_BUDGET_S="1.5")) as srv:
        yield srv


def test_health_answers_while_the_worst_posts_are_checked(server):
    answers: list = []
    checks = [threading.Thread(target=lambda text=text: answers.append(
        server.post("/v1/check", {"text": text, "platform": "facebook"}, timeout=120)))
        for text in _worst_posts()]
    for thread in checks:
        thread.start()
    probes = 0
    while any(t.is_alive() for t in checks):
        started = time.perf_counter()
        status, _, body = request(server.port, "GET", "/v1/health", timeout=HEALTH_WAIT_S)
        assert status == 200 and body["status"] == "ok", body
        assert time.perf_counter() - started < HEALTH_WAIT_S
        probes += 1
        time.sleep(0.05)
    for thread in checks:
        thread.join()
    assert probes >= 1
    assert [status for status, _, _ in answers] == [200, 200, 200]
    for _, _, body in answers:
        assert body["verdict"] in ("allow", "warn", "block")
        if body["timings_ms"]["text"] > 1500 * 1.5:
            assert "text_incomplete" in body["warnings"], body["timings_ms"]


def test_a_check_cut_by_its_budget_says_so_over_real_http(tmp_path):
    """With a budget no check can meet, the answer still comes, with what was found first."""
    with running_server(tmp_path, env=clean_env(POSTGUARD_CHECK_BUDGET_S="0.000001")) as srv:
        status, _, body = srv.post("/v1/check", {"text": "Quote for Hansen Maschinenbau, call +49 40 3012 7788"})
    assert status == 200
    assert "text_incomplete" in body["warnings"]
    assert "client_confidential" in {f["category"] for f in body["findings"]}
