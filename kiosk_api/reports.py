"""What staff see about patients' questions: the unanswered queue (grouped) and the dashboard figures.

Reads the kiosk API's own tables (``kiosk_api.store``); questions there are already redacted.
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import select

from kiosk_api.store import feedback, get_store, turns, utcnow
from yibao.logging import get_logger
from yibao.settings import get_settings

log = get_logger("kiosk_api.reports")
GROUP_COSINE = 0.88  # two questions this close (m3e) ask the same thing
GROUP_FUZZ = 80  # rapidfuzz ratio used when the embedding model is unavailable
MAX_QUEUE_ROWS = 1000


@dataclass
class QueueGroup:
    question: str  # the most frequent wording
    count: int
    reasons: dict[str, int]
    examples: list[str]
    last_at: datetime
    curated_id: int | None = None  # a curated answer already covers it
    members: list[str] = field(default_factory=list, repr=False)


def _reason(row: dict[str, Any], threshold: float) -> str:
    if row.get("rating") == "down":
        return "👎"
    if row.get("rating") == "unsolved":
        return "没解决"
    if row["handoff"]:
        return "转人工"
    if row["fallback"]:
        return "没把握"
    return "置信度低"


def queue_rows(since: datetime) -> list[dict[str, Any]]:
    """Unanswered (fallback, handoff, low confidence) and low-rated (👎, 没解决) questions, newest first."""
    threshold = get_settings().answer_threshold
    store = get_store()
    rows = [dict(r) for r in store.unanswered(since, threshold, MAX_QUEUE_ROWS)]
    rated = (
        select(turns.c.created_at, turns.c.channel, turns.c.question, turns.c.intent, turns.c.confidence,
               turns.c.fallback, turns.c.handoff, feedback.c.rating)
        .select_from(feedback.join(turns, turns.c.id == feedback.c.turn_id))
        .where(feedback.c.created_at >= since, feedback.c.rating.in_(("down", "unsolved")))
        .limit(MAX_QUEUE_ROWS)
    )
    with store.engine.connect() as conn:
        rows.extend(dict(r) for r in conn.execute(rated).mappings())
    for row in rows:
        row["reason"] = _reason(row, threshold)
    rows = [r for r in rows if r["question"] and not r["question"].startswith("/") and "[已隐藏]" not in r["question"]]
    return sorted(rows, key=lambda r: r["created_at"], reverse=True)


def _embed(questions: list[str]) -> Any:
    try:
        from knowledge.retrieve import get_knowledge_base

        encoder = get_knowledge_base().encoder()
        return encoder.encode(questions, normalize_embeddings=True, convert_to_numpy=True, batch_size=64)
    except Exception as exc:  # no index or model: group by spelling instead
        log.warning("queue_grouping_without_embeddings", error=str(exc)[:200])
        return None


def group_questions(rows: list[dict[str, Any]]) -> list[QueueGroup]:
    """Greedy grouping: each question joins the first group whose first question is close enough."""
    distinct = list(dict.fromkeys(r["question"] for r in rows))
    vectors = _embed(distinct) if distinct else None
    leaders: list[int] = []
    group_of: dict[str, int] = {}
    for i, q in enumerate(distinct):
        for g, leader in enumerate(leaders):
            close = (float(vectors[i] @ vectors[leader]) >= GROUP_COSINE if vectors is not None
                     else fuzz.ratio(q, distinct[leader]) >= GROUP_FUZZ)
            if close:
                group_of[q] = g
                break
        else:
            group_of[q] = len(leaders)
            leaders.append(i)
    buckets: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        buckets[group_of[r["question"]]].append(r)
    groups = []
    for members in buckets.values():
        wordings = Counter(r["question"] for r in members)
        groups.append(QueueGroup(
            question=wordings.most_common(1)[0][0], count=len(members),
            reasons=dict(Counter(r["reason"] for r in members)),
            examples=[q for q, _ in wordings.most_common(5)], last_at=max(r["created_at"] for r in members),
            members=list(wordings),
        ))
    return sorted(groups, key=lambda g: (-g.count, -g.last_at.timestamp()))


def queue(days: int, limit: int = 50) -> list[QueueGroup]:
    groups = group_questions(queue_rows(utcnow() - timedelta(days=days)))[:limit]
    try:
        from knowledge.faq import best_match

        for g in groups:
            match = best_match(g.question)
            g.curated_id = match.answer.id if match else None
    except Exception as exc:  # the queue is still useful without this hint
        log.warning("curated_hint_unavailable", error=str(exc)[:200])
    return groups


# --- dashboard -------------------------------------------------------------------------------------------------


@dataclass
class Dashboard:
    days: list[str]
    questions: dict[str, dict[str, int]]  # channel -> day -> questions
    answered: dict[str, int]  # day -> answered questions
    handoff: dict[str, int]  # day -> handed-off questions
    totals: dict[str, int]  # questions, answered, handoff, up, down, unsolved
    feedback_by_day: dict[str, dict[str, int]]  # day -> rating -> count
    top_unanswered: list[tuple[str, int]]
    curated_used: list[tuple[int, str, int]]

    def rate(self, part: str) -> float:
        return self.totals[part] / self.totals["questions"] if self.totals["questions"] else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": self.days, "questions": self.questions, "answered": self.answered, "handoff": self.handoff,
            "totals": self.totals, "answer_rate": round(self.rate("answered"), 4),
            "handoff_rate": round(self.rate("handoff"), 4), "feedback_by_day": self.feedback_by_day,
            "top_unanswered": [{"question": q, "count": n} for q, n in self.top_unanswered],
            "curated_used": [{"id": i, "question": q, "count": n} for i, q, n in self.curated_used],
        }

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["date", "channel", "questions", "answered", "handoff", "up", "down", "unsolved"])
        for day in self.days:
            for channel in sorted(self.questions):
                n = self.questions[channel].get(day, 0)
                if n:
                    writer.writerow([day, channel, n, "", "", "", "", ""])
            fb = self.feedback_by_day.get(day, {})
            total = sum(self.questions[c].get(day, 0) for c in self.questions)
            writer.writerow([day, "all", total, self.answered.get(day, 0), self.handoff.get(day, 0),
                             fb.get("up", 0), fb.get("down", 0), fb.get("unsolved", 0)])
        return out.getvalue()


_recent: dict[int, tuple[float, Dashboard]] = {}
DASHBOARD_TTL = 10.0  # seconds: the page's five charts and figures come from one computation


def dashboard(days: int) -> Dashboard:
    cached = _recent.get(days)
    if cached is not None and time.monotonic() - cached[0] < DASHBOARD_TTL:
        return cached[1]
    board = _compute_dashboard(days)
    _recent[days] = (time.monotonic(), board)
    return board


def _compute_dashboard(days: int) -> Dashboard:
    since = (utcnow() - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    threshold = get_settings().answer_threshold
    day_list = [(since + timedelta(days=i)).strftime("%Y-%m-%d") for i in range(days)]
    questions: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    answered: dict[str, int] = defaultdict(int)
    handoff: dict[str, int] = defaultdict(int)
    by_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    store = get_store()
    with store.engine.connect() as conn:
        for at, channel, fallback, handed, confidence in conn.execute(
            select(turns.c.created_at, turns.c.channel, turns.c.fallback, turns.c.handoff, turns.c.confidence)
            .where(turns.c.created_at >= since)
        ):
            day = at.strftime("%Y-%m-%d")
            questions[channel][day] += 1
            if handed:
                handoff[day] += 1
            if not (fallback or handed or (confidence is not None and confidence < threshold)):
                answered[day] += 1
        for at, rating in conn.execute(
            select(feedback.c.created_at, feedback.c.rating).where(feedback.c.created_at >= since)
        ):
            by_day[at.strftime("%Y-%m-%d")][rating] += 1
    top = [(g.question, g.count) for g in group_questions(queue_rows(since))[:10]]
    try:
        from knowledge.faq import get_curated_answers

        used = get_curated_answers().usage(since)
    except Exception as exc:
        log.warning("curated_usage_unavailable", error=str(exc)[:200])
        used = []
    totals = {
        "questions": sum(sum(d.values()) for d in questions.values()), "answered": sum(answered.values()),
        "handoff": sum(handoff.values()),
        **{r: sum(d.get(r, 0) for d in by_day.values()) for r in ("up", "down", "unsolved")},
    }
    return Dashboard(
        days=day_list, questions={c: dict(d) for c, d in questions.items()}, answered=dict(answered),
        handoff=dict(handoff), totals=totals, feedback_by_day={d: dict(v) for d, v in by_day.items()},
        top_unanswered=top, curated_used=used,
    )


# --- charts (server-rendered SVG, pygal) -----------------------------------------------------------------------

CHARTS = ("questions", "rates", "feedback", "unanswered", "curated")


def chart_svg(board: Dashboard, name: str) -> bytes:
    import pygal
    from pygal.style import Style

    style = Style(font_family="'Noto Sans CJK SC', 'Noto Sans SC', sans-serif", background="white",
                  plot_background="white", colors=("#1f5fa8", "#2e7d32", "#c62828", "#ef8f00", "#6a1b9a"),
                  label_font_size=13, major_label_font_size=13, legend_font_size=14, title_font_size=17,
                  value_font_size=12)
    common: dict[str, Any] = {"style": style, "js": [], "width": 760, "height": 360, "disable_xml_declaration": False,
                              "legend_at_bottom": True, "print_values": False, "no_data_text": "暂无数据",
                              "x_label_rotation": 30}
    short_days = [d[5:] for d in board.days]
    if name == "questions":
        chart = pygal.StackedBar(title="每日提问（按渠道）", **common)
        chart.x_labels = short_days
        for channel, counts in sorted(board.questions.items()):
            chart.add(channel, [counts.get(d, 0) for d in board.days])
    elif name == "rates":
        chart = pygal.Line(title="解决率与转人工率（%）", range=(0, 100), **common)
        chart.x_labels = short_days

        def share(part: dict[str, int], day: str) -> float | None:
            total = sum(board.questions[c].get(day, 0) for c in board.questions)
            return round(100 * part.get(day, 0) / total, 1) if total else None

        chart.add("解决率", [share(board.answered, d) for d in board.days])
        chart.add("转人工率", [share(board.handoff, d) for d in board.days])
    elif name == "feedback":
        chart = pygal.Bar(title="满意度：👍 / 👎 / 没解决", **common)
        chart.x_labels = ["👍 满意", "👎 不满意", "没解决"]
        chart.add("次数", [board.totals["up"], board.totals["down"], board.totals["unsolved"]])
    elif name == "unanswered":
        chart = pygal.HorizontalBar(title="未答好的问题（按相似问题归组）", **{**common, "x_label_rotation": 0})
        for question, count in reversed(board.top_unanswered):
            chart.add(question[:24], count)
    elif name == "curated":
        chart = pygal.HorizontalBar(title="使用最多的标准答案", **{**common, "x_label_rotation": 0})
        for answer_id, question, count in reversed(board.curated_used):
            chart.add(f"#{answer_id} {question[:20]}", count)
    else:
        raise KeyError(name)
    if name != "rates":  # counts: whole-number ticks, not 0.2, 0.4, …
        top = max([board.totals["up"], board.totals["down"], board.totals["unsolved"],
                   *(n for _, n in board.top_unanswered), *(n for *_, n in board.curated_used),
                   *(sum(c.get(d, 0) for c in board.questions.values()) for d in board.days)])
        if top:  # (pygal cannot place explicit labels on an empty chart)
            step = max(1, -(-top // 10))
            chart.y_labels = list(range(0, top + step, step))
    return chart.render()
