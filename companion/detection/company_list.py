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
    r"(?:" + _NAME_WORD + r"[ \t]+){0,4}" + _NAME_WORD + r"[ \t]*,?[ \t]+(?:" + _FORMS + r")"
    r"|[\x{4e00}-\x{9fff}]{2,20}(?:股份有限公司|有限责任公司|有限公司|集团)",
    not_after=r"\pL\pN_")


def find_company_names(text: str, exclude: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(start, end) of every company name with a legal form, except those touching `exclude`.

    Names stay on one line: a list written one company per line is several names.
    """
    return [m.span() for m in COMPANY_NAME.finditer(text)
            if not any(m.start() < b and a < m.end() for a, b in exclude)]
