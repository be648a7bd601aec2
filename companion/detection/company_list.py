"""A list of company names is a customer list, even when no name is on the org's list.

A screenshot of "Hansen GmbH / Bellini S.r.l. / Nordvik AB / ..." tells competitors who
buys from us. Names with a legal form are counted; the org's own name does not count.
"""

from __future__ import annotations

from companion.detection.linear_regex import LinearPattern

# Legal forms as written in registers; `_spaced` lets each be typed with any spacing
# around its dots ("S. r. l.", "Sp. z o. o.", "Co. , Ltd", "L.L.C", "GmbH & Co.KG").
LEGAL_FORMS = ("GmbH & Co. KG", "GmbH", "AG", "KG", "Ltd.", "Limited", "LLC", "L.L.C.", "Inc.", "Corp.",
               "Corporation", "S.r.l.", "Srl", "SRL", "S.p.A.", "SpA", "SARL", "SAS", "S.A.", "B.V.", "BV",
               "N.V.", "NV", "AB", "Oy", "A/S", "ApS", "Sp. z o.o.", "Pty. Ltd.", "Pty Ltd", "PLC", "plc", "LLP",
               "S.L.", "s.r.o.", "Kft.", "Co., Ltd.", "Co. Ltd", "Co.", "S.A.S.", "SE", "e.K.", "Ltda.",
               "S.A. de C.V.", "K.K.", "Pte. Ltd.", "Sdn. Bhd.", "Bhd.")


def _spaced(form: str) -> str:
    """A form as an RE2 pattern: spaces optional around dots, commas and '&', and a
    trailing dot optional."""
    out = []
    for ch in form.rstrip("."):
        if ch == " ":
            out.append(r"[ \t]*")
        elif ch in ".,&/":
            out.append(r"[ \t]*" + "\\" + ch + r"?[ \t]*" if ch == "." else r"[ \t]*" + "\\" + ch + r"[ \t]*")
        else:
            out.append(ch)
    return "".join(out) + (r"\.?" if form.endswith(".") else "")


_FORMS = "|".join(_spaced(f) for f in sorted(LEGAL_FORMS, key=len, reverse=True))
_NAME_WORD = r"[\p{Lu}0-9][\pL\pN_&'’.\-]*"
# RE2: linear in the post whatever it holds (a run of capitalised words cannot backtrack).
COMPANY_NAME = LinearPattern(
    r"(?:" + _NAME_WORD + r"[ \t]+){0,4}" + _NAME_WORD + r"[ \t]*,?[ \t]+(?:" + _FORMS + r")",
    not_after=r"\pL\pN_")
# Chinese runs on without spaces ("宁波海天有限公司、深圳比亚迪股份有限公司和上海某某贸易有限公司都是"):
# the shortest name before a form, never across a list's 和/与/及/、, and Chinese text may
# follow it directly.
CHINESE_COMPANY_NAME = LinearPattern(r"[^\P{Han}和与及跟、，]{2,20}?(?:股份有限公司|有限责任公司|有限公司|集团)")


def find_company_names(text: str, exclude: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(start, end) of every company name with a legal form, except those touching `exclude`.

    Names stay on one line: a list written one company per line is several names.
    """
    spans = [m.span() for pattern in (COMPANY_NAME, CHINESE_COMPANY_NAME) for m in pattern.finditer(text)]
    return sorted(span for span in spans if not any(span[0] < b and a < span[1] for a, b in exclude))
