"""Elliptical follow-ups read against the previous question: "职工医保住院报销比例是多少" → "那居民医保呢？"
means "居民医保住院报销比例是多少"; "异地就医备案怎么办" → "要带什么" means "异地就医备案要带什么".

Two general rules, no phrase lists:
- **substitution**: the follow-up names another value of a category the previous question had (insurance type,
  visit type, filing type, person category) → the previous question with that value replaced;
- **completion**: a short question that names no topic of its own, or opens with 那/那么/如果是/还有, or ends in
  呢 → the previous question's topic followed by the new question.
"""

from __future__ import annotations

import re

from knowledge.answer import ASKS, KINDS

# Categories whose values a follow-up swaps; longest surface form first inside each.
CATEGORIES: dict[str, re.Pattern[str]] = {
    "insurance_type": re.compile(
        r"城镇职工医保|职工医保|城乡居民医保|城镇居民医保|居民医保|城乡居民|新农合|农合|职工|居民"
    ),
    "visit_type": re.compile(r"门诊慢特病|门诊特殊病种?|门诊特定病种|住院|门诊|急诊"),
    "filing_type": re.compile(r"长期异地居住|异地安置|临时外出就医|临时外出|转院|转诊"),
    "person": re.compile(r"退休人员|退休的|在职职工|在职的|老人|儿童|学生|新生儿|大学生|灵活就业人员"),
    "hospital_level": re.compile(r"三级医院|二级医院|一级医院|社区医院|社区卫生服务中心|三甲医院"),
    "disease": re.compile(
        r"门诊慢特病|慢特病|慢性病|特殊病|恶性肿瘤|癌症|肿瘤|尿毒症|血液透析|透析|糖尿病|高血压|冠心病|"
        r"精神病|精神疾病|肺结核|结核病|器官移植|肾移植|中风|脑梗|脑卒中|慢阻肺|哮喘|白血病|乳腺癌"
    ),
}
_OPENERS = re.compile(r"^(?:那要是|那如果|那请问|请问那|那么|那|要是|如果是|如果|换成|还有|另外)[，,\s]*")
_TRAILERS = re.compile(r"[呢吗啊呀嘛哦？?！!。.\s]+$")
_ASK_WORDS = re.compile(r"怎么办|怎么样|怎么|如何|是多少|多少|什么|哪些|哪里|在哪|吗|呢|？|\?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ASKS_NAME_THE_TOPIC = frozenset({"whether_paid", "scheme"})  # kinds whose ask holds the topic's word (报, 医保)
SHORT = 12  # CJK characters: a follow-up is short; a full question stands on its own


def _values(text: str) -> dict[str, re.Match[str]]:
    return {name: m for name, pattern in CATEGORIES.items() if (m := pattern.search(text))}


def is_elliptical(text: str, has_own_topic: bool) -> bool:
    """Whether ``text`` only makes sense after the previous question."""
    if len(_CJK.findall(text)) > SHORT:
        return False
    return bool(_OPENERS.search(text)) or text.rstrip("？?！!。. ").endswith("呢") or not has_own_topic


def resolve(text: str, previous: str | None, has_own_topic: bool) -> str:
    """The question ``text`` means after ``previous`` (``text`` itself when it stands alone). ``previous`` is
    what the last question asked as the answer understood it (``knowledge.answer.Question.focus``): the story
    told around it ("我妈要去深圳…") stays behind, the clause an asking clause leans on ("我在外地没备案就住了院，
    这钱还能报不") comes along."""
    if not previous or not is_elliptical(text, has_own_topic):
        return text
    core = _TRAILERS.sub("", _OPENERS.sub("", text.strip()))
    new, old = _values(core), _values(previous)
    swapped = previous
    changed = False
    for name, m in new.items():
        if name in old and old[name].group(0) != m.group(0):
            span = old[name]
            swapped = swapped[: span.start()] + m.group(0) + swapped[span.end() :]
            old = _values(swapped)
            changed = True
    rest = re.sub(r"[的了呢啊吧那这种样]", "", CATEGORIES_ANY.sub("", core))
    if changed and not _CJK.search(rest):  # "那居民医保呢": only the swapped value
        return swapped
    if not ASKS.search(core):  # "那要是癌症在门诊治呢": asks what the previous question asked
        return f"{swapped.rstrip('？?。 ')}，{core}"
    topic = _ASK_WORDS.sub("", swapped)
    # what was asked goes, but not the act or thing asked of: "这钱还能报不" -> "那多久能报下来" is still about 报,
    # "能参加什么医保" -> "那要交多少钱" about 医保 (the question word itself went with _ASK_WORDS)
    for kind, (asks, _) in KINDS.items():
        if kind not in _ASKS_NAME_THE_TOPIC:
            topic = asks.sub("", topic)
    topic = topic.strip("，,。？? ")
    return f"{topic}，{core}" if core else swapped


CATEGORIES_ANY = re.compile("|".join(p.pattern for p in CATEGORIES.values()))
