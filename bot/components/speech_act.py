"""Speech act gate: a form or a personal lookup starts only when the patient asks for that action.

DIET tells *what* a message is about; it is weak at telling "how does X work?" from "do X for me". A
question about how the personal account works must not start the balance verification, and "职工医保住院能
报多少" must first get the documented figures, not the estimate form. This classifier runs after DIET and
turns an action intent into its informational twin unless the message carries a request (帮我/我要/查一下/
算算…), the data the action needs (an amount of money for the estimate), or a reference to the patient's own
account. The answer to the informational intent then offers the action as a button, so nothing is lost.

It also keeps small talk to short messages: "你好，我想问一下异地就医要备案吗" is a question, not a greeting.

Button payloads ("/check_balance") are never changed: a tap is an explicit request. Standard library only
(runs in the Rasa venv).
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

# Asking someone to do something (imperatives and "I want to …"), in Mandarin and common regional forms.
REQUEST = re.compile(
    r"帮我(?!爸|妈|老|家|儿|女|孩|哥|姐|弟|妹|爷|奶)|帮忙|帮.{0,2}[查算办弄看]|给我(?!爸|妈|老|家|儿|女|孩|哥|姐|弟|妹|爷|奶)|替我|麻烦|我要|我想要|我想[办查算申弄备做开]|我来[办查]|想办|要办|办一下|"
    r"办理一下|开始|申请一下|查一下|查查|查下|查询|查个|看一下我|看看我|算一下|算算|算下|计算|估算|测算|"
    r"指引|向导|教我|带我|一步步|一步一步|整一下|弄一下"
)
# "I would like to know / ask": an inquiry even when it contains 我想.
INQUIRY = re.compile(r"想知道|想问|想了解|请问|问一下|问问|咨询|了解一下|打听")
# An amount of money: the estimate form has something to compute. A bare number counts only with three digits
# or more and no other unit after it ("交了15年", "住了3天" are not amounts; "百万医疗险" is a product's name).
AMOUNT = re.compile(
    r"\d+(?:\.\d+)?\s*(?:万|千|元|块|w|k)|\d{3,}(?!\d|\s*(?:年|月|日|天|岁|次|个|种|人|家|号))|"
    r"[一二两三四五六七八九十]+[万千](?![人户家名个次位])"
)
# A choice or procedure asked about ("先走医保还是先找保险公司"): the amount in the story is no sum to compute.
WHICH_WAY = re.compile(r"还是|要不要|先.{0,12}再|怎么办|怎么弄|流程|手续")
# The patient's own account or its state (not how accounts work in general).
OWN_ACCOUNT = re.compile(
    r"我的|我卡|我医保|我账户|我个人账户|我个账|本人|我还|我这|余额|还剩|剩多少|还有多少钱|有多少钱|里有钱|有钱吗"
)
# Whether or how something may be done, and what one's account holds (its state, or looking it up).
CAN_OR_HOW = re.compile(r"能不能|可不可以|可以.{0,12}[吗么嘛]|能.{0,12}[吗么嘛]|怎么|如何|咋|行不行")
ACCOUNT = re.compile(r"账户|帐户|医保卡|社保卡|卡里|卡上|个账")
# ("每个月划进来多少钱" asks a rule: how much the account receives, not what it holds)
BALANCE_STATE = re.compile(r"余额|还剩|剩多少|还有多少|还能用|里有多少|里有钱|有钱吗|查|看看|记录|明细|流水|扣了|消费")
QUESTION = re.compile(
    r"[吗么嘛呢？?]|是不是|能不能|可不可以|有没有|要不要|需不需要|用不用|是否|怎么|如何|什么|啥|哪|多少|"
    r"多久|几|谁|为什么|咋|想问|问一下|请问|咨询"
)
CJK = re.compile(r"[\u4e00-\u9fff]")
# The verbs of the guided procedures (the remote-filing and special-disease guides).
GUIDE_VERB = re.compile(r"申请|办理|备案|办")
# An action whose subject must be named: "看病为什么要核对身份证件" is about visits, not a forgotten PIN; the
# directory of institutions is for finding one ("附近哪家药店", "市二医院电话", "康华医院能刷医保吗"), not for
# every question that mentions a hospital or a pharmacy ("在药店一次最多能配几天的量").
_INSTITUTION = r"(?:医院|药店|药房|诊所|卫生院|卫生服务中心|门诊部|机构|大药房|保健院|医药)"
SUBJECT = {
    "forgot_pin": re.compile(r"密码|验证|短信|口令|pin|忘|不记得|想不起|身份证号", re.IGNORECASE),
    "ask_institution": re.compile(
        r"哪家|哪些|哪个|哪几家|哪里有|哪儿有|哪里能|去哪|在哪|附近|附進|最近|周边|旁边|离.{0,3}近|"
        r"电话|号码|地址|怎么走|几点|营业|开门|关门|门诊时间|通宵|24小时|半夜|名录|查询|查一下|我想查|找|"
        rf"有没有.{{0,12}}{_INSTITUTION}|{_INSTITUTION}(?:吗|嗎)?[？?]?$|"
        rf"{_INSTITUTION}(?:是不是|是否|能不能|可不可以|能|可以)(?:定点|刷|用|报)"
    ),
}


def asking_part(text: str) -> str:
    """The clauses of ``text`` that ask (all of it when none does): a story told before the question names no
    institution to look up."""
    clauses = re.findall(r"[^，。！？；,.!?;]+[，。！？；,.!?;]?", text)
    asking = [c for c in clauses if QUESTION.search(c)]
    return "".join(asking) if asking else text


def wants_action(intent: str, text: str) -> bool:
    """Whether a message classified as the action ``intent`` asks for the action itself."""
    if intent == "ask_institution":
        # "俺家附近那药店不是定点的，在那儿买药能走医保不？": the place is in the story; what is asked is a rule
        return bool(SUBJECT[intent].search(asking_part(text)))
    if intent in SUBJECT:
        return bool(SUBJECT[intent].search(text))
    # "我想知道住院4000块能报多少": compute it; "花了五万多，是先走医保还是先找保险公司": a way asked, not a sum
    if intent == "estimate_reimbursement" and AMOUNT.search(text) and not WHICH_WAY.search(text):
        return True
    if INQUIRY.search(text) and not re.search(r"帮我|给我|替我", text):
        return False
    if intent == "estimate_reimbursement":
        return bool(REQUEST.search(text))
    if intent.startswith("guide_") and GUIDE_VERB.search(text) and not QUESTION.search(text):
        return True  # "给我爸申请糖尿病门特": a statement naming the procedure, not asking about it, is a request
    if intent == "check_balance":
        # "我的个人账户能不能给家里人用": a rule asked about one's own account, not its balance
        if CAN_OR_HOW.search(text) and not BALANCE_STATE.search(text) and not REQUEST.search(text):
            return False
        own_state = BALANCE_STATE.search(text) and ACCOUNT.search(text)  # "医保卡还能用多少钱", "账户消费记录"
        return bool(REQUEST.search(text) or OWN_ACCOUNT.search(text) or own_state or len(CJK.findall(text)) <= 6)
    return bool(REQUEST.search(text))


def is_small_talk_only(text: str, small_talk_chars: int = 8) -> bool:
    """Short, or long without a question in it ("好的谢谢你啊小助手")."""
    return len(CJK.findall(text)) <= small_talk_chars or not QUESTION.search(text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ActionRequestGate(GraphComponent, IntentClassifier):
    """Relabels action intents the message does not request, and long questions taken for small talk."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "informational": {
                "estimate_reimbursement": "ask_reimbursement",
                "guide_remote_filing": "ask_remote_filing",
                "guide_special_disease": "ask_special_disease",
                "check_balance": "ask_policy",
                "forgot_pin": "ask_policy",
                "ask_institution": "ask_policy",
            },
            "small_talk": ["greet", "thank", "affirm", "goodbye"],
            "question_fallback": "ask_policy",
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self.informational: dict[str, str] = dict(config["informational"])
        self.small_talk = frozenset(config["small_talk"])
        self.question_fallback: str = config["question_fallback"]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ActionRequestGate:
        return cls(config)

    def relabel(self, intent: str, text: str, ranking: list[dict[str, Any]]) -> str | None:
        """The intent this message should have instead of ``intent``, or None to keep it."""
        if intent in self.informational and not wants_action(intent, text):
            return self.informational[intent]
        if intent in self.small_talk and not is_small_talk_only(text):
            others = [r.get(INTENT_NAME_KEY) for r in ranking if r.get(INTENT_NAME_KEY) not in self.small_talk]
            topical = [name for name in others if name and name.startswith("ask_")]
            return topical[0] if topical else self.question_fallback
        return None

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            name = intent.get(INTENT_NAME_KEY)
            if not name or text.startswith("/"):
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            new = self.relabel(str(name), text, ranking)
            if new and new != name:
                message.set(INTENT, {**intent, INTENT_NAME_KEY: new}, add_to_output=True)
        return messages
