"""The post text and the values found in it never leave the moment of the check.

Checks go through the HTTP API with distinctive raw values (an email, a price, a password,
a client and its phone, a sentence that matches nothing); then every place Postguard
writes is searched for them: the answers, the audit database and its WAL on disk, the
audit export, the logs of every library, and the error answers to broken requests.
"""

from __future__ import annotations

import base64
import json
import shutil

import images
import pytest
from leak_check import without_clock
from PIL import Image, ImageDraw

from companion.app import create_app
from companion.cli import main
from companion.config import Settings

CLIENT = "Quibbleworth Anchors GmbH"
CLIENT_PHONE = "+49 40 9182 7364"
CLIENT_EMAIL = "d.quibble@quibbleworth-anchors.de"
EMAIL = "zorblax.quimby@quokkamail.de"
PRICE = "73.19"
PASSWORD = "Xyzzy#Plugh4417"
PLAIN = "the whispering flamingo protocol"
POST = (f"Thrilled: {CLIENT} signed at USD {PRICE}/pc FOB Ningbo! Reach {EMAIL} or {CLIENT_EMAIL}, "
        f"call {CLIENT_PHONE}. wifi password: {PASSWORD}. Also {PLAIN}.")

# What must appear nowhere. The client's e-mail domain stays visible in masked excerpts
# by design ("j.h*****@hansen-mb.de"), so the client is searched for by its full name.
SECRETS = [CLIENT, "Quibbleworth Anchors", CLIENT_PHONE, "9182 7364", "91827364", CLIENT_EMAIL, "d.quibble",
           EMAIL, "zorblax", PRICE, PASSWORD, "Plugh4417", PLAIN, "whispering flamingo"]


def leaks(blob: str | bytes) -> list[str]:
    """The secrets found in `blob`, compared case-insensitively, once the figures that change on
    every run are taken out (an answer's "timings_ms": {"total": 173.19} holds PRICE by chance)."""
    lowered = without_clock(blob).casefold()
    return [s for s in SECRETS if s.casefold() in lowered]


@pytest.fixture(scope="module")
def org_dir(tmp_path_factory, example_org_dir):
    org = tmp_path_factory.mktemp("org") / "org"
    shutil.copytree(example_org_dir, org)
    with (org / "clients.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"{CLIENT},Quibbleworth,{CLIENT_EMAIL};{CLIENT_PHONE}\n")
    return org


@pytest.fixture(scope="module")
def example_org_dir():
    return Settings().org_dir


@pytest.fixture(scope="module")
def privacy_engine(org_dir):
    from companion.runtime import build_engine

    return build_engine(Settings(org_dir=org_dir, ocr_budget_s=30.0, check_budget_s=30.0))


@pytest.fixture
def app(data_dir, org_dir, privacy_engine):
    app = create_app(Settings(data_dir=data_dir, org_dir=org_dir, ocr_budget_s=30.0), engine=privacy_engine)
    yield app
    app.extensions["postguard"].audit.close()


def _screenshot_png() -> bytes:
    """A chat screenshot quoting the client, the price and the password."""
    img = Image.new("RGB", (1300, 420), "white")
    draw = ImageDraw.Draw(img)
    boxes: dict = {}
    for i, line in enumerate([f"Order for {CLIENT}", f"USD {PRICE}/pc FOB Ningbo", f"wifi password: {PASSWORD}"]):
        images.draw_text(draw, (40, 40 + 120 * i), line, images.font(48), boxes)
    return images.to_png(img)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def exercise(client) -> list:
    """Good checks, decisions and broken requests carrying the secrets; returns every response."""
    share_url = f"https://www.linkedin.com/shareArticle?text={PLAIN.replace(' ', '%20')}&mail={EMAIL}"
    responses = [
        client.post("/v1/check", json={"text": POST, "platform": "linkedin", "url": share_url}),
        client.post("/v1/check", json={"text": "", "images": [{"name": f"{CLIENT}.png", "mime": "image/png",
                                                                "data": _b64(_screenshot_png())}]}),
        client.post("/v1/check", json={"text": f"{CLIENT} 的报价 USD {PRICE}/pc", "platform": "facebook"},
                    headers={"Accept-Language": "zh-CN"}),
    ]
    scan_id = responses[0].get_json()["scan_id"]
    responses.append(client.post("/v1/decision", json={"scan_id": scan_id, "action": "edited"}))
    responses += [
        client.post("/v1/check", data='{"text": "' + POST, content_type="application/json"),
        client.post("/v1/check", json={"text": POST, "platform": POST}),
        client.post("/v1/check", json={"text": [POST]}),
        client.post("/v1/check", json={"text": POST, "images": [{"mime": "image/png", "data": _b64(POST.encode())}]}),
        client.post("/v1/check", json={"text": POST, "images": [{"mime": "image/png", "data": POST}]}),
        client.post("/v1/check", data=POST, content_type="text/plain"),
        client.post("/v1/check", json={"text": POST}, headers={"Origin": "https://www.linkedin.com"}),
        client.post("/v1/decision", json={"scan_id": EMAIL, "action": "posted"}),
        client.post("/v1/redact", json={"image": {"mime": "image/png", "data": _b64(POST.encode())},
                                        "boxes": [[0, 0, 1, 1]]}),
    ]
    return responses


def test_answers_show_only_masked_values(client):
    responses = exercise(client)
    first, image, chinese = (r.get_json() for r in responses[:3])
    assert first["verdict"] == "block"
    assert {"client_confidential", "pricing", "contact_pii", "credentials"} <= {f["category"] for f in first["findings"]}
    assert any(f["category"] == "client_confidential" for f in image["findings"]), \
        "OCR read the client in the screenshot (else this test proves nothing about images)"
    assert chinese["verdict"] == "warn"
    for response in responses:
        assert leaks(response.get_data()) == [], (response.status_code, response.get_data(as_text=True))


def test_error_answers_use_the_envelope_and_hold_no_secret(client):
    errors = [r for r in exercise(client) if r.status_code >= 400]
    assert len(errors) == 9
    for response in errors:
        assert set(response.get_json()) == {"error"}
        assert leaks(response.get_data()) == []


def test_audit_files_on_disk_hold_no_secret(client, app, data_dir):
    exercise(client)
    store = app.extensions["postguard"].audit
    assert [e["kind"] for e in store.events()] == ["check", "check", "check", "decision"]
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files), "the WAL is searched while the server runs"
    for path in files:
        assert leaks(path.read_bytes()) == [], path.name
    store.close()  # checkpoint the WAL into the database, then search again
    for path in (p for p in data_dir.rglob("*") if p.is_file()):
        assert leaks(path.read_bytes()) == [], path.name


