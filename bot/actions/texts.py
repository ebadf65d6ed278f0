"""Every fixed sentence the assistant says, in one place (domain.yml has no responses: actions send all texts
so each answer can carry its answer_meta). Policy figures never appear here: they come from cited passages
or the policy table."""

from __future__ import annotations

from yibao.settings import get_settings


def human_help() -> str:
    return get_settings().human_help


GREET = (
    "您好，我是医保通小助手，可以帮您查报销政策、慢特病申请、异地就医备案、药品目录和个人账户余额。"
    "请问有什么可以帮您？"
)
GOODBYE = "感谢使用医保通，祝您早日康复，再见！"
THANK = "不客气，很高兴能帮到您。还有其他医保问题可以继续问我。"
AFFIRM = "好的。还有什么医保问题需要帮忙吗？"
DENY = "好的。如需帮助，可以点击下面的按钮或直接输入问题。"
INFORM_WITHOUT_CONTEXT = "收到。请告诉我您想了解什么，例如“职工医保住院报销比例”或“异地就医备案要什么材料”。"

OUT_OF_SCOPE = (
    "抱歉，这个问题超出了我的服务范围。我只能解答医保政策相关问题（报销、慢特病、异地就医、药品目录、账户余额）。"
    "身体不适或用药、治疗方面的问题，请咨询医生或药师，我不能提供医疗建议。"
)
HANDOFF = "好的，正在为您转接人工服务。{help}"
NOT_SURE = "抱歉，这个问题我没有在政策文件中找到可靠的答案，不敢随便回答。{help}"
BACKEND_UNAVAILABLE = "抱歉，{what}暂时无法使用，请稍后再试。{help}"
EMPTY_INPUT = "没有收到您的问题，请用文字描述您想了解的医保问题。"
FORM_STOPPED = "好的，已为您取消{what}。还有其他问题可以继续问我。"
FORM_STOPPED_GOODBYE = "好的，已为您取消{what}。感谢使用，再见！"

# An honest refusal says what the documents do not cover and points to a person; it never states a figure.
NOT_IN_DOCUMENTS = "抱歉，政策文件里没有能回答这个问题的内容，我不能随便回答。{nearest}{help}"
NEAREST_POINT = "文件中相关的只有《{doc}》“{section}”的内容，没有讲到{missing}。"
NOT_THAT_PLACE = "政策文件中没有关于“{places}”的具体规定，不能把别处的标准当作那里的标准。{help}"
NOT_THAT_YEAR = "政策文件中没有您问的那一年的标准，不能把其他年份的数字当作那一年的。{help}"
GENERAL_RULE_ONLY = "政策文件没有专门讲{places}，以下是文件中的一般规定："
UNDERSTOOD_AS = "按“{question}”为您查到："

ANSWER_INTRO = "根据政策文件中的相关规定："
ANSWER_MORE = "相关规定："
SOURCE_LINE = "来源：《{doc}》 {section}（匹配度 {confidence:.0%}）"
LOCAL_RULES_NOTE = "具体标准以您参保地医保经办机构的规定为准。"

ASK_FILING_TYPE = "请问您属于哪种异地就医情况？"
ASK_DISEASE = "请问您要申请哪一种疾病的门诊慢特病（例如 糖尿病、高血压、尿毒症透析、恶性肿瘤）？"
ASK_INSURANCE_TYPE = "请问您参加的是哪种医保？"
ASK_VISIT_TYPE = "这次是门诊还是住院？"
ASK_TOTAL_COST = "这次医疗总费用大约是多少元？（例如 20000 或 2万）"
ASK_CARD_NUMBER = "查询余额需要先核验身份。请输入您的医保卡号（社保卡号）。"
ASK_PIN = "请输入医保卡密码（6位数字）。密码只用于本次核验，不会被保存。"

ASK_ID_LAST6 = "请输入身份证号码的后6位（最后一位是X的请输入X）。"
ASK_OTP = "请输入手机短信收到的6位验证码。"
FORGOT_PIN_BUTTON = ("忘记密码？用身份证后6位+短信验证码", "/forgot_pin")
INVALID_ID_LAST6 = "请输入身份证号码的后6位（5位数字加最后1位数字或X）。"
INVALID_OTP = "验证码应为6位数字，请重新输入。"

INVALID_FILING_TYPE = "没有听懂您的备案类型，请从下面的选项中选择。"
INVALID_DISEASE = "请告诉我具体的疾病名称，例如“糖尿病”。"
INVALID_INSURANCE_TYPE = "请选择职工医保或城乡居民医保（原新农合已并入城乡居民医保）。"
INVALID_VISIT_TYPE = "请选择门诊或住院。"
INVALID_TOTAL_COST = "没有识别出金额，请输入数字，例如 20000 或 2万。"
INVALID_CARD_NUMBER = "卡号格式不正确，请输入卡上的数字或字母编号（不要输入身份证号以外的内容）。"
INVALID_PIN = "密码应为6位数字，请重新输入。"
MERGED_INSURANCE_TYPE = "（{note}）"  # the policy table's note on a merged scheme (新农合)

FILING_GUIDE_TITLE = "【{filing_type}备案指引】以下内容摘自政策文件："
DISEASE_GUIDE_TITLE = "【{disease} 门诊慢特病申请指引】以下内容摘自政策文件："
GUIDE_NOTHING_FOUND = "政策文件中没有找到“{topic}”的具体规定。{help}"

ESTIMATE_UNAVAILABLE = (
    "抱歉，政策表里没有“{insurance_type} {visit_type}”的可靠数据，无法估算，我不会编造数字。{help}"
)

INSTITUTION_START = "想找哪一类定点医药机构？点下面的按钮，或直接说，例如“附近哪家药店能刷医保”“市一医院电话多少”。"

CATALOG_NOT_FOUND = "在目录中没有找到“{name}”。请核对药品名称（可用通用名，如“阿莫西林”），或到窗口咨询。"

BALANCE_VERIFIED = "身份核验通过。"
BALANCE_VIEW = "{name}（卡号 {card}，{insurance_type}）\n个人账户余额：{balance:,.2f} 元"
BALANCE_ARREARS = "欠费：{arrears:,.2f} 元"
BALANCE_TRANSACTIONS = "最近交易："
BALANCE_NOT_VERIFIED = "未能完成身份核验，无法显示账户信息。{help}"
BALANCE_LOCKED = "为保护您的账户，核验已暂停。{help}"

MAIN_MENU = [
    ("报销怎么算", "/estimate_reimbursement"),
    ("慢特病申请", "/guide_special_disease"),
    ("异地就医备案", "/guide_remote_filing"),
    ("药品能不能报", "/ask_catalog"),
    ("查个人账户余额", "/check_balance"),
    ("转人工", "/request_human"),
]
