"""From retrieved passages to an answer that answers what was asked — or an honest "the documents do not say".

Retrieval finds passages *about* the question's words; that is not the same as answering it. A question about
a foreign insurance plan still retrieves some passage with a figure in it. So before quoting, each candidate
sentence is checked against the question:

1. **Its key terms are covered.** The content words of the clause that asks (POS-filtered: nouns, verbs,
   adjectives, names), weighted by how specific they are in the documents (IDF; a word the documents never use
   weighs most), must be present in the sentence, its neighbours or its section headings, directly or through a
   synonym of the lexicon; not where the sentence negates it (未事先备案的…) unless the question does too. A
   story told before the question does not count against the answer.
2. **Its type is carried.** "多久" needs a time span in the sentence, "多少钱/报多少" a figure, "几个/几名" a
   count, "在哪" an office or place, "要什么材料" a document or certificate.
3. **Its place and year exist.** A city or year that the documents never name is not passed off as covered:
   asking for a figure there is refused; a general question is answered with that said.

The answer's text is the answering sentence(s) whole, in the documents' words (never paraphrased, so every
figure is the source's); where none passes, the outcome is a refusal with the nearest point the documents do
make. Thresholds are set by the reasoning in each constant's comment, not fitted to a question set.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import zip_longest

from knowledge.places import ABROAD, SUFFIXES, places_in, same_place
from knowledge.spelling import respell
from knowledge.text import normalize_query
from knowledge.thesaurus import synonyms
from knowledge.words import STOPWORDS, categories_of, pos_tokenizer, synonym_map, tokenizer

# Question types: what the question asks for, and what a sentence must contain to give it. Only types whose
# carrier is specific are checked (a yes/no question is answered by almost any rule sentence).
_NUM = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十两半百]+)"
# "几" that asks, not the indefinite "好几次/十几天/几十块/几乎" of a story, nor "哪几天/哪几种" (which ones), nor
# "我们几个" (the few of us).
_JI = r"(?<![好十没这哪们])几(?![十百千万乎])"
_COUNTED = "个|名|家|种|类|项|次|位|人|张|盒"
# Round figures: "1300多个品种", "20余家", "10来天".
_ABOUT = r"(?:多|余|来)?"
KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "how_long": (
        re.compile(
            rf"多久|提前好久|要好久|多长时间|多长期限|期限|有效期|时限|{_JI}天|多少天|{_JI}个月|多少个月|{_JI}年|多少年|{_JI}个工作日|"
            r"什么时候|何时|多快"
        ),
        re.compile(
            r"(?:\d{1,3}(?:\.\d+)?|[一二三四五六七八九十两半百]+)\s*个?(?:工作日|日|天|月|年|小时|周|星期)(?!度)|"
            r"当[日天月]|即时|实时|每[年月周天日]|每季度|每个月|按月|按季"
        ),
    ),
    "how_much": (
        re.compile(
            rf"多少(?!{_COUNTED}|天|日|年|月|时间|小时|分钟|周)|多少钱|报几成|几成|百分之几|百分之多少|多少比例|比例是多少|比例多少|"
            r"起付线是多少|封顶线是多少|标准是多少|多少元|多少块"
        ),
        re.compile(
            # a score: "60分为合格线" (not 分钟 or 分之)
            rf"\d+(?:\.\d+)?\s*(?:%|％|元|万元|万(?![人户家名个次])|块|分(?![钟之]))|百分之|[一二三四五六七八九十]成|全额|全部由|免费|不收费|{_NUM}倍|"
            # a rate given as another one's: "按照住院比例报销", "按普通门诊标准支付"
            r"按(?:照)?[^，。；]{0,6}(?:比例|标准)(?:报销|支付|结算|执行)"
        ),
    ),
    "how_many": (
        # a number asked by its noun: "对人数有什么要求", "数量有限制吗"
        re.compile(rf"{_JI}(?:{_COUNTED})|多少(?:名|家|种|类|项|次|位|张|盒)|多少个(?!人)|人数|数量|名额"),
        # ...given as a number: "one of them" ("其中一家药店", "任一家") is no count
        re.compile(rf"(?!(?:(?<=其中)|(?<=之中)|(?<=[任某]))一\s*(?:{_COUNTED})){_NUM}\s*{_ABOUT}\s*(?:{_COUNTED})"),
    ),
    "where": (
        re.compile(r"在哪|哪里|哪儿|去哪|什么地方|哪个部门|哪个窗口|找谁|找哪|哪个单位|到哪"),
        re.compile(
            r"(?:到|在|去|向|于|通过|由|经)\S{0,10}?(?:医院|药店|机构|社区|单位|科室|中心|部门)|经办机构|医保局|医保中心|"
            r"窗口|服务台|大厅|医保办|医保科|网上|网站|平台|APP|触摸屏|参保地|就医地|当地"
        ),
    ),
    "materials": (
        # a measure word may sit between the verb and what it asks: "带些啥", "准备点什么"
        re.compile(r"材料|证件|证明|(?:带|拿|准备)(?:些|点儿?|上)?(?:什么|啥|哪些)|要什么东西|哪些资料|资料|手续"),
        re.compile(
            # a document named, not the bare word ("备案材料要求不同", "提供相关证明材料" name none), as something to
            # bring, show or hand in: "可以复印的病历资料包括…病历…" names documents, but none to bring
            r"(?:提供|持|携带|带上|带好|出示|凭|提交|递交|交验|需要?|须|准备|附|填写|填报|材料[:：]|资料[:：])"
            r"[^。；;]{0,40}?"
            r"(?:身份证|证件|(?<!相关)(?<!有关)(?<!证明)(?<![的和及、])证明(?!材料)|病历|诊断|发票|票据|清单|申请表|表格|"
            r"复印件|医保卡|社保卡|医疗卡|授权|处方|"
            # a form named by its title: 填写《异地就医备案表》
            r"《[^》]{1,20}(?:表|单|书|卡)》)"
        ),
    ),
    # "怎么申请/咋办理/流程是啥": a procedure - a sentence that says what to do, where or with what (not one that
    # says a benefit is "加强" or "纳入"). Asked only for the acts of applying, not for 报销/结算 (those are
    # often asked as "how much").
    "steps": (
        re.compile(
            r"(?:怎么|怎样|如何|咋个?|怎么样)(?:去|才能|才可以|来)?(?:申请|办理|办|备案|认定|登记|补办|操作|申报|开通|激活)|"
            r"流程|步骤|办理程序|申请程序|什么手续|哪些手续"
        ),
        re.compile(
            # ...or what one may turn to: "超过部分可使用大病保险报销" answers "超了怎么办"
            r"申请|办理|提交|提供|持|携带|填写|填报|登记|备案|审核|审批|认定|凭|受理|开具|出具|签字|签署|可(?:以)?(?:使用|选择)|"
            r"经\S{0,6}(?:同意|审批|批准|审核)|到\S{0,10}(?:窗口|医院|机构|中心|部门|药店|医保局|医保办)|"
            r"通过\S{0,10}(?:APP|平台|网上|小程序|公众号|网站|系统)|先\S{0,20}(?:后|再)"
        ),
    ),
    # "孩子能参加啥医保": which scheme - answered by a sentence that names one
    "scheme": (
        re.compile(r"(?:啥|什么|哪种|哪类|哪个|哪一种|哪一类)(?:医保|医疗保险|保险)"),
        re.compile(r"城镇居民|城乡居民|居民医保|居民基本医疗|职工医保|职工基本医疗|新农合|新型农村合作医疗"),
    ),
    # "能报吗", "走医保不", "医保管不管": whether the fund pays - answered by a sentence that says it pays, does not
    # pay, or what part falls to the patient ("在非定点零售药店发生的药品费用，医疗保障基金不予支付").
    "whether_paid": (
        re.compile(
            r"(?:能|可以|可不可以|能不能|能否|是否|给不给|让不让|会不会|可|给)(?:报销|报|走医保|用医保|医保报销?|"
            r"医保支付|纳入医保)(?![多几销比])|报不报|报没报|管不管|给报吗|走医保(?:吗|不|么|嘛)|报销吗"
        ),
        # 收费: "目录外的耗材…单独收费" says who pays by saying the patient is charged
        re.compile(r"支付|报销|不予|自付|自费|承担|补偿|报账|赔付|不报|不能报|收费"),
    ),
}
QUANTITY_KINDS = frozenset({"how_long", "how_much", "how_many"})
# What to bring, what to do, where to go: asked of a place the documents do not name, the general rule is still an
# answer (said as such); the figures beside it are not what was asked.
PROCEDURAL_KINDS = frozenset({"materials", "steps", "where"})
# The unit a question asks in, and the units a sentence gives (天 and 日, 月 and 个月 are the same unit).
_ASKED_UNIT = re.compile(rf"(?:{_JI}|多少)个?(工作日|日|天|月|年|小时|周|星期|家|名|种|类|项|次|位|人|张|盒)")
_GIVEN_UNIT = re.compile(rf"{_NUM}\s*{_ABOUT}\s*个?(工作日|日|天|月|年|小时|周|星期|家|名|种|类|项|次|位|人|张|盒)")
_UNIT_ALIASES = {"天": "日", "星期": "周", "位": "名", "人": "名"}
# A span asked in one unit is answered in a neighbouring one ("慢性病一次能开多少天的药" -> "放宽至一个月"); a
# count is not ("几家" is never answered by "3名").
_SPAN_ANSWERED_BY = {
    "小时": {"小时", "日"},
    "日": {"小时", "日", "工作日", "周", "月"},
    "工作日": {"日", "工作日", "周", "月"},
    "周": {"日", "工作日", "周", "月"},
    "月": {"日", "工作日", "周", "月", "年"},
    "年": {"月", "年"},
}
# A span the patient tells ("只给开一个礼拜的", "住了两个星期") is a value of the story, not a topic.
_TOLD_SPAN_UNITS = frozenset({"礼拜", "星期", "周", "天", "日", "月", "年", "小时", "钟头", "工作日"})
# Rules say what must or may be done; reports say what was achieved. Patients ask about rules.
NORMATIVE = re.compile(r"应当|应|须|必须|需|可以|可|不得|不能|不予|禁止|严禁|按照|执行|实行|享受|纳入|一般为|一般不")
REPORT = re.compile(
    # "到20xx年…达到120元" is a target the policy sets, not a year reported on
    r"(?<![到至0-9])[xX×]{2}年|(?<![到至])20[xX]{2}(?!年(?:起|前|底前))|\d{4}年.{0,12}(?:完成|实现|达到|共|累计)|"
    r"全[县市区省]|我[县市区局院]|本[县区]|"
    # ...but an accumulated balance or count the rule speaks of ("累计结余金额超过3000元的部分", "累计2次") is none
    r"人次|同比|增长|完成.{0,8}任务|共计|累计(?!\d+次)(?!结余(?!\d))"
)
# A rate the policy sets per person, visit or year ("每人每年200元", "每人次470元"): no report's total, even in a
# sentence that speaks of "我市".
_RATE = re.compile(r"每(?:人次|人|次|年|月|日|天)[^，。；]{0,6}?\d+(?:\.\d+)?\s*(?:元|%|％)")


def reports(text: str) -> bool:
    """Whether ``text`` reads as a work report's statistics rather than a rule."""
    return bool(REPORT.search(text)) and not _RATE.search(text)


