"""Red lines that word lists cannot reach: a trained model reads each sentence.

Prejudice rarely uses the words on our lists ("those people are all …", 某地人都…, sarcasm,
spaced-out slurs). `classifier` rules in the packs name a trained head
(companion/detection/semantic_model.py), the label it scores and the threshold chosen on
the dev split. This matcher:

1. splits the post into sentences (companion/detection/sentences.py);
2. encodes only the sentences it has not seen: scores are cached by sentence text (LRU),
   so a post pre-checked while the user typed costs only the edited sentences at the click;
3. reports one `Candidate` per sentence and category over the threshold (the rule's
   threshold for the sentence's language, English or Chinese, when the pack sets one), from
   the rule whose `groups` name what the sentence is about (its message says so: "a
   generalisation about a nationality"), or the pack's catch-all classifier rule;
   A rule's `cue` lowers that threshold in a sentence that judges a group it (or the sentence
   before it) names (companion/detection/model_cues.py): the lexical layer tells the model where
   to listen. A sentence that speaks of people only as "they" (他们, "those people") after a
   sentence that names a group is also read together with that sentence, and counts with the
   higher of the two readings ("We're talking about immigrants here. They can't help
   themselves …" is 0.46 alone, 0.78 together). A Chinese paragraph of two sentences or more
   (no line break between them, at most 300 characters) is read whole as well, and raises
   what none of its sentences raised where it reaches its rule's threshold plus
   PARAGRAPH_MARGIN (no cue): prejudice told across two sentences;
4. leaves a sentence alone in a category where a lexical rule already matched inside it,
   so the finding keeps that rule's precise excerpt and reason;
5. does not read a sentence whose words, outside what the patterns already explained (a
   price, a phone number, a client's name …), are too few to say anything about people:
   "USD 0.42/pc FOB Ningbo." is a quote, whole, and the encoder read its trade shorthand
   as demeaning talk about a region (0.91). Text that OCR read in a photo is held to more
   words (`worth_reading_in_photo`): a receipt's short lines and misread fragments are not
   statements about people.

The lexical rules stay; the model adds recall. Building the matcher loads the encoder and
every head once; a missing or corrupt head stops the companion with a ConfigError.
"""

from __future__ import annotations

from bisect import bisect_left
from pathlib import Path

from companion.detection.candidates import Candidate
from companion.detection.deadline import Deadline
from companion.detection.model_cues import CueReader, refers_back
from companion.detection.semantic_model import Head, known_whole_word, load_head, sentence_language, shared_encoder
from companion.detection.sentences import paragraphs, split_sentences, worth_reading, worth_reading_in_photo
from companion.errors import ConfigError
from companion.lru import BoundedLru
from companion.rules import Pack, Rule

CACHE_SENTENCES = 4096
# A Chinese paragraph read whole counts from its rule's threshold plus this margin (no cue): the
# model was trained on whole comments, and in a held-out fifth of COLD's training comments the
# whole reading at +0.05 found 43 more offensive ones of 2,486 for 4 fewer false alarms (with the
# `disparagement` threshold for Chinese at 0.77 instead of 0.75); dev agreed (+3, none more).
PARAGRAPH_MARGIN = 0.05
PARAGRAPH_LANGUAGES = ("zh",)
# ...and is read whole only where one of its sentences already scores this much in a red-line
# label. Reading a paragraph costs what reading its sentences did (the encoder's time grows with
# the characters), so reading them all took a 3,000-character Chinese post in paragraphs from
# 87 to 152 ms. In dev, no paragraph that raised a category had a sentence under 0.47, in 2,500 of
# COLD's training comments none under 0.34; a business post's sentences score 0.00-0.29.
PARAGRAPH_GATE = 0.25
# Sentences encoded together: batches are cheaper per sentence, and the deadline is checked
# between batches, so a small batch keeps a check that runs out of time close to its budget.
BATCH = 8
# The heads that ship with the companion, used when a rules folder has no models/ of its own.
SHIPPED_MODELS_DIR = Path(__file__).resolve().parents[2] / "rules" / "models"


