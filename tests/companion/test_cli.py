"""The `postguard` command as a salesperson, an admin or a rule author types it.

Most commands run in-process through click's runner (each still builds the real engine);
a few run the installed console script to pin exit codes and streams end to end.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import images
import pytest

from companion.audit import EVENT_FIELDS
from companion.cli import main

POSTGUARD = str(Path(sys.executable).parent / "postguard")
QUOTE = "Deal closed: USD 0.42/pc FOB Ningbo for 20,000 pcs"


@pytest.fixture(autouse=True)
def ocr_budget_for_a_loaded_machine(monkeypatch):
    """The CLI reads its settings from the environment: give photos an OCR budget a loaded CI
    machine does not run out of (the 2.5 s default is for users; bench/ measures speed)."""
    monkeypatch.setenv("POSTGUARD_OCR_BUDGET_S", "30")


def run(runner, *args: str):
    return runner.invoke(main, list(args), catch_exceptions=False)


# -- postguard check ------------------------------------------------------------------------------

def test_check_prints_a_readable_verdict(runner):
    result = run(runner, "check", QUOTE)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Verdict: WARN"
    [pricing] = [line for line in lines if "pricing" in line]
    assert "[warn]" in pricing and "This looks like a price quote (USD 0.**/pc FOB Ningbo)" in pricing
    assert "0.42" not in result.stdout


def test_check_clean_text_says_nothing_was_found(runner):
    result = run(runner, "check", "Merry Christmas and a happy new year from our team!")
    assert result.stdout.splitlines() == ["Verdict: ALLOW", "  Nothing found."]


def test_check_in_chinese(runner):
    result = run(runner, "check", "--lang", "zh", QUOTE)
    assert "报价" in result.stdout


def test_check_json_format(runner):
    result = run(runner, "check", "--format", "json", "wifi password: Sunflower#2024")
    body = json.loads(result.stdout)
    assert body["verdict"] == "block"
    [finding] = body["findings"]
    assert finding["category"] == "credentials" and finding["severity"] == "block"
    assert set(finding) == {"category", "severity", "source", "image_index", "start", "end", "bbox", "rule",
                            "message", "excerpt"}
    assert "Sunflower#2024" not in result.stdout


def test_check_text_file(runner, tmp_path):
    post = tmp_path / "post.txt"
    post.write_text("Our new buyer Hansen Maschinenbau GmbH pays USD 0.42/pc FOB Ningbo\n", encoding="utf-8")
    body = json.loads(run(runner, "check", "--text-file", str(post), "--format", "json").stdout)
    assert {"pricing", "client_confidential"} <= {f["category"] for f in body["findings"]}


def test_check_text_file_that_is_not_utf8_is_named(runner, tmp_path):
    post = tmp_path / "post.txt"
    post.write_bytes(b"first line\nM\xfcller GmbH pays USD 0.42/pc\n")
    result = runner.invoke(main, ["check", "--text-file", str(post)])
    assert result.exit_code != 0
    assert f"{post}:2" in result.stderr and "UTF-8" in result.stderr
    assert "Traceback" not in result.output


def test_check_without_a_post_is_a_usage_error(runner):
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 2
    assert "TEXT, --text-file or --image" in result.stderr


def test_check_image(runner, tmp_path):
    image, _ = images.render_quotation_sheet()
    path = tmp_path / "quote.png"
    image.save(path)
    result = run(runner, "check", "--image", str(path))
    assert result.stdout.startswith("Verdict: WARN")
    assert any("pricing (image 1" in line for line in result.stdout.splitlines())
    body = json.loads(run(runner, "check", "--image", str(path), "--format", "json").stdout)
    assert any(f["source"] == "image" and f["image_index"] == 0 and f["bbox"] for f in body["findings"])


def test_check_image_that_is_not_an_image(runner, tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("USD 0.42/pc FOB Ningbo", encoding="utf-8")
    result = runner.invoke(main, ["check", "--image", str(path)])
    assert result.exit_code == 1
    assert str(path) in result.stderr and "0.42" not in result.output


# -- postguard check --jsonl -------------------------------------------------------------------------

@pytest.fixture
def batch_dir(tmp_path) -> Path:
    folder = tmp_path / "batch"
    (folder / "photos").mkdir(parents=True)
    images.render_quotation_sheet()[0].save(folder / "photos" / "quote.png")
    lines = [
        json.dumps({"id": "p1", "text": QUOTE, "platform": "linkedin"}),
        json.dumps({"id": "p2", "text": "New showroom photos!", "images": ["photos/quote.png"]}),
        '{"id": "p3", "text": "broken line',
        json.dumps({"id": "p4", "text": "hello", "images": ["photos/missing.png"]}),
        "",
        json.dumps({"id": "p5", "text": "Happy Lunar New Year!"}),
        json.dumps({"id": "p6", "text": "wifi password: Sunflower#2024"}),
    ]
    (folder / "posts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_batch_prints_one_line_per_post_in_order_and_keeps_going(batch_dir, monkeypatch):
    monkeypatch.chdir(batch_dir.parent.parent)  # image paths are relative to the file, not the cwd
    result = subprocess.run([POSTGUARD, "check", "--jsonl", str(batch_dir / "posts.jsonl")],
                            capture_output=True, text=True, timeout=180)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["p1", "p2", None, "p4", "p5", "p6"]
    p1, p2, broken, missing, p5, p6 = rows
    assert p1["verdict"] == "warn" and p1["findings"][0]["excerpt"] == "USD 0.**/pc FOB Ningbo"
    assert p2["verdict"] == "warn"
    assert any(f["source"] == "image" and f["category"] == "pricing" for f in p2["findings"])
    assert broken["line"] == 3 and broken["error"]["code"] == "malformed_json"
    assert missing["line"] == 4 and "missing.png" in missing["error"]["message"]
    assert p5 == {"id": "p5", "verdict": "allow", "findings": []}
    assert p6["verdict"] == "block"
    assert result.returncode == 1, "a batch with failed lines exits non-zero"
    assert "Traceback" not in result.stderr


def test_batch_of_good_posts_exits_zero(runner, tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps({"id": 1, "text": QUOTE}) + "\n" + json.dumps({"id": 2, "text": "hi"}) + "\n")
    result = run(runner, "check", "--jsonl", str(path))
    assert result.exit_code == 0
    assert [json.loads(line)["verdict"] for line in result.stdout.splitlines()] == ["warn", "allow"]


def test_batch_line_that_is_not_utf8_is_an_error_line(runner, tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(json.dumps({"id": "a", "text": QUOTE}).encode() + b"\n{\"id\": \"b\", \"text\": \"\xff\"}\n"
                     + json.dumps({"id": "c", "text": "hi"}).encode() + b"\n")
    result = runner.invoke(main, ["check", "--jsonl", str(path)])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("verdict") for r in rows] == ["warn", None, "allow"]
    assert rows[1]["line"] == 2 and "UTF-8" in rows[1]["error"]["message"]


# -- postguard eval --------------------------------------------------------------------------------

def test_eval_prints_precision_and_recall(runner, tmp_path):
    labeled = [
        {"id": "q1", "text": "USD 0.42/pc FOB Ningbo", "expect": ["pricing"]},
        {"id": "q2", "text": "best price $3.85/set CIF Hamburg", "expect": ["pricing"]},
        {"id": "q3", "text": "Lovely weather in Ningbo today", "expect": ["pricing"]},
        {"id": "c1", "text": "wifi password: Sunflower#2024", "expect": ["credentials"]},
        {"id": "ok1", "text": "Happy new year to all our partners", "expect": []},
        {"id": "fa1", "text": "Terms: 30% T/T deposit, balance before shipment", "expect": []},
    ]
    path = tmp_path / "labeled.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in labeled), encoding="utf-8")
    result = run(runner, "eval", str(path))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("text posts: 6")
    [pricing] = [line.split() for line in lines if line.strip().startswith("pricing")]
    assert pricing[1:] == ["0.667", "0.667", "2", "1", "1"]  # precision, recall, tp, fp, fn
    [credentials] = [line.split() for line in lines if line.strip().startswith("credentials")]
    assert credentials[1:3] == ["1.000", "1.000"]
    assert "false alarms on clean posts: 1" in lines
    assert "  fa1: pricing" in lines
    report = json.loads(run(runner, "eval", str(path), "--format", "json").stdout)
    assert report["text"]["categories"]["pricing"] == {"tp": 2, "fp": 1, "fn": 1, "precision": 0.667,
                                                       "recall": 0.667}


def test_eval_refuses_unknown_categories(runner, tmp_path):
    path = tmp_path / "labeled.jsonl"
    path.write_text(json.dumps({"id": "x", "text": "hi", "expect": ["prices"]}) + "\n")
    result = runner.invoke(main, ["eval", str(path)])
    assert result.exit_code == 1
    assert f"{path}:1" in result.stderr and "expect" in result.stderr


# -- postguard rules validate ------------------------------------------------------------------------

def test_rules_validate_passes_on_the_shipped_rules(runner, rules_dir):
    result = run(runner, "rules", "validate", str(rules_dir))
    assert result.exit_code == 0, result.output
    assert "8 packs" in result.stdout
    assert "all examples behave as documented" in result.stdout


def _broken_pack(tmp_path: Path, rules_dir: Path, old: str, new: str) -> tuple[Path, int]:
    """A copy of the rules with one edit in pricing.yaml; returns (dir, 1-based line of the edit)."""
    copy = tmp_path / "rules"
    shutil.copytree(rules_dir / "packs", copy / "packs")
    pack = copy / "packs" / "pricing.yaml"
    text = pack.read_text(encoding="utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    pack.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy, line


@pytest.mark.parametrize("old,new,field,extra_lines", [
    ("- regex: '(?:USD|US", "- regex: '((?:USD|US", "rules[0].patterns[0].regex", 0),  # bad regex
    ("category: pricing", "category: prices", "category", 0),  # unknown category
    ("  - id: pricing.unit_price\n", "  - id: pricing.unit_price\n    colour: red\n", "rules[0].colour", 1),
    ("    mask: digits\n", "    mask: stars\n", "rules[0].mask", 0),
])
def test_broken_pack_names_file_line_and_field(runner, tmp_path, rules_dir, old, new, field, extra_lines):
    broken, line = _broken_pack(tmp_path, rules_dir, old, new)
    result = runner.invoke(main, ["rules", "validate", str(broken)])
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith(f"postguard: {broken / 'packs' / 'pricing.yaml'}:{line + extra_lines} {field}:"), \
        message
    assert "Traceback" not in result.output


def test_pack_that_is_not_yaml_names_file_and_line(runner, tmp_path, rules_dir):
    broken, line = _broken_pack(tmp_path, rules_dir, "severity: warn\n", "severity: [warn\n")
    result = runner.invoke(main, ["rules", "validate", str(broken)])
    assert result.exit_code == 2
    message = result.stderr.strip()
    prefix = f"postguard: {broken / 'packs' / 'pricing.yaml'}:"
    assert message.startswith(prefix) and "YAML" in message
    reported = int(message[len(prefix):].split(":")[0])
    assert line <= reported <= line + 1, message


def test_a_rule_whose_example_fails_is_reported(runner, tmp_path, rules_dir):
    broken, _ = _broken_pack(tmp_path, rules_dir, 'match: ["USD 0.42/pc FOB Ningbo",',
                             'match: ["Lovely weather today", "USD 0.42/pc FOB Ningbo",')
    result = runner.invoke(main, ["rules", "validate", str(broken)])
    assert result.exit_code == 1
    assert "FAIL pricing.unit_price: should match example 'Lovely weather today'" in result.stderr


# -- org directory errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("content,line,what", [
    (b"company,aliases,contacts\nAcme GmbH,,\n", 1, "header"),
    (b"name,aliases,contacts\nAcme GmbH,,\nBeta Ltd,Beta,b@beta.test,extra\n", 3, "row"),
    (b"name,aliases,contacts\nAcme GmbH,,\n  ,alias,\n", 3, "name"),
    (b"name,aliases,contacts\nAcme GmbH,,\nM\xfcller GmbH,,\n", 3, "UTF-8"),
])
def test_broken_clients_csv_names_file_and_line(runner, tmp_path, example_org, content, line, what):
    org = tmp_path / "org"
    shutil.copytree(example_org, org)
    (org / "clients.csv").write_bytes(content)
    for args in (["check", "--org", str(org), "hello"], ["rules", "validate", "--org", str(org)]):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, result.output
        assert f"{org / 'clients.csv'}:{line}" in result.stderr and what in result.stderr
        assert "Traceback" not in result.output


def test_rules_validate_accepts_a_real_org_directory(runner, tmp_path, example_org):
    org = tmp_path / "org"
    org.mkdir()
    (org / "clients.csv").write_text("name,aliases,contacts\nAcme Corp,Acme,buyer@acme.test\n", encoding="utf-8")
    result = run(runner, "rules", "validate", "--org", str(org))
    assert result.exit_code == 0, result.output
    assert "1 clients" in result.stdout


def test_check_uses_the_org_given(runner, tmp_path):
    org = tmp_path / "org"
    org.mkdir()
    (org / "clients.csv").write_text("name,aliases,contacts\nZephyrine Lamps GmbH,Zephyrine,\n", encoding="utf-8")
    assert run(runner, "check", "We visited Zephyrine today").stdout.startswith("Verdict: ALLOW")
    body = json.loads(run(runner, "check", "--org", str(org), "--format", "json", "We visited Zephyrine today").stdout)
    assert [f["category"] for f in body["findings"]] == ["client_confidential"]


# -- postguard audit -------------------------------------------------------------------------------------

@pytest.fixture
def audited(client, data_dir, app):
    """A data dir holding 3 checks and 2 decisions made through the API."""
    scan_ids = []
    for text in (QUOTE, "Happy new year!", "wifi password: Sunflower#2024"):
        scan_ids.append(client.post("/v1/check", json={"text": text, "platform": "linkedin"}).get_json()["scan_id"])
    client.post("/v1/decision", json={"scan_id": scan_ids[0], "action": "edited"})
    client.post("/v1/decision", json={"scan_id": scan_ids[2], "action": "cancelled"})
    app.extensions["postguard"].audit.close()
    return data_dir, scan_ids


def test_audit_list_shows_every_event(runner, audited):
    data_dir, scan_ids = audited
    lines = run(runner, "audit", "list", "--data-dir", str(data_dir)).stdout.splitlines()
    assert len(lines) == 5
    kinds = [line.split()[2] for line in lines]
    assert kinds == ["check", "check", "check", "decision", "decision"]
    assert "warn" in lines[0] and "pricing" in lines[0] and f"scan={scan_ids[0]}" in lines[0]
    assert "cancelled" in lines[4] and f"scan={scan_ids[2]}" in lines[4]
    assert len(run(runner, "audit", "list", "--data-dir", str(data_dir), "--limit", "2").stdout.splitlines()) == 2


def test_audit_export_jsonl_and_csv(runner, audited):
    data_dir, scan_ids = audited
    events = [json.loads(line) for line in
              run(runner, "audit", "export", "--data-dir", str(data_dir), "--format", "jsonl").stdout.splitlines()]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5]
    assert set(events[0]) == set(EVENT_FIELDS)
    assert events[0]["excerpts"][0]["excerpt"] == "USD 0.**/pc FOB Ningbo"
    assert events[2]["verdict"] == "block" and events[2]["categories"] == ["credentials"]
    rows = list(csv.reader(io.StringIO(
        run(runner, "audit", "export", "--data-dir", str(data_dir), "--format", "csv").stdout)))
    assert tuple(rows[0]) == EVENT_FIELDS
    assert [r[EVENT_FIELDS.index("scan_id")] for r in rows[1:4]] == scan_ids
    future = run(runner, "audit", "export", "--data-dir", str(data_dir), "--since", "2999-01-01")
    assert future.stdout == ""


def test_audit_export_to_a_file(runner, audited, tmp_path):
    data_dir, _ = audited
    out = tmp_path / "audit.jsonl"
    result = run(runner, "audit", "export", "--data-dir", str(data_dir), "-o", str(out))
    assert "5 events written" in result.stderr
    assert len(out.read_text().splitlines()) == 5


def test_audit_verify_ok(runner, audited):
    data_dir, _ = audited
    result = run(runner, "audit", "verify", "--data-dir", str(data_dir))
    assert result.exit_code == 0
    assert result.stdout.startswith("chain OK: 5 events")


def _sqlite3(db: Path, sql: str) -> None:
    subprocess.run(["sqlite3", str(db)], input=sql, text=True, check=True, capture_output=True, timeout=30)


@pytest.mark.parametrize("tamper,broken_at", [
    ("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET verdict = 'allow' WHERE seq = 3;", 3),
    ("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET justification = 'approved by boss' "
     "WHERE seq = 4;", 4),
    ("DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = 2;", 2),
    ("DROP TRIGGER audit_events_no_delete; DROP TRIGGER audit_head_no_delete; "
     "DELETE FROM audit_events WHERE seq = 5; DELETE FROM audit_head;", None),
])
def test_audit_verify_fails_after_tampering(audited, tamper, broken_at):
    data_dir, _ = audited
    db = data_dir / "audit.sqlite3"
    if shutil.which("sqlite3"):
        _sqlite3(db, tamper)
    else:
        with sqlite3.connect(db) as conn:
            conn.executescript(tamper)
    result = subprocess.run([POSTGUARD, "audit", "verify", "--data-dir", str(data_dir)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0, result.stdout
    assert "chain BROKEN" in result.stderr
    if broken_at is not None:
        assert f"at event {broken_at}" in result.stderr


def test_audit_on_a_wrong_data_dir_does_not_create_a_log(runner, tmp_path):
    missing = tmp_path / "typo"
    for args in (["list"], ["export"], ["verify"]):
        result = runner.invoke(main, ["audit", *args, "--data-dir", str(missing)])
        assert result.exit_code == 2
        assert "no audit log" in result.stderr
    assert not missing.exists()
