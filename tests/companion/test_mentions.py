"""A slur quoted or named is a mention (counter-speech), not a use: companion/detection/mentions.py."""

import pytest

from companion.detection.mentions import clause_after, is_mention, negated

CASES = [
    # (text, the word, is a mention)
    ('He said this was "typical coon behaviour", which shows how bigoted he is.', "coon", True),
    ("He said this was “typical coon behaviour”, which shows how bigoted he is.", "coon", True),
    ("He said ‘typical coon behaviour’, it’s bigoted.", "coon", True),
    ("It's really not okay to be calling people tranny.", "tranny", True),
    ("Why would you think it's okay to call me a cripple?", "cripple", True),
    ("Please stop using the word retard.", "retard", True),
    ("当一个人说“河南人偷井盖”，另一个河南人不应该觉得被冒犯。", "偷井盖", True),
    ("说到河南人就是偷井盖的，这就是地域黑。", "偷井盖", True),
    ("总有人说东北人素质低，我接触的都很好。", "素质低", True),
    ("别再叫人家娘炮了。", "娘炮", True),
    ("河南人不偷井盖。", "偷井盖", True),
    ("不是所有河南人都是骗子。", "骗子", True),
    ("谁说东北人素质低？我的客户都很好。", "素质低", True),
    ("Not all immigrants are vermin, stop it.", "vermin", True),
    ("It is true, not all of them came. Immigrants are vermin.", "vermin", False),
    ("他不是所有人的朋友，可河南人都是骗子。", "骗子", False),
    # uses
    ("You are just a coon to me.", "coon", False),
    ("Typical coon behaviour.", "coon", False),
    ("It’s a coon, isn’t it.", "coon", False),
    ('"Great fair." You are just a tranny to me.', "tranny", False),
    ("作为河南人，我一定是去偷井盖。", "偷井盖", False),
    ("我们班娘炮和女生玩的可开心了", "娘炮", False),
]


@pytest.mark.parametrize("text,word,expected", CASES)
def test_quoted_or_named_words_are_mentions(text, word, expected):
    start = text.index(word)
    assert is_mention(text, start, start + len(word)) is expected


def test_a_quote_in_another_sentence_does_not_make_a_mention():
    text = 'We said "hello". You are just a coon to me. See "you" later.'
    start = text.index("coon")
    assert not is_mention(text, start, start + 4)


NEGATED = [
    ("我们的上海客户从不小气。", "小气", True),
    ("客户一点也不抠门。", "抠门", True),
    ("这个人不太专业。", "专业", True),
    ("Our buyers are never late.", "late", True),
    ("They aren't at all rude.", "rude", True),
    ("Arabs are not reliable partners.", "reliable", True),
    ("这个客户非常小气。", "小气", False),
    ("这家供应商很不靠谱。", "不靠谱", False),
    ("Not only is he rude, he is late.", "rude", False),
    ("Our buyers are lazy.", "lazy", False),
]


@pytest.mark.parametrize("text,word,expected", NEGATED)
def test_a_negation_just_before_a_word_is_read(text, word, expected):
    assert negated(text, text.index(word)) is expected


def test_the_clause_after_a_match_ends_at_a_comma_or_a_sentence_end():
    text = "Asians are loyal, but cheap. Next sentence"
    assert clause_after(text, text.index(" loyal")) == " loyal"
    assert clause_after("客户都很热情。下一句", 2) == "都很热情"
