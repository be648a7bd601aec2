"""A pattern recognizer on RE2: Presidio's PatternRecognizer shape, linear time on any post.

Presidio's PatternRecognizer runs Python's backtracking `re`. Recognizers that need
"not preceded / not followed by" (which RE2 cannot say) subclass this one instead:
`PATTERNS` hold `(name, regex, score, not_before, not_after)`, where the guards are
character-class bodies checked on the one character around a match, and
`validate_result()` is the checksum hook, as in Presidio. A recognizer that runs over the
whole post instead of Presidio's windows sets `BOOST_BY_CONTEXT` to apply Presidio's context
rule itself (`context_words.py`) and `MAX_MATCHES` to read every match in a long post.
"""

from __future__ import annotations

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from companion.detection.linear_regex import MAX_MATCHES, LinearPattern
from companion.detection.recognizers.context_words import boosted


class LinearPatternRecognizer(EntityRecognizer):
    """Subclasses set ENTITY, PATTERNS and optionally CONTEXT and validate_result()."""

    ENTITY = ""
    PATTERNS: list[tuple[str, str, float, str | None, str | None]] = []
    CONTEXT: list[str] = []
    IGNORE_CASE = False
    BOOST_BY_CONTEXT = False
    MAX_MATCHES = MAX_MATCHES

    def __init__(self):
        super().__init__(supported_entities=[self.ENTITY], supported_language="en",
                         context=self.CONTEXT, name=type(self).__name__)

    def load(self) -> None:
        self._compiled = [(name, LinearPattern(regex, ignore_case=self.IGNORE_CASE, not_before=before,
                                               not_after=after, max_matches=self.MAX_MATCHES), score)
                          for name, regex, score, before, after in self.PATTERNS]

    def validate_result(self, pattern_text: str) -> bool:
        """A checksum or other test on the matched text; True keeps the match."""
        return True

    def analyze(self, text, entities, nlp_artifacts=None):
        results = []
        for name, pattern, base_score in self._compiled:
            score = base_score
            for m in pattern.finditer(text):
                if not self.validate_result(m.group()):
                    continue
                if self.BOOST_BY_CONTEXT:
                    score = boosted(text, m.start(), base_score, self.CONTEXT)
                results.append(RecognizerResult(
                    self.ENTITY, m.start(), m.end(), score,
                    analysis_explanation=AnalysisExplanation(self.name, score, pattern_name=name),
                    recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                          RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}))
        return results