class SemanticMatcher:
    """Sentence-level scores from the packs' `classifier` rules, cached by sentence text."""

    def __init__(self, packs: list[Pack], models_dir: Path, cache_size: int = CACHE_SENTENCES):
        self._rules = [(p, r) for p in packs for r in p.rules if r.classifier]
        self._heads: dict[str, Head] = {}
        for pack, rule in self._rules:
            name = rule.classifier.head
            if name not in self._heads:
                self._heads[name] = load_head(models_dir, name)
            if rule.classifier.label not in self._heads[name].labels:
                raise ConfigError(f"head {name!r} has no label {rule.classifier.label!r} "
                                  f"(it has {', '.join(self._heads[name].labels)})",
                                  path=f"{pack.pack}.yaml", field=f"{rule.id}.classifier.label")
        self._cues = {rule.id: CueReader(rule.classifier.cue.targets, rule.classifier.cue.cues, known_whole_word)
                      for _, rule in self._rules if rule.classifier.cue}
        self._encoder = shared_encoder() if self._rules else None
        self._cache: BoundedLru[str, dict] = BoundedLru(cache_size)

    def __bool__(self) -> bool:
        return bool(self._rules)

    def keep_scores_of(self, previous: "SemanticMatcher | None") -> bool:
        """After a rules reload: take `previous`'s heads and its cached scores when its heads are
        these, read from the same files (`Head.digest`); True when taken.

        A score depends on the sentence, the encoder (one per process) and the heads alone, not on
        the thresholds or groups a pack picks from it, so it holds across a reload that keeps the
        models. Starting empty instead meant re-encoding the sentences of the last few minutes, and
        each emptied-then-refilled cache left its high-water mark in Python's arenas.
        """
        if not self._rules or not previous:
            return False
        mine = {name: head.digest for name, head in self._heads.items()}
        theirs = {name: head.digest for name, head in previous._heads.items()}
        if mine != theirs or not all(mine.values()):
            return False
        self._heads, self._cache = previous._heads, previous._cache
        return True

    def versions(self) -> dict[str, int]:
        """Head name -> version, for health and audit."""
        return {name: head.version for name, head in self._heads.items()}

    def find(self, text: str, lexical: list[Candidate], deadline: Deadline | None = None,
             photo: bool = False, unread: list[tuple[int, int]] = ()) -> list[Candidate]:
        """Candidates for sentences over a threshold, except where `lexical` already covers one;
        `photo` when the text is what OCR read in an image (a stricter gate per sentence);
        `unread`, the phone-shaped runs a capped check did not read, are blanked as read
        numbers are (`finding_cap.py`)."""
        if not self._rules:
            return []
        deadline = deadline or Deadline.none()
        categories = {pack.category for pack, _ in self._rules}
        prose = _blank(text, [c for c in lexical if c.pack.category not in categories], unread)
        gate = worth_reading_in_photo if photo else worth_reading
        # A sentence no pattern touched is its own prose: gated once, not twice.
        every = split_sentences(text)
        spans = [(a, b, every[n - 1][0] if n else a) for n, (a, b) in enumerate(every)
                 if gate(text[a:b]) and (prose is text or prose[a:b] == text[a:b] or gate(prose[a:b]))]
        pairs = {(a, b): text[before:b] for a, b, before in spans if self._refers_to_group(text, a, b, before)}
        scores = self._scores([text[a:b] for a, b, _ in spans] + list(pairs.values()), deadline)
        whole = [] if photo else self._suspect(_paragraphs_to_read(text, prose, every, gate),
                                               self._suspect_starts(text, spans, scores))
        scores.update(self._scores([text[a:b] for a, b in whole], deadline))
        found = []
        for (start, end, before) in spans:
            sentence = text[start:end]
            if sentence not in scores:
                continue  # the deadline passed before this sentence was read
            score = _higher(scores[sentence], scores.get(pairs.get((start, end), "")))
            for pack, rule in self._pick(score, sentence, text[before:start]):
                if not any(c.pack.category == pack.category and c.overlaps(start, end) for c in lexical):
                    found.append(Candidate(start, end, pack, rule, rule.score, label=score["group"]))
        return found + self._paragraph_findings(text, whole, scores, lexical + found)

    def _suspect_starts(self, text: str, spans: list, scores: dict) -> list[int]:
        """Where each sentence read starts that scores PARAGRAPH_GATE or more in a label a
        classifier rule reads, in order."""
        labels = {(rule.classifier.head, rule.classifier.label) for _, rule in self._rules}
        return [a for a, b, _ in spans
                if (score := scores.get(text[a:b])) and max(score[head][label] for head, label in labels) >= PARAGRAPH_GATE]

    @staticmethod
    def _suspect(paragraphs: list[tuple[int, int]], suspect_starts: list[int]) -> list[tuple[int, int]]:
        """The paragraphs with a suspect sentence inside: only those are worth reading whole (see
        PARAGRAPH_GATE). A paragraph is whole sentences, so a sentence starting in it lies in it;
        found by bisection, so a long post's thousand paragraphs do not each walk every sentence."""
        return [(a, b) for a, b in paragraphs
                if (i := bisect_left(suspect_starts, a)) < len(suspect_starts) and suspect_starts[i] < b]

    def _paragraph_findings(self, text: str, whole: list[tuple[int, int]], scores: dict,
                            covered: list[Candidate]) -> list[Candidate]:
        """Candidates for paragraphs read whole, over the threshold plus PARAGRAPH_MARGIN, in a
        category that nothing in `covered` (the lexical rules, the sentences) already raised there."""
        found = []
        for start, end in whole:
            paragraph = text[start:end]
            if paragraph not in scores:
                continue  # the deadline passed before this paragraph was read
            for pack, rule in self._pick(scores[paragraph], paragraph, margin=PARAGRAPH_MARGIN):
                if not any(c.pack.category == pack.category and c.overlaps(start, end) for c in covered):
                    found.append(Candidate(start, end, pack, rule, rule.score, label=scores[paragraph]["group"]))
        return found

    def _refers_to_group(self, text: str, start: int, end: int, before: int) -> bool:
        """Whether the sentence speaks of people as "they" and the one before it names a group."""
        if before >= start or not refers_back(text[start:end]):
            return False
        return any(cue.names_group(text[before:start]) for cue in self._cues.values())

    def _pick(self, score: dict, sentence: str, before: str = "", margin: float | None = None) -> list[tuple[Pack, Rule]]:
        """Per category over its threshold (the rule's cue threshold where its cue fires in the
        sentence; `before` is the text since the previous sentence began, where its group may
        be named), the rule for the sentence's group, else the catch-all. With `margin` (a
        paragraph read whole), over the threshold plus the margin, and no cue."""
        picked: dict[str, tuple[Pack, Rule]] = {}
        for pack, rule in self._rules:
            spec = rule.classifier
            value, language = score[spec.head][spec.label], score["language"]
            if margin is not None:
                if value < spec.threshold_for(language) + margin:
                    continue
            elif value < spec.threshold_for(language) and not (
                    value >= spec.cue_threshold_for(language) and self._cues[rule.id].fires(sentence, before)):
                continue
            if score["group"] in spec.groups:
                picked[pack.category] = (pack, rule)
            elif not spec.groups:
                picked.setdefault(pack.category, (pack, rule))
        return list(picked.values())

    def _scores(self, sentences: list[str], deadline: Deadline) -> dict[str, dict]:
        """{sentence: {head: {label: p}, "group": name, "language": en|zh}}, encoding only what
        the cache lacks."""
        out, missing = {}, []
        for s in dict.fromkeys(sentences):
            cached = self._cache.get(s)
            if cached is not None:
                out[s] = cached
            else:
                missing.append(s)
        for at in range(0, len(missing), BATCH):
            if deadline.expired():
                break
            batch = missing[at:at + BATCH]
            with self._encoder.one_thread():
                vectors = self._encoder.encode(batch)
                per_head = {name: (head.category_scores(vectors, batch), head.group_of(vectors))
                            for name, head in self._heads.items()}
            for n, s in enumerate(batch):
                entry = {name: dict(zip(self._heads[name].labels, map(float, probs[n])))
                         for name, (probs, _) in per_head.items()}
                entry["group"] = next(iter(per_head.values()))[1][n]
                entry["language"] = sentence_language(s)
                self._cache.put(s, entry)
                out[s] = entry
        return out


