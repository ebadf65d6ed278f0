// Building the conversation on screen. Every text from the bot or the user goes in with textContent:
// nothing typed by anyone is ever parsed as HTML.

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

const MASKS = { pin: "密码", otp: "验证码", id_last6: "身份证后六位", card_number: "卡号" };

// What the transcript shows for a secret the user typed: never the digits of a PIN or code.
export function maskedEcho(kind, value) {
  if (kind === "card_number") return `卡号：${"•".repeat(Math.max(0, value.length - 4))}${value.slice(-4)}`;
  return `${MASKS[kind] || "内容"}：${"•".repeat(value.length)}`;
}

export function userBubble(text) {
  return el("div", { class: "row user" }, el("div", { class: "bubble user", text }));
}

export function noticeBubble(text, kind = "info") {
  return el("div", { class: `row bot notice ${kind}`, role: kind === "error" ? "alert" : "status" },
    el("div", { class: "bubble bot", text }));
}

function citationList(citations) {
  return el("details", { class: "sources" },
    el("summary", { text: `来源（${citations.length}）` }),
    el("ol", {}, citations.map((c) => el("li", {},
      el("div", { class: "source-title", text: [`《${c.doc}》`, c.section].filter(Boolean).join(" ") }),
      c.quote ? el("blockquote", { text: c.quote }) : null))));
}

// One bot answer: its text bubbles, sources, quick replies, "not sure" note and feedback buttons.
export function botReply(reply, { onButton, onFeedback, onSpeak } = {}) {
  const box = el("div", { class: "reply", "data-reply-id": String(reply.reply_id) });
  const texts = reply.messages.map((m) => m.text).filter(Boolean);
  reply.messages.forEach((m, i) => {
    if (!m.text) return;
    const bubble = el("div", { class: "bubble bot", text: m.text });
    if (i === reply.messages.length - 1 && reply.citations && reply.citations.length) {
      bubble.append(citationList(reply.citations));
    }
    box.append(el("div", { class: "row bot" }, bubble));
  });
  if ((reply.fallback || reply.handoff) && reply.human_help) {
    box.append(el("div", { class: "row bot" }, el("div", { class: "bubble bot handoff", text: `人工服务：${reply.human_help}` })));
  }
  const buttons = reply.messages.flatMap((m) => m.buttons || []);
  if (buttons.length && onButton) {
    box.append(el("div", { class: "quick-replies" },
      buttons.map((b) => el("button", { type: "button", class: "quick", text: b.title, onclick: () => onButton(b) }))));
  }
  const tools = el("div", { class: "reply-tools" });
  if (onSpeak && texts.length) {
    tools.append(el("button", { type: "button", class: "tool speak", text: "🔊 朗读", onclick: () => onSpeak(texts.join("。")) }));
  }
  if (onFeedback && !reply.expect_input) {
    const rate = (rating) => () => {
      tools.querySelectorAll(".rate").forEach((b) => { b.disabled = true; });
      onFeedback(reply, rating);
    };
    tools.append(
      el("button", { type: "button", class: "tool rate", "aria-label": "有帮助", text: "👍 有帮助", onclick: rate("up") }),
      el("button", { type: "button", class: "tool rate", "aria-label": "没帮助", text: "👎 没帮助", onclick: rate("down") }),
      el("button", { type: "button", class: "tool rate", text: "没解决", onclick: rate("unsolved") }));
  }
  if (tools.childElementCount) box.append(tools);
  return box;
}

export function typingIndicator() {
  return el("div", { class: "row bot typing", role: "status", "aria-label": "正在输入" },
    el("div", { class: "bubble bot" }, el("span", { class: "dot" }), el("span", { class: "dot" }), el("span", { class: "dot" })));
}