# A clause that asks: question words, particles and the question mark.
ASKS = re.compile(
    rf"[吗么嘛呢？?]|是不是|能不能|可不可以|有没有|是否|怎么|如何|什么|啥|哪|多少|多久|多长|多大|多远|多高|{_JI}|谁|为什么|咋|"
    r"行不行|好不好|对不对|成不成|中不中|不$"
)
# A question word with 都/也 after it says "whatever", "anyone": "别整晚了干什么都白瞎", "谁也不知道" ask nothing.
_INDEFINITE = re.compile(r"(?:什么|啥|谁|哪儿|哪里|哪|怎么|多少)(?:都|也)")


def clause_asks(clause: str) -> bool:
    """Whether ``clause`` asks: a question word, particle or mark, other than a question word saying "whatever"."""
    return bool(ASKS.search(_INDEFINITE.sub("", clause)))


# A clause that opens with a bare pronoun before its verb, or with a place pronoun ("在那儿买药能报吗"): what it
# asks about is in the clause before.
_POINTS_BACK = re.compile(
    r"^(?:那|那么)?(?:这个|这样|这玩意儿?|这东西|这事儿?|那玩意儿?|这|那个|它)(?:还|也|都|就)?(?:要|能|可以|可不可以|能不能|需要|得|该|怎么|咋|是|算|有|会|不)"
    r"|^(?:那|那么)?(?:在|去|到|上|从)?(?:那儿|那里|那边|那块儿?|这儿|这里|这边|这块儿?|那家|这家)"
)
# A question that asks how to treat, not what the policy is: the doctor's, never answered from the documents
# (which hold rules on drugs and diseases, and so share its words).
ASKS_TREATMENT = re.compile(
    r"吃(?:什么|啥|哪种|哪个|点啥|点什么|点儿什么)药|用(?:什么|啥|哪种)药|怎么治|如何治|咋治|治得好|能治好|偏方|疗效|"
    r"副作用|降下来|降得下来|好得快|快点好"
)
_CONDITION = re.compile(r"的话[，,]?$|^(?:如果|要是|假如|万一|若是|假设)")
_CLAUSE = re.compile(r"[^，。！？；,.!?;\s]+[，。！？；,.!?;]?")
_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")
# Parts of speech that carry what a question is about (jieba tags): nouns, verbs, adjectives, idioms, names.
_CONTENT_POS = ("n", "v", "a", "l", "i", "j", "vn", "nz", "eng")
# Words patients wrap questions in, which no passage answers: discourse adverbs, hedges, people (relatives are
# added from _KIN below, one list for both).
FILLERS = frozenset(
    [
        "大概",
        "大约",
        "一般",
        "听说",
        "好像",
        "真的",
        "反正",
        "其实",
        "到底",
        "究竟",
        "具体",
        "情况",
        "时候",
        "问题",
        "的话",
        "就是",
        "还是",
        "或者",
        "然后",
        "已经",
        "之前",
        "以前",
        "一直",
        "最近",
        "知道",
        "想",
        "想问",
        "问问",
        "问下",
        "请教",
        "咨询",
        "了解",
        "告诉",
        "说",
        "觉得",
        "感觉",
        "办法",
        "东西",
        "玩意儿",
        "玩意",
        "事",
        "事儿",
        "事情",
        "麻烦",
        "谢谢",
        "您好",
        "你好",
        "老人",
        "家里",
        "人家",
        "大家",
        "自己",
        "本人",
        "咱们",
        "俺",
        "一家人",
        "家里人",
        "行不行",
        "好不好",
        "对不对",
        "不能",
        "不可以",
        "不行",
        "可以",
        "能够",
        "需要",
        "应该",
        "钱",
    ]
)
# 1. A sentence answers when it (with its neighbours and headings) covers at least this share of the key-term
#    weight: two of three equally specific terms, so one missing term of three is tolerated but not two.
MIN_COVERAGE = 0.62
# ...and the question's most specific term is always covered, unless the question has four or more key terms
# (long questions paraphrase; one miss among many is wording, not a different topic).
ALLOW_TOP_MISS_FROM = 4
# Retrieval must also find the passage at least weakly related (calibrated confidence, see knowledge.retrieve):
# below this the match is coincidental overlap of common words.
MIN_RETRIEVAL = 0.08
CANDIDATE_PASSAGES = 8
# The text shown must itself say a tenth of the key-term weight: a sentence that says none of it (only its
# heading and neighbours do) is not the answer, however well its section matches.
MIN_OWN_COVERAGE = 0.1
STORY_SHARE = 0.25
# An asking clause whose key terms weigh less than one specific term of the documents names no topic.
MIN_FOCUS_WEIGHT = 4.0
# An unknown word that is not a noun (a verb or adverb in patients' words) weighs like a common document term.
UNKNOWN_OTHER_WEIGHT = 2.0
# A character this rare in jieba's dictionary (summed over the words containing it) is residue of lost bytes in
# the scraped source ("服务剞理备案"), not text: such a sentence is shown with the gap marked, and ranks lower.
RARE_CHAR_FREQ = 200
# A two-character word this frequent in jieba's dictionary is an everyday word (上班 1337, 出门 1716), not a
# light character glued to another (卡里 35, 买点 114, 开在 3).
COMMON_WORD_FREQ = 500
DAMAGE_MARK = "〔原文此处缺损〕"
MAX_ANSWER_CHARS = 170
# A thesaurus synonym shares one sense of the word, perhaps not the one meant (准备 is 预备 and 打算): it earns
# three quarters of the word's credit — with one other term of equal weight present, that still answers.
SYNONYM_CREDIT = 0.75
_HEADING_END = re.compile(
    r"^([\u4e00-\u9fff]{2,10}?(?:原则|机制|要求|流程|规定|标准|办法|措施|范围|条件|程序|概述|体系|管理|监管|制度|职责|内容|方式|审批|审核))"
)
_LIST_MARKER = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}\s*[、.．](?!\d)|[一二三四五六七八九十]+、|[①-⑩])\s*"
)
_MODAL = frozenset("能可要会该想得去来")
_MODAL_ADVERBS = frozenset("才就还也都再又")
_LIGHT_CHARS = frozenset("里点在大好了下上着过回来去到得一把给们些个完掉起出进的地吧啥")
_NOT_CONTENT = frozenset({"r", "p", "c", "u", "y", "m", "q", "f", "t", "e", "o", "zg", "x"})
# Adverbs and distinguishing words count only where the documents use them (临时, 直接 — not 大概, 反正).
_IF_KNOWN = frozenset({"d", "ad", "b", "z"})
_NOUN_POS = ("n", "eng", "j")
_KIN = (
    "老公|老婆|爱人|丈夫|妻子|媳妇|爸爸|妈妈|父亲|母亲|老爸|老妈|儿子|女儿|孩子|小孩|闺女|爷爷|奶奶|外公|外婆|姥姥|姥爷|"
    "公公|婆婆|岳父|岳母|哥哥|姐姐|弟弟|妹妹|老伴|亲戚|朋友|同事|邻居|家人|家属|别人|爸|妈|哥|姐|弟|妹"
)
# A relative is the patient's story, never the topic ("借给我哥用" asks about lending a card): every kin word is a
# filler (别人 is not kin but 他人 said otherwise, which the lexicon folds).
FILLERS = FILLERS | frozenset(_KIN.split("|")) - {"别人"}
_CARD = "医保卡|社保卡|医疗卡|医保码|电子凭证|个人账户|账户|卡"
OTHERS_CARD = re.compile(
    # a relative using *my* card ("我闺女拿我的社保卡"), not the relative's own ("孩子他爸在药店用医保卡")
    rf"(?:{_KIN}).{{0,5}}(?:拿|用|刷|借|持|带)着?(?:我|俺|咱|你|别人|他人)的?.{{0,2}}(?:{_CARD})|(?:{_KIN})的(?:{_CARD})|"
    rf"(?:{_CARD}).{{0,4}}(?:借给|给|让)(?:我)?(?:{_KIN})"
)
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
# Spoken money: "140块钱", "两块钱" are the documents' "140元" (a bare 块 only after digits: "一块去" is "together").
_SPOKEN_MONEY = re.compile(r"(\d+(?:\.\d+)?)\s*(?:块钱|块|元钱)|([一二两三四五六七八九十百千万]+)(?:块钱|元钱)")
_QUOTED_AMOUNT = re.compile(r"\d+(?:\.\d+)?元")
# Buying for someone: "帮他买药", "替我妈拿药" are the lexicon's "帮人买药" (someone else, whoever it is).
_FOR_SOMEONE = re.compile(rf"(帮|替)(?:他们|她们|他|她|老人|病人|(?:我|俺)?(?:{_KIN}))(?=买药|拿药|取药|配药|开药)")

