"""`postguard deploy pack` with Debian's real Chromium: the CRX3 it writes, the ID it prints (computed
from the key and declared inside the CRX), the staged manifest that agrees with both, updates.xml,
and keys that are refused before anything is written."""

from __future__ import annotations

import base64
import io
import json
import shutil
import zipfile
from xml.etree import ElementTree

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from companion.cli import main
from companion.config import REPO_ROOT
from companion.deploy.pack import crx_extension_id, extension_id, public_der

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
UPDATE_URL = "https://intranet.lumenhardware.com/postguard/updates.xml"
GUPDATE = "{http://www.google.com/update2/response}"


def crx_manifest(crx: bytes) -> dict:
    """The manifest inside a CRX3: the ZIP after the header."""
    header_size = int.from_bytes(crx[8:12], "little")
    with zipfile.ZipFile(io.BytesIO(crx[12 + header_size:])) as archive:
        return json.loads(archive.read("manifest.json"))


def write_rsa_key(path, pkcs1: bool = False) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    fmt = serialization.PrivateFormat.TraditionalOpenSSL if pkcs1 else serialization.PrivateFormat.PKCS8
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()))
    return key


def test_id_is_chromiums_spelling_of_the_key_hash():
    # The repo's development key (extension/manifest.json) and the ID the harness knows it by.
    manifest = json.loads((REPO_ROOT / "extension/manifest.json").read_text())
    assert extension_id(base64.b64decode(manifest["key"])) == "lgpmbmmgjnablpheopbbjncokjbhohij"


def test_pack_with_a_given_key_prints_its_id_and_writes_a_coherent_crx(runner, tmp_path):
    key = write_rsa_key(tmp_path / "it.pem", pkcs1=True)  # an older-style key file works too
    expected = extension_id(public_der(key))
    result = runner.invoke(main, ["deploy", "pack", "--key", str(tmp_path / "it.pem"), "--out", str(tmp_path / "dist"),
                                  "--update-url", UPDATE_URL])
    assert result.exit_code == 0, result.output
    assert f"extension ID: {expected}" in result.output
    version = json.loads((REPO_ROOT / "extension/manifest.json").read_text())["version"]
    crx = (tmp_path / "dist" / f"postguard-{version}.crx").read_bytes()
    assert crx[:4] == b"Cr24" and int.from_bytes(crx[4:8], "little") == 3
    assert crx_extension_id(crx) == expected
    inside = crx_manifest(crx)
    assert extension_id(base64.b64decode(inside["key"])) == expected, "the manifest key matches the packing key"
    assert inside["version"] == version

    update = ElementTree.parse(tmp_path / "dist" / "updates.xml").getroot()
    assert update.tag == f"{GUPDATE}gupdate" and update.get("protocol") == "2.0"
    app = update.find(f"{GUPDATE}app")
    check = app.find(f"{GUPDATE}updatecheck")
    assert app.get("appid") == expected
    assert check.get("codebase") == f"https://intranet.lumenhardware.com/postguard/postguard-{version}.crx"
    assert check.get("version") == version


def test_without_a_key_one_is_created_outside_the_upload_folder_kept_and_reused(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "it-config"))
    out = tmp_path / "dist"
    first = runner.invoke(main, ["deploy", "pack", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "WARNING: created a new extension key" in first.output and "decides the extension ID" in first.output
    assert "updates.xml not written" in first.output
    key_file = tmp_path / "it-config" / "postguard" / "keys" / "postguard-extension.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert not list(out.rglob("*.pem")), "nothing private in the folder that is uploaded"
    first_id = first.output.split("extension ID: ")[1].split()[0]
    assert first_id == extension_id(public_der(serialization.load_pem_private_key(key_file.read_bytes(), None)))
    second = runner.invoke(main, ["deploy", "pack", "--out", str(out)])
    assert "WARNING" not in second.output
    assert f"extension ID: {first_id}" in second.output


@pytest.mark.parametrize("make_key, message", [
    (lambda p: p.write_text("not a key"), "not an unencrypted PEM private key"),
    (lambda p: p.write_bytes(ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
     "must be RSA"),
    (lambda p: None, "no such key file"),
])
def test_an_unusable_key_is_refused_and_nothing_is_written(runner, tmp_path, make_key, message):
    make_key(tmp_path / "key.pem")
    out = tmp_path / "dist"
    result = runner.invoke(main, ["deploy", "pack", "--key", str(tmp_path / "key.pem"), "--out", str(out)])
    assert result.exit_code == 2 and message in result.output
    assert not out.exists()


def test_a_malformed_update_url_is_refused_before_packing(runner, tmp_path):
    out = tmp_path / "dist"
    result = runner.invoke(main, ["deploy", "pack", "--out", str(out), "--update-url", "intranet/updates.xml"])
    assert result.exit_code == 2 and "--update-url" in result.output
    assert not out.exists()


@pytest.mark.parametrize("inside", ["postguard-extension.pem", "private/it.pem"])
def test_a_key_inside_the_upload_folder_is_refused_and_nothing_is_written(runner, tmp_path, inside):
    out = tmp_path / "dist"
    result = runner.invoke(main, ["deploy", "pack", "--out", str(out), "--key", str(out / inside)])
    assert result.exit_code == 2 and "inside the upload folder" in result.output
    assert not out.exists()


def test_a_key_left_in_the_upload_folder_by_an_older_pack_stops_packing(runner, tmp_path):
    out = tmp_path / "dist"
    out.mkdir()
    write_rsa_key(out / "postguard-extension.pem")
    write_rsa_key(tmp_path / "it.pem")
    result = runner.invoke(main, ["deploy", "pack", "--out", str(out), "--key", str(tmp_path / "it.pem")])
    assert result.exit_code == 2 and "move it out" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["postguard-extension.pem"]
