"""Issue 9, routing: a form or a personal lookup starts only when the message asks for that action
(bot/components/speech_act.py, a Rasa NLU component: it runs in the Rasa venv)."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.bot.conftest import RASA, rasa_env

CASES = [
    # (DIET's intent, message, is it a request for the action?)
    ("estimate_reimbursement", "居民医保住院一般能报多少", False),
    ("estimate_reimbursement", "住院一共花了三万，能报多少", True),
    ("estimate_reimbursement", "帮我算一下要自己出多少", True),
    ("estimate_reimbursement", "医保交了二十多年，住院能报多少", False),  # years, not an amount
    ("estimate_reimbursement", "住了12天院，职工医保能报多少", False),
    ("estimate_reimbursement", "给我妈交的居民医保，住院能报多少", False),  # 给我妈 is not a request to the bot
    ("estimate_reimbursement", "住院花了23000，能报多少", True),
    ("check_balance", "个人账户里的钱是怎么来的", False),
    ("check_balance", "我的个人账户还有多少钱", True),
    ("check_balance", "查余额", True),
    ("guide_remote_filing", "异地就医备案是怎么回事", False),
    ("guide_remote_filing", "我要办异地就医备案", True),
    ("guide_special_disease", "我想知道慢特病怎么申请", False),
    ("guide_special_disease", "帮我申请门诊慢特病", True),
    ("guide_special_disease", "给我爸申请糖尿病门特", True),  # a statement naming the procedure
    ("guide_special_disease", "给我爸申请糖尿病门特要什么材料", False),
    ("forgot_pin", "看病时医院为什么要核对身份证件", False),  # identity documents, not the PIN
    ("forgot_pin", "密码不记得了怎么办", True),
    ("forgot_pin", "忘了", True),  # at the PIN prompt
    ("forgot_pin", "我想用身份证号验证", True),  # the other way to verify
    ("estimate_reimbursement", "住院花了三万能报多少", True),  # 三万 then 能: still an amount
    ("estimate_reimbursement", "我想知道住院4000块能报多少", True),  # an amount to compute beats 想知道
    ("estimate_reimbursement", "全市三万人参保，住院能报多少", False),  # 三万人 is no sum of money
    # a way asked about, with the sum only in the story
    ("estimate_reimbursement", "做手术花了两万多，是先走医保还是先找商业保险？", False),
    ("estimate_reimbursement", "门诊花了800块，报销要什么手续", False),
    ("check_balance", "我的个人账户能不能给家里人用", False),  # a rule about one's own account
    ("check_balance", "我的个人账户怎么查余额", True),
    ("check_balance", "我的医保卡里还剩多少钱", True),
    ("check_balance", "居民医保的个人账户每年划入多少钱", False),  # what the account receives: a rule
    ("ask_institution", "附近哪家药店能刷医保卡", True),
    ("ask_institution", "人民医院的电话是多少", True),
    ("ask_institution", "仁爱诊所能不能刷医保", True),
    ("ask_institution", "在医院住院期间能不能用医保买院外的药", False),  # about a rule, not finding a hospital
    ("ask_institution", "药店的医保药品一次最多能买几盒", False),
    ("ask_institution", "我家附近那个药店不是定点的，在那儿买药能报销吗？", False),  # the place is in the story
    ("ask_institution", "我住在人民医院附近，哪家药店能刷医保？", True),
]


def test_action_intents_need_a_request_and_long_questions_are_not_small_talk():
    script = (
        "import json,sys\n"
        "from bot.components.speech_act import is_small_talk_only, wants_action\n"
        "cases=json.loads(sys.stdin.read())\n"
        "print(json.dumps({'wants':[wants_action(i,t) for i,t,_ in cases],"
        "'small':[is_small_talk_only(t) for t in ['你好','谢谢你啊小助手','你好，我想问一下异地就医要不要备案']]}))\n"
    )
    python = RASA.parent / "python"
    out = subprocess.run(
        [str(python), "-c", script],
        input=json.dumps(CASES),
        capture_output=True,
        text=True,
        env=rasa_env(),
        check=True,
        timeout=300,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["wants"] == [expected for _, _, expected in CASES]
    assert result["small"] == [True, True, False]


@pytest.mark.parametrize(("intent", "minimum"), [("ask_institution", 30), ("check_balance", 20)])
def test_every_action_example_the_nlu_learns_passes_the_gate(intent: str, minimum: int):
    """The gate must not undo what the NLU was taught: each training example of an action intent requests it."""
    import yaml

    from yibao.settings import PROJECT_ROOT

    examples = [
        line[2:].strip()
        for path in sorted((PROJECT_ROOT / "bot" / "data" / "nlu").glob("*.yml"))
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []
        if block.get("intent") == intent
        for line in block["examples"].splitlines() if line.strip()
    ]
    script = (
        "import json,sys\n"
        "from bot.components.speech_act import wants_action\n"
        f"print(json.dumps([t for t in json.loads(sys.stdin.read()) if not wants_action({intent!r}, t)]))\n"
    )
    out = subprocess.run([str(RASA.parent / "python"), "-c", script], input=json.dumps(examples),
                         capture_output=True, text=True, env=rasa_env(), check=True, timeout=300)
    assert len(examples) > minimum and json.loads(out.stdout.strip().splitlines()[-1]) == []
