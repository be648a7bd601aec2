"""Rebuild the public clean-post sample from Tatoeba's English-Chinese pairs (see DATACARD.md).

    python tests/data/public/clean/build_clean.py --pairs cmn.txt

`cmn.txt` is the tab-separated English / Chinese / attribution file that manythings.org
exports from Tatoeba (CC BY 2.0 FR). English and Chinese sentences are sampled from
*different* pairs (a pair goes to one language by a hash of its Tatoeba ids), so no post
is the translation of another. Half of each language is drawn from sentences with a
business word, half from the rest. Every sentence that carries a money amount, a
nationality, a religion or politics, an insult, a number run or a secret-looking word is
listed by `--flagged` for a person to read; what that person decided is `LABELS` below.
Everything not in `LABELS` is clean. Splits are fixed by a hash: 50 % train, 20 % dev,
30 % test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
PER_LANGUAGE = 700
BUSINESS_EN = re.compile(r"\b(compan|business|customer|client|meeting|office|market|factory|order|shipment|"
                         r"boss|product|sale|trade|price|contract|manager|employee|export|import|deliver|"
                         r"conference|colleague|work|job|salary|money|bank|shop|store|buy|sell|cost)", re.I)
BUSINESS_ZH = re.compile(r"公司|生意|客户|顾客|会议|办公|市场|工厂|订单|老板|产品|销售|贸易|价格|合同|经理|"
                         r"员工|出口|进口|送货|同事|工作|工资|钱|银行|商店|买|卖|花了|费用")
FLAG_EN = re.compile(r"\d|\$|€|£|¥|dollar|euro|yen|pound|cent\b|price|cost|cheap|expensive|pay|paid|"
                     r"password|secret|phone|call me|address|e-?mail|politic|elect|government|president|"
                     r"party|war\b|army|religio|god\b|church|muslim|islam|christian|jew|buddh|bible|"
                     r"race|racis|black|white people|nation|american|chinese|japanese|english|french|"
                     r"german|korean|indian|russian|african|foreigner|immigra|stupid|idiot|fool|lazy|"
                     r"hate|ugly|liar|kill", re.I)
FLAG_ZH = re.compile(r"\d|[一二三四五六七八九十百千万两]+(?:块|元|美元|欧元|日元|镑|分钱)|钱|价|便宜|贵|付|"
                     r"密码|秘密|电话|地址|邮件|政治|选举|政府|总统|党|战争|军|宗教|上帝|神|教堂|穆斯林|"
                     r"基督|犹太|佛|圣经|种族|黑人|白人|国人|美国|中国|日本|英国|法国|德国|韩国|印度|"
                     r"俄罗斯|非洲|外国|移民|笨|蠢|傻|懒|恨|丑|骗子|杀")

# Hand labels for the flagged sentences that are not clean, keyed by "<lang>-<tatoeba id>",
# decided under tests/data/README.md's rules: a price with a currency and a figure is
# `pricing`; calling one's boss stupid is `disparagement`; telling a government what to
# do is `sensitive_topic`.
PRICE = ["pricing"]
LABELS: dict[str, list[str]] = {
    "en-60783": PRICE, "en-2737508": PRICE, "en-43984": PRICE, "en-292450": PRICE,
    "en-50563": PRICE, "en-73498": PRICE, "en-795416": PRICE, "en-39152": PRICE,
    "en-264073": PRICE, "en-5498828": PRICE, "en-616188": PRICE, "en-27665": PRICE,
    "en-62027": ["disparagement"], "en-1210696": ["sensitive_topic"],
    "zh-1413681": PRICE, "zh-881721": PRICE, "zh-336702": PRICE,
    "en-271492": ["sensitive_topic"], "zh-334439": ["sensitive_topic"],
}
# Judgement calls that are clean but may fairly raise a category (not a false alarm if they
# do): money that is not a price (found, given, a budget, a valuation), neutral election and
# government news, praise or a mild remark about a nation, a dig at someone's pay.
ALSO_OK: dict[str, list[str]] = {
    "en-681287": PRICE, "en-7807367": PRICE, "en-50621": PRICE, "en-49092": PRICE,
    "zh-345905": PRICE, "zh-332727": PRICE,
    "en-1094869": ["sensitive_topic"], "en-8180386": ["sensitive_topic"],
    "en-802664": ["sensitive_topic"], "en-681087": ["sensitive_topic"],
    "zh-805145": ["sensitive_topic"], "zh-805136": ["sensitive_topic"],
    "en-277515": ["disparagement", "sensitive_topic"], "zh-336242": ["disparagement", "sensitive_topic"],
    "zh-797037": ["disparagement"], "en-4077202": ["disparagement"],
    **{key: ["sensitive_topic"] for key in (
        "en-1042587", "en-22865", "en-281385", "en-275885", "en-306550", "en-51884", "en-68284",
        "en-29643", "zh-335524", "zh-1394976", "zh-332569", "zh-408505", "zh-410860", "zh-5670805",
        "zh-678932", "zh-791342", "zh-791425", "zh-805192", "zh-833175", "zh-861067", "zh-873215")},
}


def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16)


def _pairs(path: Path):
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        ids = re.findall(r"#(\d+)", parts[2])
        if len(ids) == 2:
            yield parts[0].strip(), parts[1].strip(), ids[0], ids[1]


def _pick(candidates: list[tuple[str, str]], business: re.Pattern, count: int) -> list[tuple[str, str]]:
    """Half with a business word, half without, each in hash order (stable across runs)."""
    ranked = sorted(candidates, key=lambda c: _hash(c[0]))
    with_word = [c for c in ranked if business.search(c[1])]
    without = [c for c in ranked if not business.search(c[1])]
    half = min(count // 2, len(with_word))
    return with_word[:half] + without[:count - half]


# What must stay clean by the issue's own list: holiday greetings, food and sport talk, neutral
# news about trade, taxes and elections. Up to TOPIC_COUNT short sentences per topic and
# language are added beside the main sample (`source` tatoeba-en-topics / tatoeba-zh-topics).
TOPIC_COUNT = 40
TOPICS = {
    "en": [r"christmas|new year|easter|ramadan|\beid\b|diwali|thanksgiving|hanukkah|holiday|birthday|"
           r"festival|congratulat",
           r"\b(food|dinner|lunch|restaurant|cook|pizza|sushi|coffee|tea|dish|meal)\b",
           r"\b(soccer|football|baseball|tennis|basketball|match|team|olympic|game)\b",
           r"\b(election|tariff|tax|trade|economy|government|prime minister|president|vote)\b"],
    "zh": [r"圣诞|新年|春节|中秋|端午|节日|生日快乐|恭喜|祝你|祝您|元旦|国庆|假期",
           r"饭|餐|菜|咖啡|茶|料理", r"足球|棒球|网球|篮球|比赛|队|奥运",
           r"选举|关税|税|贸易|经济|政府|总统|首相|投票"],
}


def _candidates(path: Path) -> dict[str, list[tuple[str, str]]]:
    """(key, sentence) per language; a pair goes to one language only, each text once."""
    by_lang, seen = {"en": [], "zh": []}, set()
    for en, zh, en_id, zh_id in _pairs(path):
        lang, key, text = (("en", f"en-{en_id}", en) if _hash(f"{en_id}/{zh_id}") % 2 == 0
                           else ("zh", f"zh-{zh_id}", zh))
        if len(text) >= 4 and text not in seen:
            by_lang[lang].append((key, text))
            seen.add(text)
    return by_lang


def _post(key: str, text: str, source: str, flag: re.Pattern) -> dict:
    return {"id": f"tatoeba-{key}", "text": text, "platform": "facebook", "expect": LABELS.get(key, []),
            **({"also_ok": ALSO_OK[key]} if key in ALSO_OK else {}), "source": source,
            "flagged": bool(flag.search(text))}


def sample(path: Path) -> list[dict]:
    candidates = _candidates(path)
    posts = []
    for lang, business, flag, min_len in (("en", BUSINESS_EN, FLAG_EN, 35), ("zh", BUSINESS_ZH, FLAG_ZH, 12)):
        pool = [c for c in candidates[lang] if len(c[1]) >= min_len]
        picked = _pick(pool, business, PER_LANGUAGE)
        posts += [_post(key, text, f"tatoeba-{lang}", flag) for key, text in picked]
        taken = {key for key, _ in picked}
        ranked = sorted(candidates[lang], key=lambda c: _hash(c[0]))
        for pattern in TOPICS[lang]:
            topic = re.compile(pattern, re.I)
            chosen = [c for c in ranked if c[0] not in taken and topic.search(c[1])][:TOPIC_COUNT]
            taken |= {key for key, _ in chosen}
            posts += [_post(key, text, f"tatoeba-{lang}-topics", flag) for key, text in chosen]
    return posts


def _split(post_id: str) -> str:
    bucket = _hash(post_id) % 10
    return "train" if bucket < 5 else "dev" if bucket < 7 else "test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, required=True)
    parser.add_argument("--flagged", action="store_true", help="List the flagged sentences to read.")
    args = parser.parse_args()
    posts = sample(args.pairs)
    if args.flagged:
        for post in posts:
            if post["flagged"]:
                print(post["id"], post["text"], sep="\t")
        return
    splits = {"train": [], "dev": [], "test": []}
    for post in posts:
        del post["flagged"]
        splits[_split(post["id"])].append(post)
    for name, rows in splits.items():
        with (HERE / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(p, ensure_ascii=False) + "\n" for p in rows)
        print(f"{name}: {len(rows)} posts, {sum(1 for p in rows if p['expect'])} risky")


if __name__ == "__main__":
    main()