# "怎么结法", "咋个报法": how to do it, said with the verb and 法 (a way of doing), which the documents never use.
# A word of its own (怎么违法, 如何合法, 什么方法) is left alone.
_HOW_V_FA = re.compile(r"(怎么|怎样|咋个|咋|如何)([\u4e00-\u9fff])法")

# Paying by card: "用医保卡买蛋白粉", "能刷医保卡吗", "能刷吗" ask whether it may go on the card, which the documents
# call 刷卡 (the card is the means, not the topic); someone else's card ("用我妈的社保卡") is left to OTHERS_CARD.
_PAYS_BY_CARD = re.compile(
    r"(?:用|拿|使用|刷)(?:医保卡|社保卡|医疗卡)(?:来|去)?(?=买|购|拿|付|结|交|看|开|取|配|吗|不|么|呢|和|跟|与|还是|[？?，,。]|$)"
    r"|(?<![刷])刷(?=[吗不么嘛呢]|[？?，,。]|$)"
)


def _common(word: str) -> bool:
    """A word jieba's dictionary counts as an everyday word of Chinese."""
    return (tokenizer().FREQ.get(word) or 0) >= COMMON_WORD_FREQ


def spoken_forms(text: str) -> str:
    """The documents' form of spoken amounts, of paying by card, of how a thing is done (怎么结法) and of buying
    for someone."""
    text = _SPOKEN_MONEY.sub(lambda m: f"{m.group(1) or m.group(2)}元", text)
    text = _PAYS_BY_CARD.sub("刷卡", text)
    text = _HOW_V_FA.sub(lambda m: m.group(0) if _common(m.group(2) + "法") else m.group(1) + m.group(2), text)
    return _FOR_SOMEONE.sub(r"\1人", text)


# "蛋白粉、维生素这些保健品", "CT、核磁等检查": examples listed before the class the patient names for them.
_EXAMPLES = re.compile(
    r"((?:[^，。！？；,、\s]{1,12}[、和跟])+[^，。！？；,、\s]{1,8}?)(?:这些|这类|那些|那类|之类的?|一类的?|等等?)的?"
    r"([^，。！？；,、\s]{1,8})"
)


def examples_named(focus: str, terms: dict[str, float]) -> list[tuple[str, str]]:
    """(item, class) for each example a patient lists under a class they name: a rule on the class (营养保健品
    不得刷卡) answers about each of its examples, as a category of lexicon/categories.yml does."""
    pairs = []
    for listed, after in _EXAMPLES.findall(focus):
        heads = [t for t in terms if after.startswith(t)]
        items = [t for part in re.split(r"[、和跟]", listed) for t in terms if part.endswith(t)]
        pairs += [(item, head) for head in heads for item in items if item != head]
    return pairs


@dataclass(frozen=True)
class Question:
    text: str  # respelled, simplified query
    corrections: tuple[tuple[str, str], ...]
    focus: str  # the clause(s) that ask
    kinds: tuple[str, ...]
    terms: dict[str, float]  # key term of the asking clause(s) -> weight
    story: dict[str, float]  # key terms the documents know from the rest of the question -> weight
    strict: frozenset[str]  # no partial credit: nouns the documents never use, and their own nouns (医保卡)
    unknown_places: tuple[str, ...]
    unknown_years: tuple[str, ...]
    named_places: tuple[str, ...] = ()  # insured places the documents do name (their figures must be theirs)
    topical: bool = True  # a key term is a word the documents use (else the question names no topic of theirs)
    negated: frozenset[str] = frozenset()  # terms the question itself negates (没备案): "未备案的" covers them
    # a thing named that the documents never name, -> the categories their rules use for it (蛋白粉 -> 营养保健品)
    categories: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    hit: object  # knowledge.retrieve.Hit
    text: str  # the answering sentence(s), whole, as shown to the patient
    coverage: float
    missing: tuple[str, ...]  # key terms not found
    aim: float = 0.0  # share of the key-term weight in the clauses around its figure (quantity questions)
    own: float = 0.0  # coverage by the text shown alone, without its neighbours and headings


@dataclass(frozen=True)
class Outcome:
    question: Question
    findings: tuple[Finding, ...]  # empty for a refusal
    refusal: str | None  # None | "not_in_documents" | "unknown_place" | "unknown_year" | "out_of_scope"
    nearest: Finding | None  # the best candidate that did not answer (for the refusal's "nearest point")
    confidence: float


# --- the question ---------------------------------------------------------------------------------------------


