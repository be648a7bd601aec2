"""The review search names a category by the words a reviewer types for it, not only by its label:
"Prices", "phone", 联系方式 (companion/review/category_words.yaml, read by category_words.py).
The searches with these words over the laptop's log and the central store are in
test_review_short_search.py (`WORDS`)."""

from __future__ import annotations

import pytest

from companion.detection.types import CATEGORIES
from companion.errors import ConfigError
from companion.review.category_words import WORDS_FILE, category_words, load_words
from companion.review.present import categories_named

# (what the reviewer types, the categories it names)
TYPED = [
    ("Prices", ["pricing"]), ("price", ["pricing"]), ("quotation", ["pricing"]), ("报价", ["pricing"]),
    ("单价", ["pricing"]), ("价格", ["pricing"]),
    ("联系方式", ["contact_pii"]), ("contact", ["contact_pii"]), ("Phone", ["contact_pii"]),
    ("phone numbers", ["contact_pii"]), ("电话", ["contact_pii"]), ("邮箱", ["contact_pii"]),
    ("e-mail", ["contact_pii"]), ("Personal data", ["contact_pii"]),
    ("clients", ["client_confidential"]), ("客户", ["client_confidential"]),
    ("passwords", ["credentials"]), ("密码", ["credentials"]), ("api key", ["credentials"]),
    ("competitors", ["competitor"]), ("竞品", ["competitor"]),
    ("politics", ["sensitive_topic"]), ("红线", ["sensitive_topic"]),
    ("roadmap", ["unreleased_product"]), ("新品", ["unreleased_product"]),
    ("defamation", ["disparagement"]), ("personal account", ["wrong_account"]),
]
# Terms that name no category: words of no label or alias, and short pieces of a word only.
NOTHING = ["Shanghai", "wang.wei@example.com", "电", "ph", "  ", "linkedin"]


@pytest.mark.parametrize(("term", "expected"), TYPED)
def test_a_category_is_named_by_the_words_a_reviewer_types(term, expected):
    assert categories_named(term) == expected


@pytest.mark.parametrize("term", NOTHING)
def test_other_words_name_no_category(term):
    assert categories_named(term) == []


def test_every_category_has_english_and_chinese_words():
    words = category_words()
    assert set(words) == set(CATEGORIES)
    raw = load_words(WORDS_FILE)
    for category in CATEGORIES:
        assert any(w.isascii() for w in raw[category]) and any(not w.isascii() for w in raw[category]), category


@pytest.mark.parametrize(("text", "line", "field", "says"), [
    ("contact_pii:\n  en: [phone]\n", 1, "contact_pii.zh", "list of zh words"),
    ("pricing:\n  en: [price]\n  zh: [价格]\n", None, "contact_pii.en", "list of en words"),  # missing
    ("contact_pii:\n  en: [phone]\n  zh: []\n", 1, "contact_pii.zh", "list of zh words"),
    ("contact_pii: [phone]\n", 1, "contact_pii.en", "list of en words"),
    ("pricing: [\n", None, None, "not valid YAML"),
])
def test_a_broken_words_file_is_refused_naming_file_line_and_field(tmp_path, text, line, field, says):
    path = tmp_path / "words.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_words(path)
    assert caught.value.path == str(path) and caught.value.field == field and says in str(caught.value)
    if line is not None:
        assert caught.value.line == line


def test_a_category_the_engine_does_not_have_is_refused(tmp_path):
    shipped = WORDS_FILE.read_text(encoding="utf-8")
    path = tmp_path / "words.yaml"
    path.write_text(shipped + "\nprices:\n  en: [price]\n  zh: [价格]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_words(path)
    assert caught.value.field == "prices" and caught.value.line == shipped.count("\n") + 2
