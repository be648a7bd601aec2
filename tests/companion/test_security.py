"""The local port is an attack surface: hostile input, DNS rebinding, web pages posing as the extension.

Every refusal must use the one error envelope and must never echo the post: each request
below carries a distinctive marker in its text, and the marker must not appear in the
answer or in any log line.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib

import images
import pytest
from PIL import Image

from companion.app import create_app
from companion.config import Settings

MARKER = "QUOKKAZEBRA7731"
POST_TEXT = f"Confidential: {MARKER} pays USD 0.42/pc FOB Ningbo"
EXTENSION = "chrome-extension://lgpmbmmgjnablpheopbbjncokjbhohij"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def attachment(data: bytes, mime: str = "image/png") -> dict:
    return {"name": f"{MARKER}.png", "mime": mime, "data": b64(data)}


def png_claiming(width: int, height: int) -> bytes:
    """A ~100-byte PNG whose header claims `width` x `height` pixels: a decompression bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


def truncated_jpeg() -> bytes:
    image, _ = images.render_quotation_sheet()
    data = images.to_jpeg(image)
    return data[: len(data) // 2]


def assert_no_echo(response, logs) -> None:
    """Neither the answer nor any log line holds the post text."""
    assert MARKER not in response.get_data(as_text=True)
    assert MARKER not in str(dict(response.headers))
    assert MARKER not in logs.text
    for record in logs.records:
        assert MARKER not in repr(record.args)


# -- hostile or broken input ------------------------------------------------------------------

BAD_CHECKS = [
    # (id, body (dict -> JSON) or raw str, expected status, expected code or None)
    ("malformed_json", '{"text": "' + POST_TEXT + '", ', 400, "malformed_json"),
    ("deeply_nested_json", '{"text": "' + POST_TEXT + '", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", 400,
     "malformed_json"),
    ("not_utf8", '{"text": "' + POST_TEXT + '\udcff"}', 400, "malformed_json"),
    ("not_an_object", json.dumps([POST_TEXT]), 400, "invalid_request"),
    ("text_not_a_string", {"text": [POST_TEXT]}, 400, "invalid_request"),
    ("images_not_a_list", {"text": POST_TEXT, "images": POST_TEXT}, 400, "invalid_request"),
    ("unknown_platform", {"text": POST_TEXT, "platform": MARKER}, 400, "invalid_request"),
    ("unknown_field", {"text": POST_TEXT, "secret": MARKER}, 400, "invalid_request"),
    ("image_without_data", {"text": POST_TEXT, "images": [{"mime": "image/png"}]}, 400, "invalid_request"),
    ("bad_base64", {"text": POST_TEXT, "images": [{"mime": "image/png", "data": "**" + MARKER}]}, 400,
     "bad_base64"),
    ("text_file_as_image", {"text": POST_TEXT, "images": [attachment(POST_TEXT.encode())]}, 400, None),
    ("truncated_jpeg", {"text": POST_TEXT, "images": [attachment(truncated_jpeg(), "image/jpeg")]}, 400, None),
    ("decompression_bomb", {"text": POST_TEXT, "images": [attachment(png_claiming(100_000, 100_000))]}, None,
     "image_too_large"),
    ("empty_image", {"text": POST_TEXT, "images": [attachment(b"")]}, 400, None),
    ("too_many_images", {"text": POST_TEXT, "images": [attachment(small_png())] * 11}, 400, "too_many_images"),
]


@pytest.mark.parametrize("body,status,code", [c[1:] for c in BAD_CHECKS], ids=[c[0] for c in BAD_CHECKS])
def test_bad_check_requests_are_refused_without_echoing_the_post(client, audit_store, all_logs, error_envelope,
                                                                 body, status, code):
    raw = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else json.dumps(body).encode()
    response = client.post("/v1/check", data=raw, content_type="application/json")
    if status is None:  # a bomb may be "bad request" or "too large"; either way, refused
        assert response.status_code in (400, 413)
        status = response.status_code
    error_envelope(response, status, code)
    assert_no_echo(response, all_logs)
    assert list(audit_store.events()) == [], "a refused check is not a check"


def test_unreadable_images_are_named_by_position(client, error_envelope):
    body = {"text": POST_TEXT, "images": [attachment(small_png()), attachment(truncated_jpeg(), "image/jpeg")]}
    response = client.post("/v1/check", json=body)
    message = error_envelope(response, 400)["error"]["message"]
    assert message.startswith("images[1]")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                          "application/foo+json", "application/merge-patch+json",
                                          "application/jsonp"])
