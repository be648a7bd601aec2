"""Benchmark: the worst posts we can find, up to the size limit, and what a check of each costs.

Shapes that made backtracking matchers quadratic (runs of digits, `aA1_`, `1a`, `a.`,
`a-`, `x.`, `1,`), shapes that wake the costliest stages (numbers, phone numbers and
e-mail addresses everywhere, national numbers that libphonenumber tries region by region,
addresses whose every domain is new), a huge token, random CJK, and random mixes (of a few
classes, and of every letter, digit and a dozen signs, which the red-line encoder read whole
until 2026-12-05). Each is built fresh per length with seeded randomness, so no cache can
flatter a later row.

For each shape and length, one check through `engine.check` with the configured budget
(what a user gets: time and whether the answer says `text_incomplete`, and "capped" when it
says `findings_capped`: a post of more than 500 phone numbers, 20 card numbers or 25,000 characters of
contact data is read up to that many,
`detection/finding_cap.py`) and one through
`check_text` with no budget (what the whole check would cost, to show the matchers are
linear: the ms per 1,000 characters must not grow with the length). The full check is timed
twice: wall clock, and the CPU time of the checking thread ("cpu ms"), which a machine busy
with other work inflates far less and so compares two runs made side by side.

Run: .venv/bin/python bench/bench_worst.py [--lengths 3000,20000,99999] [--budget 1.5]
     [--shape "e-mail addresses" --shape "1,"]   only these shapes (names may hold commas)
Another checkout side by side: copy this file into its bench/ and run it there (it checks the
checkout it sits in).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from companion.config import Settings  # noqa: E402
from companion.runtime import build_engine  # noqa: E402


def _repeat(unit: str):
    return lambda n, rnd: (unit * (n // len(unit) + 1))[:n]


def _random_from(alphabet: str):
    return lambda n, rnd: "".join(rnd.choice(alphabet) for _ in range(n))


def _phones(n, rnd):
    return " ".join(f"+44 20 {rnd.randrange(1000, 9999)} {rnd.randrange(1000, 9999)}"
                    for _ in range(n // 18 + 1))[:n]


def _national_phones(n, rnd):
    return ", ".join(f"0{rnd.randrange(20, 99)} {rnd.randrange(1000, 9999)} {rnd.randrange(1000, 9999)}"
                     for _ in range(n // 15 + 1))[:n]


def _emails_new_domains(n, rnd):
    return " ".join(f"{rnd.randrange(10**6)}@d{rnd.randrange(10**9)}.co.uk" for _ in range(n // 24 + 1))[:n]


def _emails(n, rnd):
    return " ".join(f"u{rnd.randrange(10**6)}@x{rnd.randrange(999)}.com" for _ in range(n // 14 + 1))[:n]


def _prices(n, rnd):
    return " ".join(f"USD {rnd.randrange(1, 99)}.{rnd.randrange(10, 99)}/pc" for _ in range(n // 15 + 1))[:n]


def _price_tags(n, rnd):
    """Lines of an amount and a currency alone, read as price tags (or, for KM, as a measure)."""
    units = ("GEL", "lei", "Р", "р.", "som", "chf", "KM", "kgs", "TOP", "francs")
    return "\n".join(f"{rnd.randrange(1, 9999)} {rnd.choice(units)}" for _ in range(n // 7 + 1))[:n]


def _key_values(n, rnd):
    """Secrets given to names, one after another: `password=…` with a random value each."""
    return " ".join(f"password={_token(rnd, 12)}" for _ in range(n // 22 + 1))[:n]


def _bearer_headers(n, rnd):
    return "\n".join(f"Authorization: Bearer {_token(rnd, 30)}" for _ in range(n // 52 + 1))[:n]


def _urls_with_passwords(n, rnd):
    return " ".join(f"https://{_token(rnd, 6)}:{_token(rnd, 8)}@{_token(rnd, 5)}.com" for _ in range(n // 30 + 1))[:n]


def _token(rnd, length: int) -> str:
    return "".join(rnd.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(length))


def _public_sentences(chinese: bool):
    """Real sentences nobody here wrote (the public sets' EN or ZH items, HateCheck, COLD, UD,
    Tatoeba), shuffled, never repeated within a post: a long post of readable text, which the
    red-line encoder reads sentence by sentence."""
    def make(n, rnd):
        import json

        texts = []
        for path in sorted((REPO / "tests" / "data" / "public").glob("*/*.jsonl")):
            if path.parent.name in ("redline", "clean"):
                for line in path.read_text(encoding="utf-8").splitlines():
                    text = json.loads(line)["text"]
                    if any("\u4e00" <= c <= "\u9fff" for c in text) == chinese:
                        texts.append(text.strip())
        rnd.shuffle(texts)
        out, total = [], 0
        for text in texts:
            if total >= n:
                break
            out.append(text)
            total += len(text) + 1
        return ("" if chinese else " ").join(out)[:n]
    return make


def _cjk(n, rnd):
    return "".join(chr(rnd.randrange(0x4E00, 0x9FFF)) for _ in range(n))


SHAPES = {
    "digits": _repeat("1"), "aA1_": _repeat("aA1_"), "1a": _repeat("1a"), "a.": _repeat("a."),
    "a-": _repeat("a-"), "x.": _repeat("x."), "1,": _repeat("1,"), "1 (digit, space)": _repeat("1 "),
    "a@b": _repeat("a@b"), "Acme Inc": _repeat("Acme Inc "), "$1": _repeat("$1 "),
    "random digits+spaces": _random_from("0123456789 "),
    "random punctuation+digits": _random_from("0123456789.,-/()+ "),
    "random mixed classes": _random_from("aZ9_.-@ ,$€中"),
    "random letters and signs": _random_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-_@$€!?()/"),
    "phone numbers": _phones, "national phone numbers": _national_phones, "e-mail addresses": _emails,
    "e-mail addresses (new domains)": _emails_new_domains, "prices": _prices,
    "random CJK": _cjk, "huge token": _repeat("a"),
    "price tags": _price_tags,  # last, so the random text of the shapes above stays as it was
    # Repeated (no random draws): card numbers that the card cap alone would not stop, each beside
    # an IBAN-shaped word or a label that opens a window of its own.
    "cards between IBAN words": _repeat("4111 1111 1111 1111 AB12 CDEF "),
    "cards after a label": _repeat("account 4111 1111 1111 1111 "),
    # Readable text and secrets, last so the shapes above draw what they drew before (2026-12-05,
    # night): the encoder reads every sentence of these, a cost that grows with the characters.
    "secrets as key=value": _key_values, "Authorization headers": _bearer_headers,
    "URLs with a password": _urls_with_passwords,
    "English prose (public sentences)": _public_sentences(chinese=False),
    "Chinese prose (public sentences)": _public_sentences(chinese=True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="3000,20000,99999")
    parser.add_argument("--budget", type=float, default=Settings().check_budget_s)
    parser.add_argument("--shape", action="append", choices=list(SHAPES), metavar="NAME",
                        help="A shape to run, by its name; give it again for more (default: all).")
    args = parser.parse_args()
    lengths = [int(x) for x in args.lengths.split(",")]
    engine = build_engine(Settings(check_budget_s=args.budget))
    engine.warm_up()
    rnd = random.Random(2026)
    print(f"load average {os.getloadavg()[0]:.2f}; check budget {args.budget} s")
    print(f"{'shape':<28}{'chars':>7}{'check ms':>10}{'incomplete':>11}{'full ms':>10}{'ms/1k':>8}"
          f"{'cpu ms':>10}{'cpu/1k':>8}{'capped':>8}")
    worst = (0.0, "")
    names = args.shape or list(SHAPES)
    for name in names:
        make = SHAPES[name]
        for n in lengths:
            text = make(n, rnd)
            started = time.perf_counter()
            result = engine.check(text)
            check_ms = (time.perf_counter() - started) * 1000
            started, cpu_started = time.perf_counter(), time.thread_time()
            engine.check_text(make(n, rnd))
            full_ms = (time.perf_counter() - started) * 1000
            cpu_ms = (time.thread_time() - cpu_started) * 1000
            worst = max(worst, (check_ms, f"{name} at {n}"))
            print(f"{name:<28}{n:>7}{check_ms:>10.1f}{str(result.text_incomplete):>11}{full_ms:>10.1f}"
                  f"{full_ms / (n / 1000):>8.1f}{cpu_ms:>10.1f}{cpu_ms / (n / 1000):>8.1f}"
                  f"{str('findings_capped' in result.warnings):>8}", flush=True)
    print(f"worst check: {worst[0]:.1f} ms ({worst[1]}); load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