def focus_of(text: str) -> str:
    """The clauses that ask (and the clause before a bare "怎么办"), without the story told before them."""
    clauses = [c for c in _CLAUSE.findall(text) if c.strip()]
    if len(clauses) <= 1:
        return text
    picked: list[int] = []
    for i, clause in enumerate(clauses):
        if clause_asks(clause):
            short = len(re.findall(r"[\u4e00-\u9fff]", clause)) <= 6
            # a condition the question is asked under ("转院去外地看病的话，备案要交什么材料") is part of it
            # ...and so is the clause that a bare pronoun points back to ("…要放心脏支架，这个要单独审批吗")
            # ...and so is a topic put first ("医保目录里的药和目录外的药，医生可以开在同一张处方上吗")
            if i and i - 1 not in picked and (
                short or _CONDITION.search(clauses[i - 1]) or _POINTS_BACK.search(clause)
                or _fronted_topic(clauses[i - 1])
            ):
                picked.append(i - 1)
            picked.append(i)
    return "".join(clauses[i] for i in sorted(set(picked))) if picked else text


def _fronted_topic(clause: str) -> bool:
    """A clause of nouns alone before a comma ("异地就医备案，", "医保目录里的药和目录外的药，"): the topic that the
    question after it comments on, not a story (a story tells what happened, with a verb: "我妈住院了，")."""
    if not clause.endswith(("，", ",")):
        return False
    words = [p for p in pos_tokenizer().cut(clause.rstrip("，,")) if p.flag not in ("uj", "c", "f", "r", "m", "q")]
    return bool(words) and all(
        p.flag.startswith("n") and p.flag != "nr" and tokenizer().FREQ.get(p.word) for p in words)


@lru_cache(maxsize=1)
def _related() -> dict[str, frozenset[str]]:
    """Each lexicon term -> the terms that mean the same (its canonical form and the canonical's aliases)."""
    groups: dict[str, set[str]] = {}
    for alias, canonical in synonym_map().items():
        groups.setdefault(canonical, {canonical}).add(alias)
    related: dict[str, frozenset[str]] = {}
    for members in groups.values():
        for term in members:
            related[term] = related.get(term, frozenset()) | frozenset(members)
    return related


def key_terms(text: str, knows=None) -> list[tuple[str, str]]:
    """(word, part of speech) for the content words of ``text``, lexicon aliases folded into their canonical
    term; question words, fillers and colloquial wrappers left out (``knows``: whether the documents use a word)."""
    words: list[tuple[str, str]] = []
    previous = ""
    for pair in pos_tokenizer().cut(text):
        word, flag = pair.word.strip(), pair.flag
        after_numeral, previous = previous == "m", flag
        if after_numeral and word in _TOLD_SPAN_UNITS:  # "一个礼拜" (jieba tags 礼拜 a place name)
            continue
        if flag in _IF_KNOWN:
            if knows is not None and len(word) >= 2 and knows(word) and word not in FILLERS:
                words.append((synonym_map().get(word, word), flag))
            continue
        if word in STOPWORDS or word in FILLERS or ASKS.fullmatch(word) or flag in _NOT_CONTENT:
            continue
        if len(word) < 2 and not (flag == "n" and "\u4e00" <= word <= "\u9fff"):  # 牙 in "种牙" is the topic
            continue
        if len(word) == 2 and word[0] in _MODAL and word[1:] not in FILLERS:  # "能刷", "要交": jieba glues the modal
            continue
        if len(word) == 2 and word[0] in _MODAL_ADVERBS and word[1] in _MODAL:  # 才能再评: the modal, not 才能 (talent)
            continue
        if flag.startswith(_CONTENT_POS) or flag == "eng":
            if knows is not None and _guessed(word) and not knows(word):
                # jieba's guess at an unknown run ("特殊病报" -> 病报, "开耐"): no word of Chinese, so no topic;
                # its characters count, each as patients' shorthand (种牙's 牙, never in the documents, still
                # weighs most).
                words.extend((ch, "n") for ch in word if ch not in _MODAL and ch not in _LIGHT_CHARS
                             and ch not in FILLERS and ch not in STOPWORDS)
                continue
            words.append((synonym_map().get(word, word), flag))
    return list(dict.fromkeys(_light_verb_object(w, f, knows) for w, f in words))


# Verbs that only say something is done to the noun after them (做手术, 开药方: words in jieba's dictionary).
_LIGHT_VERBS = frozenset("做打开看住拿吃办")


def _light_verb_object(word: str, flag: str, knows) -> tuple[str, str]:
    """A word of jieba's that the documents never use, made of a light verb and a word of theirs (做手术): the
    question is about that word (手术), which the documents say without the verb."""
    if knows is None or len(word) < 3 or word[0] not in _LIGHT_VERBS or knows(word) or not knows(word[1:]):
        return word, flag
    return synonym_map().get(word[1:], word[1:]), "n"