def test_non_json_bodies_are_415(client, all_logs, error_envelope, content_type):
    response = client.post("/v1/check", data=json.dumps({"text": POST_TEXT}), content_type=content_type)
    error_envelope(response, 415, "unsupported_media_type")
    assert_no_echo(response, all_logs)


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "Application/JSON;charset=UTF-8"])
def test_json_with_or_without_a_charset_is_accepted(client, content_type):
    response = client.post("/v1/check", data=json.dumps({"text": "hello"}), content_type=content_type)
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.fixture
def small_app(data_dir, api_engine):
    """A companion with small limits, so tests need not send 40 MB."""
    app = create_app(Settings(data_dir=data_dir, max_request_bytes=200_000, max_text_chars=5_000),
                     engine=api_engine)
    yield app
    app.extensions["postguard"].audit.close()


def test_body_over_the_size_limit_is_413(small_app, all_logs, error_envelope):
    response = small_app.test_client().post("/v1/check", json={"text": POST_TEXT * 10_000})
    error_envelope(response, 413, "payload_too_large")
    assert_no_echo(response, all_logs)


def test_text_over_the_length_limit_is_refused(small_app, all_logs, error_envelope):
    response = small_app.test_client().post("/v1/check", json={"text": POST_TEXT * 200})
    error_envelope(response, 400, "text_too_long")
    assert_no_echo(response, all_logs)


def test_a_check_just_under_the_limits_is_answered(small_app):
    response = small_app.test_client().post("/v1/check", json={"text": "USD 0.42/pc FOB Ningbo. " * 150})
    assert response.status_code == 200
    assert response.get_json()["verdict"] == "warn"


BAD_REDACTS = [
    ("bad_base64", {"image": {"mime": "image/png", "data": "%%" + MARKER}, "boxes": [[0, 0, 1, 1]]}, 400),
    ("not_an_image", {"image": attachment(POST_TEXT.encode()), "boxes": [[0, 0, 1, 1]]}, 400),
    ("bomb", {"image": attachment(png_claiming(60_000, 60_000)), "boxes": [[0, 0, 1, 1]]}, None),
    ("boxes_missing", {"image": attachment(small_png())}, 400),
]


@pytest.mark.parametrize("body,status", [c[1:] for c in BAD_REDACTS], ids=[c[0] for c in BAD_REDACTS])
def test_bad_redact_requests_are_refused(client, all_logs, error_envelope, body, status):
    response = client.post("/v1/redact", json=body)
    if status is None:
        assert response.status_code in (400, 413)
        status = response.status_code
    error_envelope(response, status)
    assert_no_echo(response, all_logs)


def test_unknown_paths_and_methods_use_the_envelope(client, error_envelope):
    error_envelope(client.get("/v1/nothing-here"), 404, "not_found")
    error_envelope(client.get("/v1/check"), 405, "method_not_allowed")


def allowed_methods(response) -> set[str]:
    return {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}


@pytest.mark.parametrize("method,path,allowed", [
    ("POST", "/v1/health", {"GET", "HEAD", "OPTIONS"}),
    ("TRACE", "/v1/health", {"GET", "HEAD", "OPTIONS"}),
    ("TRACE", "/v1/check", {"POST", "OPTIONS"}),
    ("DELETE", "/v1/decision", {"POST", "OPTIONS"}),
    ("PUT", "/v1/openapi.json", {"GET", "HEAD", "OPTIONS"}),
])
@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json"])
def test_a_wrong_method_is_405_with_allow_whatever_the_body(client, error_envelope, method, path, allowed,
                                                          content_type):
    """The method is judged before the body: `curl -X POST /v1/health` learns which methods work."""
    response = client.open(path, method=method, data="{}" if content_type else None, content_type=content_type)
    error_envelope(response, 405, "method_not_allowed")
    assert allowed_methods(response) == allowed


