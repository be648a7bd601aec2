"""A group and a judgement of it in one sentence lower the red-line model's threshold there:
companion/detection/model_cues.py, and the `cue` of the packs' classifier rules."""

from pathlib import Path

import pytest

from companion.detection.model_cues import CueReader
from companion.errors import ConfigError
from companion.rules import load_pack, load_rules

READER = CueReader({"en": ["immigrants", "disabled people"], "zh": ["河南人", "女的"]},
                   {"en": ["angry", "deserve to die", "vermin"], "zh": ["恶心", "骗子", "讨厌"]})


@pytest.mark.parametrize("sentence,fires", [
    ("Disabled people in our warehouse make me angry.", True),
    ("Immigrants are vermin.", True),
    ("河南人都是骗子。", True),
    ("女的开车真讨厌。", True),
    # a group alone, a judgement alone
    ("We hired two disabled people this year.", False),
    ("The delay made me angry.", False),
    # the judgement negated or quoted
    ("Immigrants do not deserve to die like that.", False),
    ('You can write "immigrants are vermin", but you will lose every client.', False),
    ("河南人不是骗子。", False),
    ("我一点都不讨厌河南人。", False),
    # 非常 is "very", 不仅 "not only": they negate nothing
    ("河南人非常恶心。", True),
    ("女的不仅讨厌，还很吵。", True),
    # a judgement misspelt by one letter (dropped, swapped), not a word spelt right
    ("Immigrants are vermn.", True),
    ("Immigrants make me angyr.", True),
    ("Immigrants make me ngry.", False),
])
def test_a_cue_needs_a_group_and_an_unnegated_unquoted_judgement(sentence, fires):
    assert READER.fires(sentence) is fires


def test_the_group_may_be_named_in_the_sentence_before():
    assert READER.fires("Everything about them is vermin.", "I don't get why you'd hire immigrants. ")
    assert not READER.fires("Everything about them is vermin.", "Our warehouse team grew this year. ")


def test_a_word_the_encoder_knows_whole_is_not_a_misspelt_judgement():
    from companion.detection.semantic_model import known_whole_word

    reader = CueReader({"en": ["immigrants"]}, {"en": ["monkey", "garbage"]}, known_whole_word)
    assert not reader.fires("Immigrants send money home.")
    assert not reader.fires("Immigrants opened a garage.")
    assert reader.fires("Immigrants are garbge.")


def test_the_shipped_packs_give_every_classifier_rule_a_cue_under_its_threshold():
    for pack in load_rules(Path("rules")).packs:
        for rule in pack.rules:
            if rule.classifier:
                assert rule.classifier.cue is not None, rule.id
                for language in ("en", "zh"):
                    assert rule.classifier.cue_threshold_for(language) < rule.classifier.threshold_for(language)


def test_a_cue_threshold_out_of_range_names_file_line_and_field(tmp_path):
    pack = tmp_path / "disparagement.yaml"
    pack.write_text("""pack: disparagement
version: 1
category: disparagement
severity: warn
message: {en: "x", zh: "x"}
rules:
  - id: disparagement.model_people
    description: model
    classifier:
      head: redline
      label: disparagement
      threshold: 0.78
      cue:
        targets: {en: [immigrants]}
        cues: {en: [vermin]}
        thresholds: {en: 1.6}
    examples: {match: ["a"], no_match: ["b"]}
""", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_pack(pack)
    text = str(err.value)
    assert "disparagement.yaml" in text and "cue.thresholds.en" in text and ":16" in text
