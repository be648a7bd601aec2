"""The extension's content scripts ship as bundles in `extension/dist/` (scripts/build-extension.mjs):
`deploy pack` refuses a folder whose bundles are missing or older than their sources, naming the file
and the command that builds them, before anything is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from companion.config import REPO_ROOT
from companion.deploy.errors import DeployError
from companion.deploy.extension_build import build_problems
from companion.deploy.pack import pack

EXTENSION = REPO_ROOT / "extension"


@pytest.fixture
def extension_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "extension"
    shutil.copytree(EXTENSION, copy)
    return copy


def test_the_repo_extension_is_built_from_its_sources():
    assert build_problems(EXTENSION) == [], "run scripts/install.sh (or node scripts/build-extension.mjs)"


def test_a_source_changed_after_the_build_makes_every_bundle_using_it_stale(extension_copy):
    text = extension_copy / "content" / "core" / "text.js"
    text.write_text(text.read_text(encoding="utf-8") + "\n// changed\n", encoding="utf-8")
    problems = build_problems(extension_copy)
    assert len(problems) == 3 and all("stale" in p and "content/core/text.js" in p for p in problems), problems


def test_a_site_adapter_changed_stales_only_its_own_bundle(extension_copy):
    adapter = extension_copy / "content" / "sites" / "instagram.js"
    adapter.write_text(adapter.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert [p.split(" is stale")[0] for p in build_problems(extension_copy)] == [str(extension_copy / "dist/content-instagram.js")]


def test_pack_refuses_an_unbuilt_extension_before_writing_anything(extension_copy, tmp_path):
    shutil.rmtree(extension_copy / "dist")
    out = tmp_path / "upload"
    with pytest.raises(DeployError) as caught:
        pack(out, key_path=tmp_path / "keys" / "k.pem", source=extension_copy)
    assert caught.value.code == "extension_not_built"
    assert "never built" in str(caught.value) and "scripts/build-extension.mjs" in str(caught.value)
    assert not out.exists() and not (tmp_path / "keys").exists()
