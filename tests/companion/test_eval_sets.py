"""`postguard eval` over several labeled files: sources, also_ok, splits, and errors that
name the file and line.

The posts here use prices and a Wi-Fi password, which the rules have caught since the
first corpus, so these tests pin the scorer, not the state of the detectors.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.cli import main
from companion.errors import RequestError
from companion.evaluation import collect_files, evaluate_files

QUOTE = "Deal closed: USD 0.42/pc FOB Ningbo for 20,000 pcs"
WIFI = "Office wifi password: Sunflower#2024"
GREETING = "Happy new year to all our partners"


def _write(path: Path, posts: list[dict | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [p if isinstance(p, str) else json.dumps(p, ensure_ascii=False) for p in posts]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_also_ok_is_neither_a_false_positive_nor_a_false_alarm(detection_engine, tmp_path):
    labeled = _write(tmp_path / "a.jsonl", [
        {"id": "both", "text": f"{WIFI}. {QUOTE}", "expect": ["credentials"], "also_ok": ["pricing"]},
        {"id": "clean-ok", "text": QUOTE, "expect": [], "also_ok": ["pricing"]},
    ])
    report = evaluate_files(detection_engine, [labeled])
    assert "pricing" not in report["text"]["categories"]
    assert report["text"]["categories"]["credentials"]["tp"] == 1
    assert report["false_alarms_on_clean_posts"] == [] and report["mismatches"] == []
    assert report["clean_posts"] == {"posts": 1, "false_alarms": 0, "false_alarm_rate": 0.0}

    # The same posts without also_ok: the price counts against precision and as a false alarm.
    strict = _write(tmp_path / "b.jsonl", [
        {"id": "both", "text": f"{WIFI}. {QUOTE}", "expect": ["credentials"]},
        {"id": "clean-ok", "text": QUOTE, "expect": []},
    ])
    report = evaluate_files(detection_engine, [strict])
    assert report["text"]["categories"]["pricing"]["fp"] == 2
    assert report["false_alarms_on_clean_posts"] == [{"id": "clean-ok", "found": ["pricing"]}]
    assert report["clean_posts"]["false_alarm_rate"] == 1.0


def test_figures_per_source_and_overall(detection_engine, tmp_path):
    labeled = _write(tmp_path / "test.jsonl", [
        {"id": "n1", "text": QUOTE, "expect": ["pricing"], "source": "news"},
        {"id": "n2", "text": GREETING, "expect": [], "source": "news"},
        {"id": "n3", "text": QUOTE, "expect": [], "source": "news"},
        {"id": "t1", "text": GREETING, "expect": ["pricing"], "source": "tatoeba"},
        {"id": "t2", "text": "See you at the fair", "expect": [], "source": "tatoeba"},
    ])
    report = evaluate_files(detection_engine, [labeled])
    assert report["clean_posts"] == {"posts": 3, "false_alarms": 1, "false_alarm_rate": 0.333}
    assert report["all"]["categories"]["pricing"] == {"tp": 1, "fp": 1, "fn": 1, "precision": 0.5,
                                                      "recall": 0.5}
    news, tatoeba = report["sources"]["news"], report["sources"]["tatoeba"]
    assert news["posts"] == {"text": 3, "image": 0}
    assert news["clean_posts"] == {"posts": 2, "false_alarms": 1, "false_alarm_rate": 0.5}
    assert news["text"]["categories"]["pricing"] == {"tp": 1, "fp": 1, "fn": 0, "precision": 0.5,
                                                     "recall": 1.0}
    assert tatoeba["clean_posts"]["false_alarm_rate"] == 0.0
    assert tatoeba["text"]["categories"]["pricing"]["recall"] == 0.0


def test_a_set_without_sources_has_no_source_table(detection_engine, tmp_path):
    report = evaluate_files(detection_engine, [_write(tmp_path / "x.jsonl", [
        {"id": "g", "text": GREETING, "expect": []}])])
    assert "sources" not in report


def test_split_picks_that_file_in_every_directory_below(tmp_path):
    for name in ("clean/test.jsonl", "clean/dev.jsonl", "images/test.jsonl", "images/train.jsonl"):
        _write(tmp_path / name, [{"id": "x", "text": GREETING, "expect": []}])
    assert collect_files([tmp_path], "test") == [tmp_path / "clean/test.jsonl", tmp_path / "images/test.jsonl"]
    assert len(collect_files([tmp_path])) == 4
    assert collect_files([str(tmp_path / "*" / "dev.jsonl")]) == [tmp_path / "clean/dev.jsonl"]
    with pytest.raises(RequestError, match="no holdout.jsonl files"):
        collect_files([tmp_path], "holdout")
    with pytest.raises(RequestError, match="no such file or directory"):
        collect_files([tmp_path / "missing.jsonl"])


def test_cli_scores_several_files_with_a_split(runner, tmp_path):
    _write(tmp_path / "set" / "a" / "test.jsonl", [
        {"id": "a1", "text": QUOTE, "expect": ["pricing"], "source": "alpha"},
        {"id": "a2", "text": GREETING, "expect": [], "source": "alpha"}])
    _write(tmp_path / "set" / "b" / "test.jsonl", [
        {"id": "b1", "text": QUOTE, "expect": [], "source": "beta"}])
    _write(tmp_path / "set" / "b" / "dev.jsonl", [
        {"id": "b-dev", "text": QUOTE, "expect": [], "source": "beta"}])
    result = runner.invoke(main, ["eval", str(tmp_path / "set"), "--split", "test"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("text posts: 3")
    assert "source alpha:" in lines and "source beta:" in lines
    assert "  false-alarm rate on clean posts: 0.000 (0 of 1)" in lines  # alpha
    assert "  false-alarm rate on clean posts: 1.000 (1 of 1)" in lines  # beta
    assert "false-alarm rate on clean posts: 0.500 (1 of 2)" in lines  # overall
    assert "false alarms on clean posts: 1" in lines and "  b1: pricing" in lines
    report = json.loads(runner.invoke(main, ["eval", str(tmp_path / "set"), "--split", "test",
                                             "--format", "json"]).stdout)
    assert [Path(f).parent.name for f in report["files"]] == ["a", "b"]
    assert set(report["sources"]) == {"alpha", "beta"}


def test_a_broken_line_is_named_with_file_and_line_never_its_text(runner, tmp_path):
    good = _write(tmp_path / "good.jsonl", [{"id": "g", "text": GREETING, "expect": []}])
    broken = _write(tmp_path / "broken.jsonl", [
        {"id": "ok", "text": GREETING, "expect": []},
        '{"id": "bad", "text": "secret-ish Sunflower#2024", "expect": [',
    ])
    result = runner.invoke(main, ["eval", str(good), str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:2" in result.stderr and "not a JSON object" in result.stderr
    assert "Sunflower" not in result.stderr


@pytest.mark.parametrize("field", ["expect", "also_ok"])
def test_an_unknown_category_is_named(detection_engine, tmp_path, field):
    post = {"id": "x", "text": GREETING, "expect": []}
    post[field] = ["prices"]
    labeled = _write(tmp_path / "labels.jsonl", [{"id": "ok", "text": GREETING, "expect": []}, post])
    with pytest.raises(RequestError) as caught:
        evaluate_files(detection_engine, [labeled])
    message = caught.value.message
    assert message.startswith(f"{labeled}:2: {field}") and "'prices'" in message and "pricing" in message


def test_a_missing_image_is_named_with_the_line_that_wants_it(detection_engine, tmp_path):
    labeled = _write(tmp_path / "images.jsonl", [
        {"id": "r1", "text": "", "images": ["receipt_404.jpg"], "expect": ["pricing"]}])
    with pytest.raises(RequestError) as caught:
        evaluate_files(detection_engine, [labeled])
    assert caught.value.message.startswith(f"{labeled}:1: ") and "receipt_404.jpg" in caught.value.message
    assert caught.value.code == "image_missing"


def test_info_findings_other_than_competitors_are_not_raised():
    """A neutral political topic is an info note, not a warning: it must not count as raised."""
    from companion.detection.types import Finding
    from companion.evaluation import raised_categories

    def finding(category, severity):
        return Finding(category=category, severity=severity, rule="r", matched="", excerpt="")

    assert raised_categories([finding("sensitive_topic", "info"), finding("competitor", "info"),
                              finding("pricing", "warn"), finding("credentials", "block")]) == {
        "competitor", "pricing", "credentials"}
