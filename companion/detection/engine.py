"""The detection engine: one post's text and images in, a verdict and findings out.

Every matcher reports `Candidate`s; the engine then, once for all of them:
1. scores context (a context word near a match adds the rule's boost) and applies the
   pack's threshold;
2. drops what the org's allow list covers (its own name, domain, emails, phones);
3. merges neighbouring candidates of one category into one finding
   ("USD 0.42/pc" + "FOB Ningbo" -> one price quote);
4. masks the excerpt and writes the message in the reader's language.

Images are read by OCR and their text goes through the same steps, with a tolerant
pass over the client list; their findings carry the pixel box to black out.
The engine never imports Flask: the CLI and the HTTP API are two doors onto it.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass

from companion.detection.candidates import Candidate
from companion.detection.company_list import find_company_names
from companion.detection.deadline import Deadline
from companion.detection.finding_cap import FindingCap
from companion.detection.masking import masked_excerpt
from companion.detection.normalize import normalize_with_map
from companion.detection.org_matchers import OrgMatchers
from companion.detection.pii import PiiScanner
from companion.detection.rule_matchers import RuleMatcher, context_present
from companion.detection.semantic_matcher import SHIPPED_MODELS_DIR, SemanticMatcher
from companion.detection.types import SEVERITY_RANK, Finding, ScanResult, verdict_for
from companion.detection.whole_text import WholeTextScanner
from companion.ocr.base import OcrEngine, OcrResult
from companion.ocr.cache import OcrCache
from companion.ocr.runner import OcrError
from companion.rules import RuleSet

_MERGE_GAP = 3


@dataclass
class ImageInput:
    """One attached image, already decoded (EXIF orientation applied)."""

    image: object
    name: str = ""
    digest: str = ""  # sha256 of the attached bytes: the same photo is read once


class DetectionEngine:
    """Built once per process from the rules, the org lists, Presidio and an OCR engine."""

    def __init__(self, rules: RuleSet, org: OrgMatchers, analyzer, ocr: OcrEngine | None = None,
                 ocr_budget_s: float = 2.5, check_budget_s: float | None = None):
        self.rules = rules
        self.org = org
        self.ocr = ocr
        self.ocr_budget_s = ocr_budget_s
        self.check_budget_s = check_budget_s
        self.ocr_cache = OcrCache()
        self.analyzer = analyzer  # kept so a rule reload can reuse the loaded spaCy pipeline
        self._rule_matcher = RuleMatcher(rules.packs)
        self._pii = PiiScanner(analyzer, rules.pack_for("contact_pii"))
        self._whole_text = WholeTextScanner(rules.packs, markets=org.markets)
        self._list_rules = [(p, r) for p in rules.packs for r in p.rules if r.org_list]
        self._company_rules = [(p, r) for p in rules.packs for r in p.rules if r.company_list]
        # The packs' `classifier` rules (a trained head per sentence); None checks lexically only.
        self.semantic = SemanticMatcher(rules.packs, rules.models_dir or SHIPPED_MODELS_DIR) or None

    def keep_caches_of(self, previous: "DetectionEngine") -> None:
        """After a rules reload, take over what `previous` cached that the new rules cannot change:
        photos' OCR readings (same OCR engine), Presidio's window results (same analyzer and
        entities), the red-line scores (same model files). What depends on the rules is built anew."""
        if previous.ocr is self.ocr:
            self.ocr_cache = previous.ocr_cache
        self._pii.keep_windows_of(previous._pii)
        if self.semantic is not None:
            self.semantic.keep_scores_of(previous.semantic)

    # -- public API ---------------------------------------------------------------

    def warm_up(self) -> None:
        """Build what images need (the OCR-tolerant list indexes) before the first photo, and
        what the first number of each country would (`WholeTextScanner.warm_up`)."""
        for matcher in (self.org.clients, self.org.competitors, self.org.products):
            matcher.fuzzy_index(pause_every=2_000)  # beside the first checks: it lets them go first
        self._whole_text.warm_up()
        self.check_text("warm up USD 1.00/pc", fuzzy=True)
        freeze_what_start_built()

    def check(self, text: str, images: list[ImageInput] = (), lang: str = "en") -> ScanResult:
        """Check one post: its text, then each image's OCR text."""
        started = time.perf_counter()
        deadline = Deadline(self.check_budget_s)
        cap = FindingCap()
        findings = self.check_text(text, lang=lang, deadline=deadline, cap=cap)
        timings = {"text": _ms(started)}
        incomplete = False
        ocr_started = time.perf_counter()
        warnings: list[str] = []
        for index, image in enumerate(images):
            try:
                ocr_result = self._read(image)
            except OcrError as exc:
                # No OCR (Tesseract missing or failing): the text is still checked, and the
                # answer says plainly that the photo could not be read.
                warnings.append(exc.code)
                ocr_result = OcrResult(text="", incomplete=True)
            incomplete |= ocr_result.incomplete
            findings += self._image_findings(ocr_result, index, lang)
        if images:
            timings["ocr"] = _ms(ocr_started)
        timings["total"] = _ms(started)
        result = ScanResult(verdict_for(findings), findings, timings, incomplete)
        if incomplete:
            result.warnings.append("ocr_incomplete")
        if deadline.hit or cap.capped:
            result.text_incomplete = True
            result.warnings.append("text_incomplete")
        if cap.capped:
            result.warnings.append("findings_capped")
        result.warnings += sorted(set(warnings))
        return result

    def check_text(self, text: str, *, lang: str = "en", fuzzy: bool = False,
                   deadline: Deadline | None = None, photo: bool = False,
                   cap: FindingCap | None = None) -> list[Finding]:
        """Findings in a text, with offsets into that text; `deadline` may cut the work short;
        `photo` when the text is what OCR read in an image; `cap` records what the cap on
        findings of one rule left unread (one is made when not given)."""
        candidates = self.candidates(text, fuzzy=fuzzy, deadline=deadline, photo=photo, cap=cap)
        return [self._finding(text, group, lang) for group in _merge(text, candidates)]

    def candidates(self, text: str, *, fuzzy: bool = False, deadline: Deadline | None = None,
                   photo: bool = False, cap: FindingCap | None = None) -> list[Candidate]:
        """Scored, allow-filtered candidates (exposed for tests and rule examples).

        The org lists and rule packs run first (they are cheap and give the most precise
        reasons); Presidio's windows come last, so a deadline cuts the costliest part.
        """
        deadline = deadline or Deadline.none()
        cap = cap or FindingCap()
        norm = normalize_with_map(text)
        allowed = self.org.allowed_spans(norm, text)
        listed = self._org_candidates(norm, text, fuzzy)
        spans = {"clients": [(c.start, c.end) for c in listed if c.rule.org_list == "clients"],
                 "competitors": [(c.start, c.end) for c in listed if c.rule.org_list == "competitors"]}
        found = self._rule_matcher.find(text, spans, deadline) + listed
        if not deadline.expired():
            found += self._company_candidates(text, allowed)
        cap.keep = lambda c: self._kept(text, c, allowed)
        kept = [c for c in found if cap.keep(c)] + self._whole_text.find(text, deadline, cap)
        kept += self._pii.find(text, deadline, cap)
        if self.semantic is not None and not deadline.expired():
            kept += self.semantic.find(text, kept, deadline, photo=photo, unread=cap.unread)
        return kept

    def _kept(self, text: str, c: Candidate, allowed: list[tuple[int, int]]) -> bool:
        """Context first (a context word near a match adds the rule's boost), then the pack's
        threshold and the org's allow list."""
        if c.rule.context and context_present(text, c.start, c.end, c.rule.context,
                                              c.pack.context_window):
            c.score = min(1.0, c.score + c.rule.context_boost)
        return c.score >= c.pack.threshold and not self._allowed(text, c, allowed)

    # -- matchers ------------------------------------------------------------------

    def _org_candidates(self, norm, text: str, fuzzy: bool) -> list[Candidate]:
        found = []
        for pack, rule in self._list_rules:
            if rule.org_list == "clients":
                matches = self.org.find_clients(norm, text, fuzzy)
            else:
                matcher = self.org.competitors if rule.org_list == "competitors" else self.org.products
                matches = matcher.find(norm, text) + (matcher.find_fuzzy(norm, text) if fuzzy else [])
            for m in matches:
                found.append(Candidate(m.start, m.end, pack, rule, rule.score * m.score,
                                       label=m.entry.kind))
        return found

    def _company_candidates(self, text: str, allowed: list[tuple[int, int]]) -> list[Candidate]:
        found = []
        for pack, rule in self._company_rules:
            names = find_company_names(text, exclude=allowed)
            if len({text[s:e].casefold() for s, e in names}) >= rule.company_list:
                found += [Candidate(s, e, pack, rule, rule.score) for s, e in names]
        return found

    def _allowed(self, text: str, c: Candidate, allowed: list[tuple[int, int]]) -> bool:
        if _inside((c.start, c.end), allowed):
            return True
        return c.pack.category == "contact_pii" and self.org.is_allowed_value(
            text[c.value_start:c.value_end])

    # -- building findings -----------------------------------------------------------

    def _finding(self, text: str, group: list[Candidate], lang: str) -> Finding:
        best = max(group, key=lambda c: (SEVERITY_RANK[_severity(c)], c.score))
        start, end = min(c.start for c in group), max(c.end for c in group)
        style = "email" if best.label == "client_contact" else best.rule.mask
        excerpt = masked_excerpt(text, start, end, [(c.value_start, c.value_end) for c in group], style)
        template = (best.rule.message or best.pack.message)[lang if lang in ("en", "zh") else "en"]
        return Finding(category=best.pack.category, severity=_severity(best), rule=best.rule.id,
                       matched=text[start:end], excerpt=excerpt, start=start, end=end,
                       score=round(best.score, 2), message=template.format(excerpt=excerpt))

    def _read(self, image: ImageInput) -> OcrResult:
        if self.ocr is None:
            return OcrResult(text="", incomplete=True)
        cached = self.ocr_cache.get(image.digest) if image.digest else None
        if cached is not None:
            return cached
        result = self.ocr.read(image.image, self.ocr_budget_s)
        self.ocr_cache.put(image.digest, result)
        return result

    def _image_findings(self, ocr_result: OcrResult, index: int, lang: str) -> list[Finding]:
        findings = self.check_text(ocr_result.text, lang=lang, fuzzy=True, photo=True)
        for f in findings:
            f.source, f.image_index = "image", index
            f.bbox = ocr_result.bbox_for_span(f.start, f.end)
        return findings


