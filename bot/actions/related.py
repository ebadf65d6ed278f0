"""Related questions after an answer: 2–4 buttons from the topic tree (yibao/data/topic_tree.yml).

A question from the tree gets its own ``next`` questions (the next step, the other insurance type) and then
its sub-topic's others; any other question gets the closest questions of its topic, so a typed question is
followed by buttons as well. The kiosk also gets where the answer sits in the tree, for its "返回上一级".
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.actions.intents import INTENT_TOPICS
from yibao.topic_tree import Question, TopicTree, get_topic_tree

MIN_RELATED, MAX_RELATED = 2, 4
# A question this similar to the one just asked is the same question: never offered as a follow-up.
_SAME_QUESTION = 90


@dataclass(frozen=True)
class Related:
    questions: list[Question]
    topic: str | None
    subtopic: str | None

    def buttons(self) -> list[dict[str, str]]:
        return [q.button() for q in self.questions]


def _topic_of(intent: str, tree: TopicTree) -> str | None:
    for topic in INTENT_TOPICS.get(intent) or ():
        if tree.topic(topic):
            return topic
    return None


def _unique(questions: list[Question], exclude: set[str]) -> list[Question]:
    seen, out = set(exclude), []
    for q in questions:
        if q.id not in seen:
            seen.add(q.id)
            out.append(q)
    return out


def related_questions(asked: str, intent: str, tree: TopicTree | None = None) -> Related:
    tree = tree or get_topic_tree()
    found = tree.find(asked)
    if found is not None:
        topic = tree.topic(found.topic)
        same_topic = [q for sub in topic.subtopics for q in sub.questions] if topic else []
        ordered = [tree.questions[n] for n in found.next] + list(tree.subtopic_questions(found)) + same_topic
        return Related(_unique(ordered, {found.id})[:MAX_RELATED], found.topic, found.subtopic)
    topic_id = _topic_of(intent, tree)
    if topic_id is None and INTENT_TOPICS.get(intent):
        return Related([], None, None)  # a topic the tree does not cover (e.g. 定点机构): nothing unrelated
    pool = [q for q in tree.questions.values() if topic_id is None or q.topic == topic_id]
    scored = sorted(((fuzz.ratio(asked, q.text), q) for q in pool), key=lambda pair: -pair[0])
    chosen = [q for score, q in scored if score < _SAME_QUESTION][:MAX_RELATED - 1]
    if len(chosen) < MIN_RELATED:
        chosen = [q for _, q in scored][:MIN_RELATED]
    best = chosen[0] if chosen else None
    return Related(chosen, topic_id or (best.topic if best else None), best.subtopic if best else None)