def _guessed(word: str) -> bool:
    """A run of Chinese characters that is in neither jieba's dictionary nor the lexicon (its HMM made it up)."""
    return bool(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", word)) and not tokenizer().FREQ.get(word)


# "不用处方", "不需要备案": a negated modal is grammar; what it negates is the term (and 非处方 then covers it)
_NEGATED_MODAL = re.compile(r"[不没别无](?:用|要|需|需要|必|能|会|该|得)")


def _tentative(word: str, flag: str) -> bool:
    """A verb said twice (看看, 查查, 问问): "have a look", a softened verb, not a topic, whether or not the
    documents happen to use the doubled form."""
    return len(word) == 2 and word[0] == word[1] and flag.startswith("v")


def _wrapper(word: str) -> bool:
    """A colloquial shell around one meaningful character: 卡里, 买点, 看看, 不问, 开在 — jieba glues them into
    "words" the documents never use, which would otherwise count as topics the documents do not cover."""
    if len(word) != 2:
        return False
    if word[0] == word[1] or word[0] in "不没别":
        return True
    if word[1] in _LIGHT_CHARS:  # a verb and its complement or a noun and its place: 转过, 拿到, 卡里, 买点
        return True
    # a light first character in a word jieba's dictionary counts as common is a word of its own (上班, 出门)
    return word[0] in _LIGHT_CHARS and not _common(word)


# Parts of speech that say how, not what (adverbs, set phrases): 直接, 就是, 一般来说.
_MANNER_POS = ("d", "ad", "l")


def weigh(word: str, flag: str, kb) -> float:
    """How much a key term matters: its specificity in the documents (IDF) when they use it; a noun they never
    use weighs most (the question is about something else: 护工, 停车场); any other unknown word (a verb or
    adverb in patients' words) weighs like an ordinary term, and a colloquial wrapper not at all. A single
    character the documents use only inside their words (交 in 交费, 药 in 药品) is patients' shorthand for
    those words: it weighs like an ordinary term too (牙, which they never use, still weighs most)."""
    if len(word) == 1 and kb.mentions(word):
        return min(kb.term_weight(word), UNKNOWN_OTHER_WEIGHT)
    if flag.startswith(_MANNER_POS) and word not in _related():
        # an adverb or set phrase (直接, 就是, 一般来说) says how, not what: rare as it may be in the
        # documents, it is no topic a passage must repeat
        return min(_topic_weight(word, flag, kb), UNKNOWN_OTHER_WEIGHT)
    return _topic_weight(word, flag, kb)


def _topic_weight(word: str, flag: str, kb) -> float:
    """``weigh`` for a word of two characters or more, before the cap on manner words."""
    if _tentative(word, flag) or _NEGATED_MODAL.fullmatch(word):
        return 0.0
    if kb.knows(word):
        if not flag.startswith(_NOUN_POS) and not kb.uses_as_word(word):
            return UNKNOWN_OTHER_WEIGHT  # a verb found only inside the documents' words (看到 in 看到位) is not theirs
        return kb.term_weight(word)
    # Patients' word for a word of the documents (礼拜 for 星期): as specific as the documents' word.
    known = _document_synonyms(word, kb) or _document_categories(word, kb)
    if known:
        return min(kb.term_weight(w) for w in known)
    if _wrapper(word):
        return 0.0
    return kb.term_weight(word) if flag.startswith(_NOUN_POS) else UNKNOWN_OTHER_WEIGHT


def _document_synonyms(word: str, kb) -> list[str]:
    return [w for w in synonyms().get(word, ()) if kb.knows(w)]


def _document_categories(word: str, kb) -> list[str]:
    """The documents' categories for a thing they never name themselves (洗发水 -> 生活用品); none for a word of
    theirs (医保卡 is said as 医保卡 where it is meant, not as 有效身份凭证)."""
    if kb.uses_as_word(word):
        return []
    return sorted(c for c in categories_of().get(word.lower(), ()) if kb.mentions(c))


@lru_cache(maxsize=1)
def _members_longest_first() -> tuple[str, ...]:
    return tuple(sorted(categories_of(), key=len, reverse=True))


def named_members(text: str) -> list[str]:
    """The category members named in ``text`` (lexicon/categories.yml), longest first, none inside another: jieba
    splits many of them (洗衣/液, 心脏/支架), so they are found in the text itself."""
    lowered, found = text.lower(), []
    for member in _members_longest_first():
        if member in lowered and not any(member in f for f in found):
            found.append(member)
    return found


@lru_cache(maxsize=1)
def _canonical_terms() -> frozenset[str]:
    return frozenset(synonym_map().values())


def clipped(word: str, kb) -> str:
    """A lexicon term with its end or start clipped off (门诊特殊病 for 门诊特殊病种), which the documents use only
    inside that term: the term itself, so its synonyms count. Unchanged when it clips none or several."""
    if len(word) < 3 or kb.uses_as_word(word) or word in _canonical_terms():
        return word
    whole = [t for t in _canonical_terms() if len(t) > len(word) and (t.startswith(word) or t.endswith(word))]
    return whole[0] if len(whole) == 1 and kb.uses_as_word(whole[0]) else word


def _weighed(text: str, kb) -> dict[str, float]:
    members = named_members(text)
    weighed: dict[str, float] = {}
    for w, f in key_terms(text, kb.knows):
        if w not in members and any(w in m for m in members):
            continue  # a piece of a member jieba split (心脏 of 心脏支架): the member is the term
        term = clipped(w, kb)
        weighed[term] = weigh(term, f, kb)
    for member in members:
        weighed.setdefault(member, weigh(member, "n", kb))
    return weighed


# The bound of an asked quantity ("最多能配几天", "至少交几年") is part of what is asked, not its topic: the
# documents state it as "不能超过7日", "至少3个月".
_BOUNDS = frozenset({"最多", "最少", "最长", "最短", "最高", "最低", "至多", "至少", "上限", "下限", "量"})
_KIND_WORDS = {
    # 提前多久: a lead time; 多久才有结果: the wait ends in the outcome, which is not the topic
    "how_long": frozenset({"有效期", "期限", "时限", "时间", "多长时间", "提前", "结果", "消息"}) | _BOUNDS,
    "how_much": frozenset({"比例", "标准", "费用", "金额", "额度"}) | _BOUNDS,
    "how_many": frozenset({"人数", "数量", "名额"}) | _BOUNDS,
    "where": frozenset({"地方", "部门", "窗口"}),
    "whether_paid": frozenset({"报销", "支付", "走医保", "用医保"}),
    "scheme": frozenset({"医保", "医疗保险", "保险"}),
    "steps": frozenset({"流程", "步骤", "程序", "手续"}),
    # "要准备/提供/带哪些材料": the verb of bringing is part of asking for the documents to bring
    "materials": frozenset(
        {"材料", "证件", "资料", "证明", "手续", "东西", "准备", "提供", "携带", "提交", "交", "带"}
    ),
}


def _destination(place: str, text: str) -> bool:
    """ "去深圳住", "搬到杭州": where the patient goes for treatment, not whose figures are asked for (the rules
    of the insured place apply there); "北京医保", "徐州的居民医保" name the insured place."""
    i = text.find(place)
    return bool(re.search(r"(?:去|到|往|赴|转|来|搬|在)$", text[max(0, i - 2) : i]))


# "怎么办啊", "咋整": a clause of its own that asks for advice on what was said before it.
_BARE_PLEA = re.compile(
    r"^(?:那|那我|我|我们)?(?:该|应该|要)?(?:怎么办|咋办|咋整|怎么整|如何是好)(?:啊|呢|呀|吧|哦)?[？?！!。，,\s]*$"
)
# "病历可以复印哪些资料", "能查哪些材料": records the question does something with, not documents to bring.
_ASKS_FOR_MATERIALS = re.compile(
    r"(?:什么|啥|哪些|哪样|哪几样|几样)\S{0,3}(?:材料|证件|证明|资料|手续|东西)|"
    r"(?:材料|证件|证明|资料|手续)\S{0,2}(?:有哪些|是什么|有什么|有啥|要哪些|包括)|(?:带|拿|准备)(?:些|点儿?|上)?(?:什么|啥|哪些)"
)
_HANDLED_RECORDS = re.compile(r"(?:复印|复制|打印|查阅|查看|调阅|借阅|查)[^，。？?]{0,4}(?:资料|材料)")


def _topic_terms(focus: str, kb) -> tuple[dict[str, float], tuple[str, ...], float]:
    """The key terms of ``focus``, the kinds it asks, and the weight of all its words. What a question asks for is
    not what it is about: "要什么证件", "有效期多久" are checked as the asked type (a certificate named, a time span
    given), not as words the answer must repeat."""
    # what a condition names is not asked for: "材料不全的话，多久会通知补" asks how long, not for materials
    # ...nor does a bare plea after the question ("能走医保不？咋整啊？"): it asks for advice, not for steps
    asking = "".join(c for c in _CLAUSE.findall(focus) if not _CONDITION.search(c) and not _BARE_PLEA.match(c)) or focus
    kinds = tuple(k for k, (asks, _) in KINDS.items() if asks.search(asking) and not (
        k == "materials" and _HANDLED_RECORDS.search(asking)))
    # "材料不全多久内告知补充": asking how long, the materials named are the topic; they are asked for only with a
    # question word on them ("要哪些材料", "带什么证件")
    if "materials" in kinds and len(kinds) > 1 and not _ASKS_FOR_MATERIALS.search(asking):
        kinds = tuple(k for k in kinds if k != "materials")
    weighed = _weighed(focus, kb)
    # ...in the patient's words too: 起码 is 至少, a bound of the quantity asked
    asked = {t for t in weighed if any(KINDS[k][0].fullmatch(t) or t in _KIND_WORDS[k]
                                       or synonyms().get(t, frozenset()) & _KIND_WORDS[k] for k in kinds)}
    return {t: w for t, w in weighed.items() if t not in asked}, kinds, sum(weighed.values())


def understand(query: str, kb, whole_focus: bool = False, context: str | None = None) -> Question:
    """``whole_focus``: every clause asks (a follow-up already joined to the question it continues).
    ``context``: the previous turn, for a question that stands on its own words but was asked after it
    ("我父亲上个月住院去世了" → "我们家属想复印他的病历，要带什么证明"): its terms count as story told before."""
    spelled = respell(normalize_query(query), kb.vocabulary)
    text = spoken_forms(spelled.text)
    focus = text if whole_focus else focus_of(text)
    terms, kinds, weight = _topic_terms(focus, kb)
    # "…开药只给开一个礼拜的，能不能一次多开点？": an asking clause that names nothing specific asks about the
    # clause before it; so does one that names only what it asks for ("看完病回去报销，得准备哪些材料").
    clauses = [c for c in _CLAUSE.findall(text) if c.strip()]
    start = text.find(focus)  # -1 for a focus picked from separate clauses
    end = start + len(focus)
    # Only a contiguous focus grows backwards, one clause at a time (a focus picked from separate clauses, or
    # one that reaches the start of the text, stays as it is).
    while (weight < MIN_FOCUS_WEIGHT or not terms) and start > 0:
        before = [c for c in clauses if text.find(c) + len(c) <= start]
        if not before:
            break
        start = text.rfind(before[-1], 0, start)
        focus = text[start:end]
        terms, kinds, weight = _topic_terms(focus, kb)
    # A figure the patient quotes from the documents ("交了140元以后啥病都能报") names what they speak of.
    for amount in _QUOTED_AMOUNT.findall(focus):
        if kb.mentions(amount):
            terms[amount] = kb.term_weight(amount)
    # Someone else's card: "我儿子拿我的医保卡", "用我妈的社保卡" ask about using a card that is not one's own.
    if OTHERS_CARD.search(text) and "他人" not in terms:
        terms["他人"] = kb.term_weight("他人")
        text = f"{text}（他人）"
    # What the story before the question says (算工伤, 没备案) counts too, as a quarter of the coverage, where
    # the documents speak of it at all: the rest of a story (摔下来, 架子) is narrative, not the question.
    told = f"{context}，{text}" if context else text
    story = {w: kb.term_weight(w) for w, _ in key_terms(told, kb.knows) if w not in terms and kb.knows(w)}
    story |= {m: kb.term_weight(c[0]) for m in named_members(told) if m not in terms
              and (c := _document_categories(m, kb))}
    # Abroad counts wherever it is said: no rule of these documents reaches treatment or insurance abroad.
    insured = [p for p in kb.places_in(text) if p in ABROAD or not _destination(p, text)]
    places = tuple(p for p in insured if not kb.mentions(p))
    years = tuple(y for y in _YEAR.findall(text) if not kb.mentions(y.replace(" ", "")))
    strict = frozenset(
        w for w, f in key_terms(focus, kb.knows)
        if not kb.knows(w) and f.startswith(_NOUN_POS) and not _document_synonyms(w, kb)
    )
    kept = {t: w for t, w in terms.items() if w > 0}
    # ...nor does a noun of the documents' own (医保卡): a passage that meant it would have said it
    strict |= {t for t in kept if len(t) >= 3 and kb.uses_as_word(t) and not _parts(t)}
    strict |= {t for t in kept if _QUOTED_AMOUNT.fullmatch(t)}  # 140元 is not 14元 nor 40元
    categories = {t: frozenset(c) for t in [*kept, *story] if (c := _document_categories(t, kb))}
    for item, head in examples_named(focus, kept):
        if kb.mentions(head):
            categories[item] = categories.get(item, frozenset()) | {head}
    return Question(
        text=text,
        corrections=spelled.corrections,
        focus=focus,
        kinds=kinds,
        terms=kept,
        story=story,
        strict=strict,
        unknown_places=places,
        unknown_years=years,
        named_places=tuple(p for p in insured if p not in places),
        topical=any(len(t) >= 2 and (kb.knows(t) or (kb.mentions(t) and _QUOTED_AMOUNT.fullmatch(t))
                                     or t in categories) for t in [*terms, *story]),
        negated=_negated_terms([*kept, *story], told),
        categories=categories,
    )


# --- does a passage answer it? --------------------------------------------------------------------------------

# Variant characters the scraped documents use beside the standard ones (个人帐户 / 个人账户).
_VARIANTS = str.maketrans({"帐": "账"})


# "未事先备案的…", "没有转诊的…": a sentence about the act not done is not about doing it; it covers the term only
# for a question that negates it too ("没备案能报吗"). 无/不 are left out: "无需备案" does say whether to file.
_DENIED = re.compile(r"(?:未|没有|没|非)(?:经过?|事先|提前|按规定|按照规定|及时|办理|进行|去)?$")
_ASKED_NEGATION = re.compile(
    r"(?:未|没有|没|非|不是|不)(?:医保|医疗保险)?(?:经过?|事先|提前|按规定|及时|办理|办|进行|去|做|先|用|需要?)?$"
)


def _negated_in(term: str, text: str) -> bool:
    """Whether the question ``text`` says ``term`` (or a form of it) right after a negation (没备案, 不是定点)."""
    for t in _related().get(term, frozenset((term,))):
        at = text.find(t)
        while at >= 0:
            if (m := _ASKED_NEGATION.search(text[max(0, at - 6) : at])) and not _either_or(text, at - len(m.group(0))):
                return True
            at = text.find(t, at + 1)
    return False


def _either_or(text: str, at: int) -> bool:
    """The negation at ``at`` asks either-or, the same verb on both sides (有没有, 是不是, 能不能): no negation."""
    return 0 < at < len(text) - 1 and text[at] in "不没" and text[at - 1] == text[at + 1]


def _negated_terms(terms: Sequence[str], text: str) -> frozenset[str]:
    """The terms ``text`` negates, and the compounds of a negated term: "药店不是定点的" asks of 非定点零售药店."""
    negated = {t for t in terms if _negated_in(t, text)}
    return frozenset(t for t in terms if t in negated or any(len(n) >= 2 and n in t for n in negated))


def _present(term: str, text: str, denied_ok: bool = True) -> bool:
    """The term or a synonym in ``text``; a four-character compound also with a short infix (定点药店 in
    定点零售药店), as the documents spell compounds out in full. Variant characters (帐/账) are one.
    ``denied_ok=False``: an occurrence right after a negation (未备案) does not count."""
    term, text = term.translate(_VARIANTS), text.translate(_VARIANTS)
    for t in _related().get(term, frozenset((term,))):
        infixed = len(t) == 4 and re.search(re.escape(t[:2]) + ".{1,3}" + re.escape(t[2:]), text)
        if _as_words(t, text, denied_ok) or infixed:
            return True
    return False


@lru_cache(maxsize=16384)
def _words(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each word of ``text`` (jieba with the documents' dictionary)."""
    spans, at = [], 0
    for word in tokenizer().cut(text, HMM=False):
        spans.append((at, at + len(word)))
        at += len(word)
    return tuple(spans)


def _as_words(term: str, text: str, denied_ok: bool = True) -> bool:
    """``term`` in ``text``, but not where its first or last character belongs to another word that runs on two
    characters or more beyond it: 医保局 is not in 医保局域网 (医保|局域网); 住院 is in 住院费, 特殊病 in 特殊病种."""
    at = text.find(term)
    while at >= 0:
        end = at + len(term)
        runs_on = any(
            (at < s < end and e >= end + 2) or (at < e < end and s <= at - 2) for s, e in _words(text)
        )
        if not runs_on and (denied_ok or not _DENIED.search(text[max(0, at - 6) : at])):
            return True
        at = text.find(term, at + 1)
    return False


def _credit(term: str, text: str, strict: bool, negated: frozenset[str] = frozenset()) -> float:
    """1 for a term present (or a synonym); for a word in patients' own phrasing (结账, 证件, 限制) half its share
    of characters found, since the documents say the same with a neighbouring word (结算, 身份证, 限额). A noun
    the documents never use (护工, 种牙) gets no such credit: it is what the question is about. A term after a
    negation (未事先备案) is present only for a question that negates it too (``negated``)."""
    if _present(term, text, term in negated):
        return 1.0
    if any(w in text for w in synonyms().get(term, ())):
        return SYNONYM_CREDIT
    parts = _parts(term)
    # 异地就医备案: 异地…就医…备案, the same words apart
    if parts and all(_present(p, text, term in negated or p in negated) for p in parts):
        return 1.0
    if strict or len(term) < 2:
        return 0.0
    return 0.5 * sum(ch in text for ch in term) / len(term)


def _category_credit(categories: frozenset[str], text: str) -> float:
    """蛋白粉 under a rule on 营养保健品: the rule is about it, said of its category (a synonym's credit)."""
    return SYNONYM_CREDIT if any(_present(c, text) for c in categories) else 0.0


@lru_cache(maxsize=4096)
def _parts(term: str) -> tuple[str, ...]:
    """The words a compound term (a lexicon entry such as 异地就医备案) is made of, when they spell it whole."""
    if len(term) < 4:
        return ()
    parts = tuple(w for w in tokenizer().cut_for_search(term, HMM=False) if 2 <= len(w) < len(term))
    return parts if sum(map(len, parts)) >= len(term) else ()


def _share(terms: dict[str, float], text: str, strict: frozenset[str] = frozenset(),
           negated: frozenset[str] = frozenset(),
           categories: dict[str, frozenset[str]] | None = None) -> tuple[float, tuple[str, ...]]:
    categories = categories or {}
    credits = {t: _credit(t, text, t in strict, negated) for t in terms}
    # A category's rule answers about a member when the rest of the question is about what the rule says too
    # ("定点药店能卖口红吗": 定点药店 and 化妆品); a member alone ("新生儿医保怎么办") would take any rule on 未成年人.
    if any(credits[t] >= SYNONYM_CREDIT and w >= UNKNOWN_OTHER_WEIGHT / 2 for t, w in terms.items()):
        for t in terms:
            if credits[t] < SYNONYM_CREDIT and categories.get(t):
                credits[t] = max(credits[t], _category_credit(categories[t], text))
    missing = tuple(t for t, c in credits.items() if c < SYNONYM_CREDIT)  # a synonym is the term, said otherwise
    total = sum(terms.values())
    return (sum(terms[t] * c for t, c in credits.items()) / total if total else 1.0), missing


def coverage(question: Question, text: str) -> tuple[float, tuple[str, ...]]:
    """Weighted share of the asking clause's key terms present in ``text``, and the terms missing. The story told
    before the question can raise it (a quarter of the share: 算工伤 picks the passage on 因工负伤) but never
    lower it: a passage need not retell the patient's story to answer the question."""
    focus, missing = _share(question.terms, text, question.strict, question.negated, question.categories)
    if not question.story:
        return focus, missing
    story, _ = _share(question.story, text, negated=question.negated, categories=question.categories)
    return max(focus, (1 - STORY_SHARE) * focus + STORY_SHARE * story), missing


def answers(question: Question, cov: float, missing: Sequence[str]) -> bool:
    """Whether the key terms are covered enough (the asked type is checked on the text shown: ``carries``)."""
    if cov < MIN_COVERAGE:
        return False
    top = max(question.terms, key=question.terms.get) if question.terms else None
    return not (top in missing and len(question.terms) < ALLOW_TOP_MISS_FROM)


def sentences(passage: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(passage) if s.strip()]


def display(sentence: str) -> str:
    """A sentence as a patient reads it: no list marker; a slide heading run into it set apart."""
    s = _LIST_MARKER.sub("", sentence.strip())
    m = _HEADING_END.match(s)
    if m:
        heading, rest = m.group(1), s[m.end() :]
        words = {heading[i : i + 2] for i in range(len(heading) - 1)}
        if any(rest[i : i + 2] in words for i in range(min(8, len(rest) - 1))):
            return f"【{heading}】{rest}"
    return s


@lru_cache(maxsize=1)
def _char_frequency() -> dict[str, int]:
    freq: dict[str, int] = {}
    for word, n in tokenizer().FREQ.items():
        if n:
            for ch in set(word):
                freq[ch] = freq.get(ch, 0) + n
    return freq


def _residue(ch: str, doc_chars: Counter[str]) -> bool:
    """Rare in Chinese (jieba) and rare in these documents: a real but rare word (酗酒) recurs, residue does not."""
    return _char_frequency().get(ch, 0) < RARE_CHAR_FREQ and doc_chars[ch] <= 2


def damaged(sentence: str, doc_chars: Counter[str]) -> bool:
    return any(_residue(ch, doc_chars) for ch in re.findall(r"[\u4e00-\u9fff]", sentence))


def mark_damage(sentence: str, doc_chars: Counter[str]) -> str:
    return re.sub(
        r"[\u4e00-\u9fff]", lambda m: DAMAGE_MARK if _residue(m.group(0), doc_chars) else m.group(0), sentence
    )


def asked_units(focus: str) -> frozenset[str]:
    """The unit a count or span question names: "几家" -> 家, "几天" -> 日, "几个月" -> 月 (none for "多久")."""
    return frozenset(_UNIT_ALIASES.get(u, u) for u in _ASKED_UNIT.findall(focus))


# A sentence that leads into a list of kinds or items.
_LEAD = re.compile(r"包括|分为|如下|以下|下列|[两三四五六七八九几多]种|[两三四五六七八九几多]类")


def _list_lead(units: list[str], i: int) -> int | None:
    """The sentence leading into the list that sentence ``i`` is an item of (items before it end in "；")."""
    j = i - 1
    while j >= 0 and units[j].endswith(("；", ";")):
        j -= 1
    return j if 0 <= j < i and _LEAD.search(units[j]) and not units[j].endswith(("；", ";")) else None


def _list_tail(units: list[str], i: int) -> int | None:
    """The sentence closing the list that item ``i`` is in, when that sentence states the rule for every item:
    "患有恶性肿瘤；血友病；…冠心病；肺结核；慢性肝炎等需长期服药的慢性病、老年病，处方量可放宽至一个月。"
    (the items end in "；"; the closing one gathers them with "等" and goes on to the rule)."""
    if not units[i].endswith(("；", ";")) or NORMATIVE.search(units[i]):  # a rule of its own is no item
        return None
    j = i + 1
    while j < len(units) and units[j].endswith(("；", ";")):
        j += 1
    return j if j < len(units) and j > i + 1 and "等" in units[j] else None


def _figure_windows(shown: str, leads: bool) -> list[tuple[str, str]]:
    """Each clause of ``shown`` with what it may speak of: itself, the clause before it, its sentence's first."""
    windows = []
    lead = ""
    for sentence in re.split(r"[。；;！？!?]", shown):
        clauses = [c for c in re.split(r"[，,]", sentence) if c]
        for i, clause in enumerate(clauses):
            windows.append((clause, lead + "".join(dict.fromkeys([clauses[0], *clauses[max(0, i - 1) : i + 1]]))))
        # "备案类型包括长期异地居住、临时外出就医和转院就医三种情况。长期异地居住…有效期1-2年；": the items of a
        # list speak of what the sentence leading into them names
        if leads and _LEAD.search(sentence):
            lead = sentence
    return windows


def _figure_shares(question: Question, shown: str, kinds: Sequence[str], leads: bool = False) -> list[float]:
    """For each clause of ``shown`` that gives a figure of one of ``kinds``: the share of the key-term weight that
    the clauses around it (``_figure_windows``) name."""
    total = sum(question.terms.values())
    return [
        sum(w for t, w in question.terms.items()
            if max(_credit(t, window, t in question.strict, question.negated),
                   _category_credit(question.categories.get(t, frozenset()), window)) >= SYNONYM_CREDIT) / total
        for clause, window in _figure_windows(shown, leads)
        if any(KINDS[k][1].search(clause) for k in kinds)
    ] if total else []


def figure_aim(question: Question, shown: str) -> float:
    """For a quantity question, how much of the key-term weight the clauses around a figure name: "临时外出就医…
    有效期3-6个月" aims at "临时去外地备案有效期多久" better than "长期异地居住…有效期1-2年" does."""
    return max(_figure_shares(question, shown, [k for k in question.kinds if k in QUANTITY_KINDS]), default=0.0)


def carries(question: Question, shown: str) -> bool:
    """Whether the text shown gives every asked type, in the asked unit where the question names one ("在哪补办，
    要多少钱" is not answered by an office alone). A report's statistics ("全县完成…1009人次") never give a
    patient's amount or time limit (they do answer "how many")."""
    if not question.kinds:
        return True
    units = asked_units(question.focus)
    for kind in question.kinds:
        if not KINDS[kind][1].search(shown):
            return False
        if kind in ("how_much", "how_long") and reports(shown):
            return False
        if kind in QUANTITY_KINDS and _figures_elsewhere(question, shown):
            return False
        # A figure answers about what its own clause, the clause before it or its sentence's subject names:
        # "住院报销比例约为70%" says nothing of 个人账户; "临时外出就医需提供外出证明，有效期3-6个月" does give
        # 临时外出就医's span, and "康复医疗纳入医保支付范围，但设有次数限制，一般为每年30-60次" 康复's.
        if kind in QUANTITY_KINDS and question.terms and not any(_figure_shares(question, shown, [kind], leads=True)):
            return False
        if kind in ("how_many", "how_long") and units:
            given = {_UNIT_ALIASES.get(u, u) for u in _GIVEN_UNIT.findall(shown)}
            answering = set().union(*(_SPAN_ANSWERED_BY.get(u, {u}) for u in units)) if kind == "how_long" else units
            if not answering & given:
                return False
    return True


def _figures_elsewhere(question: Question, shown: str) -> bool:
    """ "例如南京市参保人员…超过3000元的部分": the figures of a city the question does not name are that city's
    example, not the answer to a question that names no place or another one."""
    asked = places_in(question.text)
    return any(p.endswith(SUFFIXES) and not any(same_place(p, a) for a in asked) for p in places_in(shown))


def best_sentences(question: Question, hit, doc_chars: Counter[str]) -> Finding:
    """The sentence of ``hit`` that best answers: its key terms covered (with its neighbours and headings) and
    the asked type carried by what is shown — the sentence alone, or with the next one when that is where the
    figure is, or when the sentence leads into a list."""
    units = sentences(hit.text)
    context = hit.section or ""
    best: tuple[tuple, Finding] | None = None
    for i, sentence in enumerate(units):
        lead = _list_lead(units, i)
        # an item of a list is also about what its lead names (the lead is read with it, as its heading)
        led = units[lead] if lead is not None and lead < i - 1 else ""
        tail = _list_tail(units, i)
        closing = units[tail] if tail is not None else ""
        cov, missing = coverage(question, context + led + "".join(units[max(0, i - 1) : i + 2]) + closing)
        span = [i]
        if tail is not None:
            span.append(tail)  # the item the patient named, and the rule that the list's closing sentence gives it
        elif i + 1 < len(units) and (
            sentence.endswith(("：", ":"))
            or (len(sentence) < 28 and lead is None)  # an item of a list is whole on its own
            # the figure or document is in the next sentence, and this one leads into it (names a key term)
            or (not carries(question, sentence) and carries(question, units[i + 1])
                and len(_share(question.terms, sentence, question.strict, question.negated,
                               question.categories)[1]) < len(question.terms))
        ):
            span.append(i + 1)
        # an item of a list that does not say what it is about without its lead: shown with the lead and the
        # other items ("备案类型包括…三种情况。长期异地居住…1-2年；临时外出就医…3-6个月；…")
        if lead is not None and not carries(question, "".join(units[j] for j in span)):
            items = list(range(lead, i + 1))
            while (items[-1] + 1 < len(units) and units[items[-1]].endswith(("；", ";"))
                   and sum(len(units[j]) for j in [*items, items[-1] + 1]) <= MAX_ANSWER_CHARS):
                items.append(items[-1] + 1)
            listed = "".join(units[j] for j in items)
            if len(listed) <= MAX_ANSWER_CHARS and carries(question, listed):
                span = items
        shown = "".join(units[j] for j in span)
        if len(shown) > MAX_ANSWER_CHARS and len(span) > 1 and carries(question, sentence):
            span, shown = [i], sentence
        ok = answers(question, cov, missing) and carries(question, shown)
        # what the shown text itself says, less a lead into the list (which names every item's topic at once)
        own = span[1:] if len(span) > 1 and _LEAD.search(units[span[0]]) else span
        own_cov, _ = coverage(question, "".join(units[j] for j in own))
        # the text shown must itself say some of what was asked, not only its heading and neighbours
        ok = ok and own_cov >= MIN_OWN_COVERAGE
        aim = figure_aim(question, shown)
        style = (0.1 if NORMATIVE.search(shown) else 0.0) - (0.15 if reports(shown) else 0.0)
        rank = (ok, cov + 0.5 * own_cov + 0.5 * aim + style - (0.5 if damaged(shown, doc_chars) else 0.0))
        if best is None or rank > best[0]:
            text = "".join(("……" if k and j > span[k - 1] + 1 else "") + mark_damage(display(units[j]), doc_chars)
                           for k, j in enumerate(span))
            best = (
                rank,
                Finding(hit=hit, text=text, coverage=cov if ok else min(cov, MIN_COVERAGE - 0.01), missing=missing,
                        aim=aim, own=own_cov),
            )
    return best[1] if best else Finding(hit=hit, text="", coverage=0.0, missing=tuple(question.terms))


def _names_any(hit, places: Sequence[str], section_places: Mapping[str, str | None]) -> bool:
    """The passage, its heading or title names one of ``places``, or its section speaks of one (a city's speech)."""
    spoken_of = section_places.get(hit.section_id)
    return any(p in f"{hit.text}{hit.section}{hit.doc_title}" or (spoken_of and same_place(p, spoken_of))
               for p in places)


def decide(question: Question, hits: Sequence, doc_chars: Counter[str],
           section_places: Mapping[str, str | None] | None = None) -> Outcome:
    """The findings that answer (at most two passages), or a refusal with the nearest point. ``section_places``:
    section id -> the place that section speaks of (``KnowledgeBase.section_place``)."""
    findings = [
        best_sentences(question, h, doc_chars) for h in hits[:CANDIDATE_PASSAGES] if h.confidence >= MIN_RETRIEVAL
    ]
    good = [f for f in findings if f.coverage >= MIN_COVERAGE and f.text]
    # the passage whose shown text itself says most of what was asked, among those that answer
    good.sort(key=lambda f: -(f.coverage + 0.5 * f.own + 0.3 * f.hit.confidence + 0.3 * f.aim))
    nearest = max(findings, key=lambda f: f.coverage + 0.3 * f.hit.confidence, default=None)
    asked = set(question.kinds)
    if ASKS_TREATMENT.search(question.focus):
        return Outcome(question, (), "out_of_scope", nearest, 0.0)
    if question.unknown_years and asked & QUANTITY_KINDS:
        return Outcome(question, (), "unknown_year", nearest, 0.0)
    # A figure is never passed off as that of a place the documents do not name; and treatment abroad is
    # outside every rule these documents give.
    if any(p in ABROAD for p in question.unknown_places):
        return Outcome(question, (), "unknown_place", nearest, 0.0)
    if question.unknown_places and (
        asked & QUANTITY_KINDS or (not asked & PROCEDURAL_KINDS and any(re.search(r"\d", f.text) for f in good[:1]))
    ):
        return Outcome(question, (), "unknown_place", nearest, 0.0)
    # "徐州的居民医保住院报多少": a figure must be that place's own — its passage, heading or title names it, or
    # the section it is in speaks of that place.
    if question.named_places and asked & QUANTITY_KINDS and good:
        good = [f for f in good if _names_any(f.hit, question.named_places, section_places or {})]
        if not good:
            return Outcome(question, (), "unknown_place", nearest, 0.0)
    # "吃点啥药能降下来": no word of the documents' own among its terms, so no passage is about it.
    if not good or not question.topical:
        return Outcome(question, (), "not_in_documents", nearest, 0.0)
    chosen = [good[0]]
    second = next(
        (
            f
            for f in good[1:]
            if f.text != good[0].text and f.hit.doc_id + f.text not in {c.hit.doc_id + c.text for c in chosen}
        ),
        None,
    )
    if (
        second
        and second.coverage >= good[0].coverage - 0.05
        and len(good[0].text) + len(second.text) < 2 * MAX_ANSWER_CHARS
    ):
        chosen.append(second)
    confidence = round(min(1.0, 0.5 * chosen[0].coverage + 0.5 * float(chosen[0].hit.confidence)), 4)
    return Outcome(question, tuple(chosen), None, nearest, confidence)


def find_answer(kb, query: str, topics: list[str] | None = None, whole_focus: bool = False,
                context: str | None = None) -> Outcome:
    """``context``: the previous turn (see ``understand``); passages found for the two turns together are
    candidates beside those found for the question alone, and the question's own terms still have to be covered."""
    question = understand(query, kb, whole_focus=whole_focus, context=context)
    named = sorted({c for cs in question.categories.values() for c in cs})
    # the passages on the categories of the things named (蛋白粉 -> 营养保健品) are found as well
    searched = f"{question.text}（{'，'.join(named)}）" if named else question.text
    hits = kb.search(searched, k=CANDIDATE_PASSAGES, topics=topics)
    if context:
        joined = kb.search(f"{context}，{question.text}", k=CANDIDATE_PASSAGES, topics=topics)
        hits = _interleaved(hits, joined)[:CANDIDATE_PASSAGES]
    # the place each section speaks of matters only to a question that names one
    spoken_of = {h.section_id: kb.section_place(h.section_id) for h in hits} if question.named_places else {}
    return decide(question, hits, kb.char_counts, spoken_of)


def _interleaved(first: Sequence, second: Sequence) -> list:
    """The hits of both searches, alternately, each passage once."""
    seen, out = set(), []
    for pair in zip_longest(first, second):
        for hit in pair:
            if hit is not None and hit.passage_id not in seen:
                seen.add(hit.passage_id)
                out.append(hit)
    return out