def test_an_unknown_path_is_404_whatever_the_body(client, error_envelope):
    error_envelope(client.post("/v1/nothing-here", data="x", content_type="text/plain"), 404, "not_found")


# -- who may talk to the companion --------------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.com", "127.0.0.1.evil.com", "localhost.evil.com:7717", "127.0.0.1:8080",
                                  "localhost:80", "evil.com:7717", "127.0.0.2:7717", "[::1]:8080",
                                  "[::1].evil.com:7717", "[::2]:7717", "", "127.0.0.1:7717:7717"])
def test_foreign_host_header_is_403(client, audit_store, error_envelope, host):
    """A DNS-rebinding page reaches 127.0.0.1 under its own host name; it must be refused."""
    response = client.post("/v1/check", json={"text": POST_TEXT}, headers={"Host": host})
    error_envelope(response, 403, "bad_host")
    assert "Access-Control-Allow-Origin" not in response.headers
    assert list(audit_store.events()) == [], "a refused request is never checked nor audited"
    error_envelope(client.get("/v1/health", headers={"Host": host}), 403, "bad_host")


@pytest.mark.parametrize("host", ["127.0.0.1:7717", "localhost:7717", "127.0.0.1", "LOCALHOST:7717", "[::1]:7717"])
def test_loopback_host_header_is_accepted(client, host):
    assert client.get("/v1/health", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("origin", ["https://www.linkedin.com", "https://evil.example", "null",
                                    "chrome-extension://aaaabbbbccccddddeeeeffffgggghhhh",
                                    EXTENSION + ".evil.com", "http://127.0.0.1:7717"])
def test_web_page_origins_are_403_without_cors_header(client, audit_store, error_envelope, origin):
    response = client.post("/v1/check", json={"text": POST_TEXT}, headers={"Origin": origin})
    error_envelope(response, 403, "bad_origin")
    assert "Access-Control-Allow-Origin" not in response.headers
    assert list(audit_store.events()) == []


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_no_cors_request_from_a_web_page_is_403(client, error_envelope, site):
    """A page's <img src> or no-cors fetch has no Origin on GET, but says where it came from."""
    error_envelope(client.get("/v1/health", headers={"Sec-Fetch-Site": site}), 403, "bad_origin")


def test_extension_origin_is_served_with_the_cors_header(client):
    response = client.post("/v1/check", json={"text": "USD 0.42/pc FOB Ningbo"},
                           headers={"Origin": EXTENSION, "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == EXTENSION
    assert response.get_json()["verdict"] == "warn"


def test_preflight_from_the_extension_succeeds(client):
    response = client.options("/v1/check", headers={
        "Origin": EXTENSION, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept-language"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == EXTENSION
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed and "accept-language" in allowed


@pytest.mark.parametrize("origin", ["https://www.linkedin.com", "https://www.facebook.com"])
def test_preflight_from_a_web_page_gets_no_allow_header(client, origin):
    response = client.options("/v1/check", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


def test_cli_tools_without_origin_are_served_without_cors_headers(client):
    """curl and the CLI send neither Origin nor Sec-Fetch-Site."""
    response = client.post("/v1/check", json={"text": "hello"}, headers={"Host": "127.0.0.1:7717"})
    assert response.status_code == 200
    assert not any(h.startswith("Access-Control-") for h in response.headers.keys())


def test_configured_extension_origins_replace_the_default(data_dir, api_engine):
    firefox = "moz-extension://4b1d8c2e-6f7a-4e59-9a43-0c5d7e8f9a10"
    app = create_app(Settings(data_dir=data_dir, allowed_origins=[firefox]), engine=api_engine)
    try:
        client = app.test_client()
        ok = client.get("/v1/health", headers={"Origin": firefox})
        assert ok.status_code == 200 and ok.headers["Access-Control-Allow-Origin"] == firefox
        assert client.get("/v1/health", headers={"Origin": EXTENSION}).status_code == 403
    finally:
        app.extensions["postguard"].audit.close()
