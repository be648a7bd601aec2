"""The words a reviewer types for a category, kept as data (category_words.yaml): the review search
names a category by its label (present.py) or by one of these, in English or in Chinese, whatever
the page's language. "Prices", "phone", 联系方式 find pricing and contact_pii, whose labels
(Pricing/价格, Personal data/个人数据) do not hold those words.

    category_words()            id -> every word for it, its labels in both languages first
    names_category(term, words) whether a search term names a category with those words

The file is read once and checked: every category of the engine has English and Chinese words, and
a mistake is reported with the file, line and field.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

WORDS_FILE = Path(__file__).with_name("category_words.yaml")
LANGUAGES = ("en", "zh")
# A term this long (Latin letters; Chinese characters count double) may be part of a word; a shorter
# one must be a whole word, so "co" or "电" do not name half the categories through their words.
PART_OF_WORD_MIN = 3


@functools.cache
def category_words() -> dict[str, tuple[str, ...]]:
    """Category id -> its label in English and in Chinese, then the file's words, lower-cased."""
    from companion.review.messages_zh import ZH
    from companion.review.present import CATEGORY_LABELS

    aliases = load_words(WORDS_FILE)
    return {category: (label.casefold(), ZH.get(label, label).casefold(), *aliases[category])
            for category, label in CATEGORY_LABELS.items()}


def names_category(term: str, words: tuple[str, ...]) -> bool:
    """Whether `term` (already case-folded and stripped) names the category with these `words`: part
    of one of its labels (the first two), or of one of its other words when long enough, else the
    whole of one. An English plural is taken as its singular ("prices", "phones")."""
    labels, others = words[:2], words[2:]
    forms = {term, term[:-1]} if len(term) > 3 and term.endswith("s") and term.isascii() else {term}
    if any(form in label for form in forms for label in labels):
        return True
    long_enough = _weight(term) >= PART_OF_WORD_MIN
    return any(form == word or (long_enough and form in word) for form in forms for word in others)


def _weight(term: str) -> int:
    return sum(1 if ch.isascii() else 2 for ch in term)


def load_words(path: Path) -> dict[str, tuple[str, ...]]:
    """The file's words per category, checked against the engine's categories."""
    import yaml

    from companion.detection.types import CATEGORIES
    from companion.errors import ConfigError

    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"not valid YAML ({getattr(exc, 'problem', 'syntax error')})", path=str(path),
                          line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping of category ids", path=str(path))
    words: dict[str, tuple[str, ...]] = {}
    for category in CATEGORIES:
        entry = data.get(category)
        for language in LANGUAGES:
            listed = entry.get(language) if isinstance(entry, dict) else None
            if not listed or not isinstance(listed, list) or not all(isinstance(w, str) and w.strip() for w in listed):
                raise ConfigError(f"every category needs a list of {language} words", path=str(path),
                                  line=_line_of(text, category), field=f"{category}.{language}")
        words[category] = tuple(w.strip().casefold() for language in LANGUAGES for w in entry[language])
    for unknown in set(data) - set(CATEGORIES):
        raise ConfigError(f"not a category (one of {', '.join(CATEGORIES)})", path=str(path),
                          line=_line_of(text, str(unknown)), field=str(unknown))
    return words


def _line_of(text: str, key: str) -> int | None:
    found = re.search(rf"^{re.escape(key)}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None
