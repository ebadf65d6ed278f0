"""Request and response bodies of ``/api/*`` (they are the OpenAPI schema at ``/docs``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from kiosk_api.text_input import clean_text
from yibao.answer_meta import REFUSALS, Citation, ExpectInput
from yibao.settings import get_settings

Channel = Literal["kiosk", "widget", "staff", "api"]
Rating = Literal["up", "down", "unsolved"]


class ErrorDetail(BaseModel):
    code: str = Field(examples=["invalid_input"])
    message: str = Field(description="礼貌的中文说明，页面直接显示", examples=["请输入您的问题。"])


class ErrorResponse(BaseModel):
    error: ErrorDetail


class SessionRequest(BaseModel):
    channel: Channel = "api"


class SessionInfo(BaseModel):
    session_id: str = Field(description="服务器生成、不可猜测；也是 Rasa sender id 和账户核验的 conversation_id")
    channel: Channel
    created_at: datetime
    idle_seconds: int = Field(description="页面无操作多少秒后开始倒计时")
    countdown_seconds: int = Field(description="倒计时多少秒后结束会话并清屏")
    human_help: str = Field(description="人工服务窗口与热线")


class ChatRequest(BaseModel):
    session_id: str = Field(min_length=1, max_length=128)
    message: str = Field(description="患者输入的文字或快捷按钮的 payload", examples=["异地就医备案怎么办理"])
    channel: Channel | None = Field(default=None, description="省略时沿用开始会话时的渠道")

    @field_validator("message")
    @classmethod
    def _clean(cls, value: str) -> str:
        return clean_text(value, get_settings().max_message_chars)


class Button(BaseModel):
    title: str
    payload: str


class BotMessage(BaseModel):
    text: str = ""
    buttons: list[Button] = []


class ChatReply(BaseModel):
    session_id: str
    reply_id: int = Field(description="本轮问答的编号，满意度反馈时带上")
    messages: list[BotMessage]
    # yibao.answer_meta.Citation (a standard-library dataclass, which pydantic validates and documents as it is)
    citations: list[Citation] = []
    intent: str | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)
    fallback: bool = Field(default=False, description="助手没把握，已建议找人工")
    handoff: bool = Field(default=False, description="需要转人工服务")
    refusal: str | None = Field(
        default=None,
        description="没有回答的原因：" + "、".join(REFUSALS),
    )
    expect_input: ExpectInput | None = Field(default=None, description="下一步要输入卡号/密码等：显示数字键盘")
    human_help: str | None = Field(default=None, description="fallback/handoff 时的人工服务窗口与热线")
    institutions: list[InstitutionCard] = Field(default=[], description="定点医药机构卡片（名录查询的结果）")
    show_statement: bool = Field(
        default=False,
        description="身份已核验：页面可用 POST /api/account/statement 取各年度账户明细（不经过对话记录）",
    )
    topic: str | None = Field(default=None, description="回答在话题树中的位置（/api/topics），自助机“返回上一级”用")
    subtopic: str | None = None


class TtsRequest(BaseModel):
    text: str = Field(description="要朗读的文字（回答本身，不含来源行）", examples=["异地就医需要先办理备案。"])

    @field_validator("text")
    @classmethod
    def _clean(cls, value: str) -> str:
        return clean_text(value, get_settings().kiosk_tts_max_chars, what="文字")


class FeedbackRequest(BaseModel):
    session_id: str = Field(min_length=1, max_length=128)
    reply_id: int | None = Field(default=None, ge=1, le=2**62)
    rating: Rating = Field(description="up=👍 down=👎 unsolved=没解决")
    comment: str | None = Field(default=None, description="可选的补充说明")

    @field_validator("comment")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else clean_text(value, 300, what="意见")


class FeedbackAck(BaseModel):
    stored: bool
    offer_handoff: bool = Field(description="👎/没解决：页面应提供人工服务")
    human_help: str | None = None


class SearchHit(BaseModel):
    passage_id: str
    text: str
    highlights: list[tuple[int, int]] = Field(description="text 中与查询词匹配的 [起, 止) 位置")
    highlighted_html: str = Field(description="已转义的 HTML，匹配处用 <mark>")
    doc: str
    doc_id: str
    section: str
    section_id: str
    section_url: str = Field(description="整节原文（JSON）")
    section_page: str = Field(description="整节原文（网页）")
    topics: list[str]
    score: float
    confidence: float


class SearchResults(BaseModel):
    query: str
    terms: list[str]
    hits: list[SearchHit]


class SectionText(BaseModel):
    section_id: str
    text: str


class DrugHit(BaseModel):
    name: str
    category: str
    dosage_form: str = ""
    restriction: str = ""
    note: str = ""
    score: float
    source: str


class CatalogResults(BaseModel):
    query: str
    hits: list[DrugHit]
    recognised: bool = False  # the best hit is the drug asked about (what the chat bot states as its answer)
    confidence: float = 0.0  # 0..1, as the chat bot reports it (knowledge.catalog.answers)


class CheckResult(BaseModel):
    ok: bool
    detail: str
    latency_ms: float


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    checks: dict[str, CheckResult]


class PublicConfig(BaseModel):
    human_help: str
    idle_seconds: int
    countdown_seconds: int
    max_message_chars: int


# ---- 定点医药机构名录 ----------------------------------------------------------------------------------------

InstitutionType = Literal["医院", "社区卫生服务中心", "卫生院", "门诊部", "诊所", "零售药店"]
InstitutionLevel = Literal["三级", "二级", "一级", "未定级"]
InstitutionNature = Literal["公立", "民营"]
InstitutionFlag = Literal["cross_province", "e_voucher", "chronic_disease", "external_prescription", "open_24h"]


class InstitutionCard(BaseModel):
    code: str
    name: str
    type: str
    level: str
    nature: str
    district: str
    address: str
    phone: str = ""
    opening_hours: str = ""
    latitude: float | None = None
    longitude: float | None = None
    flags: list[str] = Field(description="cross_province / e_voucher / chronic_disease / external_prescription / "
                                          "open_24h")
    flag_names: list[str] = Field(description="flags 的中文名，如 跨省异地就医直接结算、外配处方")
    distance_m: int | None = Field(default=None, description="离自助机（或 lat/lon）的直线距离，米")
    distance_text: str = Field(default="", examples=["约 130 米"])
    score: float = Field(description="名称匹配度 0..100；没有按名称查时为 100")


class GeoPoint(BaseModel):
    latitude: float
    longitude: float


class InstitutionResults(BaseModel):
    total: int = Field(description="符合条件的机构数（分页前）")
    source: str = Field(description="数据来源；示例数据会写明是虚构的")
    is_sample: bool
    origin: GeoPoint | None = Field(description="距离从哪里算起；未设置自助机位置时为空")
    institutions: list[InstitutionCard]
    suggestions: list[str] = Field(default=[], description="按名称没找到时相近的名称（仅供参考）")


class InstitutionFacets(BaseModel):
    """What the kiosk's buttons and the staff filters can offer, from the directory itself."""

    types: list[str]
    districts: list[str]
    levels: list[str]
    natures: list[str]
    flags: dict[str, str] = Field(description="flag -> 中文名")
    source: str
    is_sample: bool
    total: int


