"""The public evaluation set (tests/data/public/) stays usable and honest.

Every folder has a data card; every line is a post `postguard eval` can score (known
categories, a source, images that exist and stay small); ids are unique; and no text of
a test split also appears in that folder's train or dev split, so tuning on those never
touches the test posts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.detection.types import CATEGORIES

PUBLIC = Path(__file__).resolve().parent.parent / "data" / "public"
# The folders checked here; a folder joins the list once its card and splits are final.
FOLDERS = [PUBLIC / name for name in ("clean", "images", "redline", "secrets")]
MAX_IMAGE_BYTES = 300 * 1024


def _posts(folder: Path) -> dict[str, list[dict]]:
    return {path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            for path in sorted(folder.glob("*.jsonl"))}


def test_the_public_set_has_its_folders():
    assert all(any(folder.glob("*.jsonl")) for folder in FOLDERS)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_every_post_can_be_scored(folder):
    ids = set()
    for split, posts in _posts(folder).items():
        assert posts, f"{folder.name}/{split}.jsonl is empty"
        for post in posts:
            where = f"{folder.name}/{split}.jsonl {post.get('id')}"
            assert isinstance(post.get("id"), str) and post["id"] not in ids, where
            ids.add(post["id"])
            assert isinstance(post.get("text"), str), where
            assert set(post["expect"]) <= set(CATEGORIES), where
            assert set(post.get("also_ok", [])) <= set(CATEGORIES), where
            assert isinstance(post.get("source"), str) and post["source"], where
            for image in post.get("images", []):
                size = (folder / image).stat().st_size
                assert 0 < size <= MAX_IMAGE_BYTES, f"{where}: {image} is {size} bytes"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_no_test_post_leaks_into_train_or_dev(folder):
    posts = _posts(folder)
    if "test" not in posts:
        pytest.skip("no test split")
    test_texts = {(p["text"], tuple(p.get("images", []))) for p in posts["test"]}
    for split in ("train", "dev"):
        shared = test_texts & {(p["text"], tuple(p.get("images", []))) for p in posts.get(split, [])}
        assert not shared, f"{folder.name}: {len(shared)} test posts also in {split}"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_the_data_card_names_source_commit_and_licence(folder):
    card = (folder / "DATACARD.md").read_text(encoding="utf-8")
    assert "licen" in card.lower() and "commit" in card.lower()
    sources = {p["source"] for posts in _posts(folder).values() for p in posts}
    for source in sources:
        assert f"`{source}`" in card, f"{folder.name}: source {source} is not on the data card"
