"""Topic tags for passages and queries, from keyword rules over simplified text.

A passage can carry several topics; ``policy`` (general insurance rules) is the fallback when none matches.
The dialogue passes topics derived from the intent; retrieval uses them as a soft preference.
"""

from __future__ import annotations

TOPICS = ("reimbursement", "special_disease", "remote_filing", "catalog", "account", "institution", "policy")

TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "reimbursement": (
        "报销", "起付线", "封顶线", "支付比例", "报销比例", "统筹基金支付", "个人负担", "自付", "结算", "大病保险",
        "住院费用", "门诊统筹", "医疗救助", "待遇",
    ),
    "special_disease": (
        "特殊病", "特定病种", "慢性病", "慢特病", "门诊大病", "透析", "恶性肿瘤", "尿毒症", "罕见病", "精神疾病",
        "肾移植", "放、化疗", "特殊疾病", "并发症", "重大疾病",
    ),
    "remote_filing": ("异地", "备案", "转院", "转诊", "手工报销", "跨省", "跨市", "外出就医", "就医地", "参保地"),
    "catalog": (
        "目录", "甲类", "乙类", "药品", "耗材", "诊疗项目", "处方", "非处方药", "自费药", "医疗服务项目",
        "针灸", "推拿",
    ),
    "account": ("个人账户", "个人帐户", "医保卡", "社保卡", "身份", "实名", "冒名", "余额", "本人", "监护人", "凭证"),
    "institution": (
        "定点", "药店", "药房", "经办机构", "医保协议", "考核", "评估", "申请", "违约", "中止", "解除", "稽核", "监管",
        "医保办", "窗口", "投诉",
    ),
}


def tag_topics(text: str) -> list[str]:
    """Topics whose keywords occur in ``text`` (simplified); ``["policy"]`` when none does."""
    found = [topic for topic, words in TOPIC_KEYWORDS.items() if any(w in text for w in words)]
    return found or ["policy"]
