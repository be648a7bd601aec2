"""A word quoted or named is mentioned, not used: counter-speech and talk about words.

"He said this was "typical coon behaviour", which shows how bigoted he is", "It's really not
okay to be calling people tranny", 说到河南人就是“偷井盖”的，这就是地域黑: the slur is there,
and the writer rejects it. A slur list cannot tell these from the insult itself; where the
word stands can, in three readings:

- *quoted*: the match sits between a pair of quote marks inside its sentence (straight double
  quotes, “ ”, ‘ ’, 「 」, 『 』, « »); a straight single quote is an apostrophe too often to count;
- *named*: a naming verb stands just before it, in the same sentence ("call me a", "calling
  people", "the word", "words like"; 叫, 称, 说到, 骂, 有人说, 别再说);
- *denied*: a Chinese negation right before it (河南人不偷井盖, 并非骗子), or a generalisation
  rejected earlier in its clause (不是所有河南人都是骗子, 谁说…, "not all immigrants are …").

A rule pack rule with `skip_mentions: true` drops such matches (companion/detection/
rule_matchers.py). The red-line model still reads the sentence: a mention the writer does not
reject ("I'll just say it: "X are …"") is left to it, as any sentence without a slur is.
"""

from __future__ import annotations

from companion.detection.linear_regex import compile_linear

# Ends of a sentence for this purpose: a quote mark never spans them.
_SENTENCE_END = ".!?。！？\n"
# How far a mention looks, each way; a sentence longer than this is cut for the check.
_REACH = 200
_PAIRS = (("“", "”"), ("‘", "’"), ("「", "」"), ("『", "』"), ("«", "»"))
# A naming verb right before the match (anchored at the end of the text before it).
_NAMED = compile_linear(
    r"(?i)(?:(?:^|[^a-z])(?:call|calls|calling|called)\s+"
    r"(?:(?:me|you|him|her|them|us|people|someone|somebody|anyone|others|each other|myself|yourself|"
    r"ourselves|themselves|him or her|this|that|it|things like|stuff like)\s+)?(?:an?\s+)?"
    r"|(?:^|[^a-z])(?:the|that|this)\s+(?:word|words|term|terms|slur|slurs|name|names)\s+(?:of\s+|like\s+)?(?:an?\s+)?"
    r"|(?:^|[^a-z])(?:words|terms|slurs|names)\s+(?:like|such as)\s+(?:an?\s+)?"
    r"|(?:叫|称|称呼|称作|叫做|说到|一说|一提|说成|骂|(?:有人|别人|人家|别|不要|别再|不要再|总有人|老有人)说)[^，。！？,.!?；;]{0,6})$")

# A Chinese denial right before it: 河南人不偷井盖, 他们并非骗子 (a rejection, not a use).
_DENIED = compile_linear(r"(?:不|没|没有|并非|不是|绝不|从不)$")

# A generalisation denied or rejected earlier in its clause: 不是所有河南人都是骗子, 谁说东北人都懒,
# "not all immigrants are criminals", "stop saying women are stupid".
_DENIED_CLAIM = compile_linear(
    r"(?i)(?:不是所有|并不是所有|并非所有|不是每个|并不是每个|不是全部|不能说|不代表|并不代表|谁说|"
    r"(?:^|[^a-z])(?:not all|not every|stop saying|don't say|do not say|it's wrong to say|it is wrong to say))")
_CLAUSE_END = "，,；;：:"


# A negation close before a word ("not lazy", "never rude", "aren't reliable"; 从不小气, 一点也不抠门,
# 不太专业): what it negates is not said of anyone.
_NEGATED_EN = compile_linear(
    r"(?i)(?:^|[^a-z])(?:not|never|no|hardly|[a-z]+n't|[a-z]+n’t)\s+(?:(?:at all|so|too|very|that|really|even|"
    r"the|a|an|at|ever)\s+){0,2}$")
_NEGATED_ZH = compile_linear(r"(?:不|没|没有|毫不|并非|不是)(?:太|很|算|那么|怎么|大)?$")


def negated(text: str, start: int) -> bool:
    """True when a negation stands just before `text[start:]` ("not lazy", 从不小气)."""
    before = text[max(0, start - 30):start]
    return _NEGATED_EN.search(before) is not None or _NEGATED_ZH.search(before) is not None


def clause_after(text: str, end: int) -> str:
    """What follows `end` up to the end of its clause (a comma, a semicolon, a sentence's end)."""
    ceiling = min(len(text), end + _REACH)
    ends = [at for at in (text.find(mark, end, ceiling) for mark in _SENTENCE_END + _CLAUSE_END) if at >= 0]
    return text[end:min(ends) if ends else ceiling]


def is_mention(text: str, start: int, end: int) -> bool:
    """True when `text[start:end]` is quoted or named in its sentence, not used."""
    before = _sentence_before(text, start)
    after = _sentence_after(text, end)
    if before.count('"') % 2 == 1 and '"' in after:
        return True
    for opening, closing in _PAIRS:
        if before.rfind(opening) > before.rfind(closing) and closing in after:
            return True
    if _NAMED.search(before[-40:]) is not None or _DENIED.search(before[-4:]) is not None:
        return True
    return _DENIED_CLAIM.search(_clause(before)) is not None


def _sentence_before(text: str, start: int) -> str:
    floor = max(0, start - _REACH)
    return text[max(text.rfind(mark, floor, start) + 1 for mark in _SENTENCE_END) or floor:start]


def _sentence_after(text: str, end: int) -> str:
    ceiling = min(len(text), end + _REACH)
    ends = [at for at in (text.find(mark, end, ceiling) for mark in _SENTENCE_END) if at >= 0]
    # A closing quote may follow the full stop it encloses ("… scum." said he).
    return text[end:min(len(text), (min(ends) if ends else ceiling) + 2)]


def _clause(before: str) -> str:
    """The part of the sentence before a match that is in the match's clause."""
    cut = max(before.rfind(mark) for mark in _CLAUSE_END)
    return before[cut + 1:]
