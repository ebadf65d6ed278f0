// Building the conversation on screen. Every text from the bot or the user goes in with textContent:
// nothing typed by anyone is ever parsed as HTML.
import { needsHelpLine, patientLines, speakableText, splitAnswer } from "./answer.js";

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
  if (kind === "amount") return `${value} 元`;
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

function answerBubble(text, citations) {
  const { lead, more } = splitAnswer(text);
  const bubble = el("div", { class: "bubble bot" }, el("div", { class: "lead", text: lead.join("\n") }));
  if (more.length) {
    bubble.append(el("details", { class: "more" },
      el("summary", { text: "查看详细内容" }), el("div", { text: more.join("\n") })));
  }
  if (citations && citations.length) bubble.append(citationList(citations));
  return bubble;
}

// Buttons of earlier turns no longer apply once a new question is on its way: disabled, and marked
// in words too (not only greyed), so colour is never the only cue.
export function retireButtons(container) {
  container.querySelectorAll(".quick-replies .quick:not(:disabled), .nav-actions button:not(:disabled)").forEach((b) => {
    b.disabled = true;
    b.setAttribute("aria-disabled", "true");
    b.title = "这是之前的选项，已不可用";
  });
}

// One bot answer: its text bubbles (short answer first), the source once, the help sentence once,
// quick replies (related questions), extra navigation buttons and feedback buttons.
export function botReply(reply, { onButton, onFeedback, onSpeak, extraButtons = [] } = {}) {
  const box = el("div", { class: "reply", "data-reply-id": String(reply.reply_id) });
  const texts = reply.messages.map((m) => m.text).filter(Boolean);
  const lastWithText = reply.messages.map((m) => Boolean(patientLines(m.text).length)).lastIndexOf(true);
  reply.messages.forEach((m, i) => {
    if (!patientLines(m.text).length) return;
    box.append(el("div", { class: "row bot" }, answerBubble(m.text, i === lastWithText ? reply.citations : null)));
  });
  if (needsHelpLine(reply)) {
    box.append(el("div", { class: "row bot" }, el("div", { class: "bubble bot handoff", text: `人工服务：${reply.human_help}` })));
  }
  const buttons = reply.messages.flatMap((m) => m.buttons || []);
  if (buttons.length && onButton) {
    box.append(el("div", { class: "quick-replies", role: "group", "aria-label": "您可能还想问" },
      buttons.map((b) => el("button", { type: "button", class: "quick", text: b.title, onclick: () => onButton(b) }))));
  }
  if (extraButtons.length) {
    box.append(el("div", { class: "nav-actions" },
      extraButtons.map((b) => el("button", { type: "button", class: `nav ${b.kind || ""}`, text: b.title, onclick: b.onclick }))));
  }
  const tools = el("div", { class: "reply-tools" });
  if (onSpeak && texts.length) {
    tools.append(el("button", { type: "button", class: "tool speak", text: "🔊 朗读", onclick: () => onSpeak(speakableText(reply)) }));
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
