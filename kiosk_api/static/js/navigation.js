// Touch-only navigation of the kiosk: home → topic → sub-topic → question (three taps to any answer),
// built from GET /api/topics (yibao/data/topic_tree.yml), with "返回上一级" at every level.
import { api } from "./api.js";
import { el } from "./dom.js";

export async function loadTopicTree() {
  try {
    return await api("/api/topics");
  } catch {
    return { topics: [] };  // the tiles still work: a tapped topic is then asked as a question
  }
}

export class TopicBrowser {
  // onAsk(question, place) is called with a tree question; onLevel(level) when the level shown changes.
  constructor(tree, { section, title, path, choices, onAsk, onHome }) {
    this.tree = tree;
    this.parts = { section, title, path, choices };
    this.onAsk = onAsk;
    this.onHome = onHome;
    this.place = { topic: null, subtopic: null };
  }

  topic(id) {
    return this.tree.topics.find((t) => t.id === id) || null;
  }

  subtopic(topicId, subId) {
    return this.topic(topicId)?.subtopics.find((s) => s.id === subId) || null;
  }

  has(topicId) {
    return Boolean(this.topic(topicId));
  }

  // Show a topic's sub-topics, or a sub-topic's questions. A topic with one sub-topic goes straight to it.
  show(topicId, subId = null) {
    const topic = this.topic(topicId);
    if (!topic) return false;
    if (!subId && topic.subtopics.length === 1) subId = topic.subtopics[0].id;
    const sub = subId ? this.subtopic(topicId, subId) : null;
    this.place = { topic: topicId, subtopic: sub ? sub.id : null };
    const { title, path, choices, section } = this.parts;
    path.textContent = sub ? `首页 › ${topic.label} › ${sub.label}` : `首页 › ${topic.label}`;
    if (sub) {
      title.textContent = `${sub.label}：请点选您要问的问题`;
      choices.replaceChildren(...sub.questions.map((q) => el("button", {
        type: "button", class: "choice question", "data-question": q.id, text: q.text,
        onclick: () => this.onAsk(q, { topic: topicId, subtopic: sub.id }),
      })));
    } else {
      title.textContent = `${topic.icon} ${topic.label}：请点选具体事项`;
      choices.replaceChildren(...topic.subtopics.map((s) => el("button", {
        type: "button", class: "choice subtopic", "data-subtopic": s.id,
        onclick: () => this.show(topicId, s.id),
      }, el("span", { class: "label", text: s.label }), el("small", { text: `${s.questions.length} 个常见问题` }))));
    }
    section.hidden = false;
    section.scrollIntoView({ block: "start" });
    return true;
  }

  // One level up from where the browser is: sub-topic → topic (if it has several) → home.
  back() {
    const { topic, subtopic } = this.place;
    if (subtopic && this.topic(topic)?.subtopics.length > 1) this.show(topic);
    else this.onHome();
  }

  hide() {
    this.parts.section.hidden = true;
  }
}