def freeze_what_start_built() -> None:
    """Leave what start-up (or a reload) built out of the garbage collector's full collections.

    The companion holds about 156,000 objects after start (modules, spaCy, Presidio, the rules);
    a full collection walks all of them (about 60 ms of CPU), and a post of 100,000 characters
    allocates enough to set one off every few checks, inside a salesperson's check. Frozen, they
    are never walked again; what checks allocate is collected as before. A reload unfreezes first
    (`runtime.rebuild_engine`) and again once its engine is in force (`refreeze_after_swap`), so
    the engine it replaced is collected at once.
    """
    gc.collect()
    gc.freeze()


def refreeze_after_swap() -> None:
    """After a reload swapped its new engine in: unfreeze, so that the engine it replaced (frozen
    by the new one's warm-up while it was still in force) is collected, then freeze what is left."""
    gc.unfreeze()
    freeze_what_start_built()


def _severity(c: Candidate) -> str:
    return c.rule.severity or c.pack.severity


def _inside(span: tuple[int, int], allowed: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in allowed)


def _merge(text: str, candidates: list[Candidate]) -> list[list[Candidate]]:
    """Group same-category candidates that overlap or sit a few spaces/commas apart."""
    groups: list[list[Candidate]] = []
    by_category: dict[str, list[Candidate]] = {}
    for c in sorted(candidates, key=lambda c: (c.start, -c.end)):
        by_category.setdefault(c.pack.category, []).append(c)
    for items in by_category.values():
        # The group's end is carried along: recomputing it per candidate made a post of
        # 7,000 e-mail addresses in a row (one group) cost 25 million steps.
        current, end = [items[0]], items[0].end
        for c in items[1:]:
            gap = text[end:c.start]
            if c.start <= end or (len(gap) <= _MERGE_GAP and not gap.strip(" ,;/")):
                current.append(c)
                end = max(end, c.end)
            else:
                groups.append(current)
                current, end = [c], c.end
        groups.append(current)
    return sorted(groups, key=lambda g: min(c.start for c in g))


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