def _paragraphs_to_read(text: str, prose: str, every: list[tuple[int, int]], gate) -> list[tuple[int, int]]:
    """The paragraphs (runs of sentences, `sentences.paragraphs`) read whole as well: those in
    PARAGRAPH_LANGUAGES that pass the sentence gate, on the text and on its prose."""
    return [(a, b) for a, b in paragraphs(text, every)
            if sentence_language(text[a:b]) in PARAGRAPH_LANGUAGES
            and gate(text[a:b]) and (prose is text or gate(prose[a:b]))]


def _higher(own: dict, together: dict | None) -> dict:
    """A sentence's scores, or where the reading with the sentence before it is higher in some
    label, the higher score per label and the group of the higher reading."""
    if together is None:
        return own
    out = {"language": own["language"]}
    for name, labels in own.items():
        if isinstance(labels, dict):
            out[name] = {label: max(p, together[name][label]) for label, p in labels.items()}
    best = lambda entry: max(p for labels in entry.values() if isinstance(labels, dict) for p in labels.values())
    out["group"] = together["group"] if best(together) > best(own) else own["group"]
    return out


def _blank(text: str, explained: list[Candidate], unread: list[tuple[int, int]] = ()) -> str:
    """The text with every span a pattern already explained (or a capped check left unread)
    blanked out (same length)."""
    if not explained and not unread:
        return text
    pieces, at = [], 0
    for span_start, span_end in sorted([(c.start, c.end) for c in explained] + list(unread)):
        start, end = max(span_start, at), span_end
        if end <= start:
            continue
        pieces += [text[at:start], " " * (end - start)]
        at = end
    pieces.append(text[at:])
    return "".join(pieces)