ChatReply.model_rebuild()


# ---- 各年度个人账户（核验后才有） ------------------------------------------------------------------------------


class StatementRequest(BaseModel):
    session_id: str = Field(min_length=1, max_length=128, description="已在对话中核验过身份的会话")


class StatementYear(BaseModel):
    year: int
    credited: Decimal = Field(description="划入")
    spent: Decimal = Field(description="支出")
    closing_balance: Decimal = Field(description="年末结余")


class StatementContribution(BaseModel):
    year: int = Field(description="缴费年度")
    months: int
    amount: Decimal
    status: str = Field(examples=["已缴"])


class StatementArrears(BaseModel):
    period_start: str = Field(examples=["2025-01"])
    period_end: str = Field(examples=["2025-12"])
    description: str
    amount: Decimal


class AccountStatement(BaseModel):
    masked_name: str = Field(examples=["演*户"])
    masked_card: str = Field(examples=["************0001"])
    insurance_type: str
    balance: Decimal = Field(description="本年度（当前）个人账户余额")
    arrears: Decimal = Field(description="欠费合计")
    years: list[StatementYear] = Field(description="各年度，新的在前")
    contributions: list[StatementContribution]
    arrears_periods: list[StatementArrears]
    arrears_advice: str = Field(description="有欠费时怎么办（政策文件没有写明时指向人工窗口）")
    generated_at: datetime
    verified_until: datetime
