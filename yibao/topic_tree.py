"""The topic tree (yibao/data/topic_tree.yml): topic → sub-topic → common questions.

One file serves two readers: the kiosk's touch navigation (``GET /api/topics``) and the related questions the
bot offers after every answer (bot/actions/related.py). Loaded and checked once: unknown ``next`` ids, duplicate
ids or a sub-topic without questions fail at start, not in front of a patient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

TREE_FILE = Path(__file__).resolve().parent / "data" / "topic_tree.yml"
_NOT_WORD = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]")


def _norm(text: str) -> str:
    return _NOT_WORD.sub("", text).lower()


@dataclass(frozen=True)
class Question:
    id: str
    text: str  # the button's words, and what is sent unless there is a payload
    payload: str  # what the button sends (the text itself for a plain question)
    topic: str
    subtopic: str
    next: tuple[str, ...] = ()
    kind: str = "answer"  # "answer": answered at once; "form": starts a form that asks back (the estimate)

    def button(self) -> dict[str, str]:
        return {"title": self.text, "payload": self.payload}


@dataclass(frozen=True)
class SubTopic:
    id: str
    label: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    icon: str
    hint: str
    subtopics: tuple[SubTopic, ...]


class TopicTree:
    def __init__(self, topics: list[Topic]) -> None:
        self.topics = topics
        self.questions: dict[str, Question] = {}
        self._by_words: dict[str, Question] = {}
        for topic in topics:
            for sub in topic.subtopics:
                if not sub.questions:
                    raise ValueError(f"topic tree: sub-topic {topic.id}/{sub.id} has no questions")
                for q in sub.questions:
                    if q.id in self.questions:
                        raise ValueError(f"topic tree: question id {q.id} used twice")
                    self.questions[q.id] = q
                    self._by_words[_norm(q.text)] = q
                    self._by_words[q.payload] = q
        for q in self.questions.values():
            unknown = [n for n in q.next if n not in self.questions]
            if unknown:
                raise ValueError(f"topic tree: {q.id} names unknown next questions {unknown}")

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def find(self, asked: str) -> Question | None:
        """The tree's question that was asked: its payload, or its words (punctuation and spaces aside)."""
        asked = asked.strip()
        return self._by_words.get(asked) or self._by_words.get(_norm(asked))

    def subtopic_questions(self, q: Question) -> tuple[Question, ...]:
        topic = self.topic(q.topic)
        sub = next(s for s in topic.subtopics if s.id == q.subtopic) if topic else None
        return sub.questions if sub else ()

    def as_dict(self) -> dict[str, Any]:
        return {"topics": [{
            "id": t.id, "label": t.label, "icon": t.icon, "hint": t.hint,
            "subtopics": [{"id": s.id, "label": s.label,
                           "questions": [{"id": q.id, "text": q.text, "payload": q.payload} for q in s.questions]}
                          for s in t.subtopics],
        } for t in self.topics]}


def parse_tree(data: dict[str, Any]) -> TopicTree:
    topics = []
    for t in data.get("topics") or []:
        subtopics = []
        for s in t.get("subtopics") or []:
            questions = tuple(
                Question(id=str(q["id"]), text=str(q["text"]), payload=str(q.get("payload") or q["text"]),
                         topic=str(t["id"]), subtopic=str(s["id"]), next=tuple(q.get("next") or ()),
                         kind=str(q.get("kind") or "answer"))
                for q in s.get("questions") or []
            )
            subtopics.append(SubTopic(id=str(s["id"]), label=str(s["label"]), questions=questions))
        topics.append(Topic(id=str(t["id"]), label=str(t["label"]), icon=str(t.get("icon", "")),
                            hint=str(t.get("hint", "")), subtopics=tuple(subtopics)))
    return TopicTree(topics)


@lru_cache(maxsize=1)
def get_topic_tree() -> TopicTree:
    return parse_tree(yaml.safe_load(TREE_FILE.read_text(encoding="utf-8")))
