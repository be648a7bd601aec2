"""The review pages in English or Chinese: which language a request gets, and the words.

The language is the reviewer's choice from the switch at the top of every page (a cookie,
`pg_lang`), else the browser's Accept-Language, else English. Messages are keyed by their
English text, as gettext does: a template says `_("Hash chain intact")` and reads the same
in English; the Chinese is in messages_zh.py, and tests/companion/test_review_i18n.py fails
when a message in a template or a label table has no Chinese.

    _(text, **values)          the text in the page's language, with %(name)s filled in
    _m(text, **values)         the same as markup, for sentences around a link or a <code>
                               (the values are escaped unless they are markup themselves)
    _n(one, many, n, **values) the singular or plural form for n (Chinese has one form)
    as_code(text)              <code>text</code>, escaped, for _m

Another blueprint with words of its own (the central service's pages) makes a Catalogue of its
table and hands it to template_context; the language and its cookie are the same for both.
"""

from __future__ import annotations

from flask import Request, g, has_request_context
from markupsafe import Markup, escape

from companion.review.messages_zh import ZH

LANGUAGES = ("en", "zh")
LANG_COOKIE = "pg_lang"
HTML_LANG = {"en": "en", "zh": "zh-CN"}
SWITCH_LABELS = {"en": "English", "zh": "中文"}


def request_language(req: Request) -> str:
    """The switch's choice, else the browser's preferred of English and Chinese, else English."""
    chosen = req.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    best = req.accept_languages.best_match(["en", "zh", "zh-CN", "zh-Hans", "zh-TW", "zh-HK"], default="en")
    return "zh" if best.lower().startswith("zh") else "en"


def current_language() -> str:
    """The language of the page being rendered (English outside a request)."""
    if not has_request_context():
        return "en"
    if "pg_lang" not in g:
        from flask import request

        g.pg_lang = request_language(request)
    return g.pg_lang


class Catalogue:
    """The three helpers over one table of Chinese messages: the review pages' (ZH) by default,
    another blueprint's (the central service's pages) with its own table."""

    def __init__(self, table: dict[str, str]):
        self.table = table

    def translate(self, text: str) -> str:
        """`text` in the current language; English, or a message not in the table, as it is."""
        return self.table.get(text, text) if current_language() == "zh" else text

    def gettext(self, text: str, **values) -> str:
        """`_()`: the text translated, with `%(name)s` placeholders filled from `values`."""
        out = self.translate(text)
        return out % values if values else out

    def markup_gettext(self, text: str, **values) -> Markup:
        """`_m()`: the translated sentence as markup; plain values are escaped, markup kept."""
        out = Markup(self.translate(text))
        return out % {k: v if isinstance(v, Markup) else escape(v) for k, v in values.items()} if values else out

    def ngettext(self, one: str, many: str, n: int, **values) -> str:
        """`_n()`: the form for `n`; `%(n)s` is the number with thousands separators."""
        return self.gettext(one if n == 1 else many, n=f"{n:,}", **values)


REVIEW_MESSAGES = Catalogue(ZH)
translate = REVIEW_MESSAGES.translate
gettext = REVIEW_MESSAGES.gettext
markup_gettext = REVIEW_MESSAGES.markup_gettext
ngettext = REVIEW_MESSAGES.ngettext


def code(text) -> Markup:
    """`<code>text</code>` with the text escaped."""
    return Markup("<code>%s</code>") % text


_SOURCES = (("Audit log on this computer (", ")", "Audit log on this computer (%(dir)s)", "dir"),
            ("Central audit store ", ", all laptops", "Central audit store %(db)s, all laptops", "db"))


def source_text(label: str) -> str:
    """The page's "reading from" line (set once, in English, by whoever mounts the page) in the
    page's language, when it is one of the two the companion and the central service write."""
    for head, tail, message, name in _SOURCES:
        if label.startswith(head) and label.endswith(tail):
            return gettext(message, **{name: label[len(head):len(label) - len(tail)]})
    return label


def template_context(catalogue: Catalogue = REVIEW_MESSAGES) -> dict:
    """What the review templates get: the four helpers, the language and the switch's targets
    (another blueprint passes its own catalogue)."""
    lang = current_language()
    return {"_": catalogue.gettext, "_m": catalogue.markup_gettext, "_n": catalogue.ngettext, "as_code": code, "lang": lang, "source_text": source_text,
            "html_lang": HTML_LANG[lang], "other_languages": [(k, v) for k, v in SWITCH_LABELS.items() if k != lang]}