def test_audit_keeps_what_a_reviewer_needs_without_the_values(client, app):
    exercise(client)
    first = next(iter(app.extensions["postguard"].audit.events()))
    assert first["url_host"] == "www.linkedin.com", "only the host of a share URL is kept"
    assert {"client_confidential", "pricing", "contact_pii", "credentials"} <= set(first["categories"])
    assert "USD 7*.**/pc FOB Ningbo" in [x["excerpt"] for x in first["excerpts"]]
    assert len(first["value_hashes"]) >= 4 and all(len(h["hash"]) >= 32 for h in first["value_hashes"])


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_audit_export_holds_no_secret(client, app, data_dir, runner, fmt):
    exercise(client)
    app.extensions["postguard"].audit.close()
    result = runner.invoke(main, ["audit", "export", "--data-dir", str(data_dir), "--format", fmt])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == (4 if fmt == "jsonl" else 5)
    assert leaks(result.output) == []


def test_logs_hold_no_secret(client, all_logs):
    exercise(client)
    assert leaks(all_logs.text) == []
    for record in all_logs.records:
        assert leaks(record.getMessage()) == [], record.name
        assert leaks(json.dumps(record.args, default=repr)) == [], record.name


def test_a_failing_audit_store_is_logged_without_the_post(client, app, all_logs):
    """When the store cannot write, the user still gets the findings and the log only says why."""
    app.extensions["postguard"].audit.close()
    response = client.post("/v1/check", json={"text": POST})
    assert response.status_code == 200
    body = response.get_json()
    assert body["audited"] is False and body["verdict"] == "block"
    assert any("audit store unavailable" in r.getMessage() for r in all_logs.records)
    assert leaks(all_logs.text) == [] and leaks(response.get_data()) == []


@pytest.mark.parametrize("matched, excerpt", [
    ("Hansen Maschinenbau", "order for HANSEN maschinenbau, then hansen Maschinenbau again"),
    ("Lumen#2024", "password: lumen#2024 (was LUMEN#2024)"),
    ("Kessler", "Kessler, KESSLER"),  # the second K is the Kelvin sign
    ("Rosſ AG", "ROSS AG and roſſ ag"),  # a long s, folded as re folds it
])
def test_a_value_that_survived_into_an_excerpt_is_scrubbed_in_any_case(matched, excerpt):
    """The audit store keeps the engine's masked excerpt; should a raw value still stand in it,
    in any case and in any of the case foldings Unicode pairs, it is replaced by the category."""
    from companion.audit.events import safe_excerpt
    from companion.detection.types import Finding

    scrubbed = safe_excerpt(Finding(category="client_name", severity="high", rule="r", matched=matched,
                                    excerpt=excerpt))
    assert "[client_name]" in scrubbed
    folded = scrubbed.casefold().replace("\u212a", "k").replace("ſ", "s")
    assert matched.casefold().replace("ſ", "s") not in folded
