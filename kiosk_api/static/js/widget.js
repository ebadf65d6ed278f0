// WeChat-style chat widget (phones, or inside the iframe that /widget.js embeds on any site).
import { ChatSession, loadConfig } from "./api.js";
import { botReply, maskedEcho, noticeBubble, retireButtons, typingIndicator, userBubble } from "./dom.js";
import { institutionCards } from "./institutions.js";
import { fetchStatement, statementView } from "./statement.js";

const messages = document.getElementById("messages");
const form = document.getElementById("composer");
const input = document.getElementById("message");
const sendButton = document.getElementById("send");
const SECRET_INPUTS = new Set(["pin", "otp"]);
const NUMERIC_INPUTS = new Set(["card_number", "pin", "otp", "id_last6", "amount"]);

const session = new ChatSession("widget", {
  onRestart: () => messages.append(noticeBubble("上一次对话已结束，已为您重新开始。")),
});
let expectInput = null;
let busy = false;
let composing = false;

function scrollToEnd() {
  messages.scrollTop = messages.scrollHeight;
}

// A PIN or code is typed in a password field; the next question goes back to a normal text field.
function setInputMode(kind) {
  expectInput = kind;
  input.type = SECRET_INPUTS.has(kind) ? "password" : "text";
  input.inputMode = NUMERIC_INPUTS.has(kind) ? (kind === "id_last6" ? "text" : "numeric") : "text";
  input.placeholder = {
    card_number: "请输入医保卡号", pin: "请输入密码", otp: "请输入短信验证码", id_last6: "请输入身份证号后六位",
    amount: "请输入医疗总费用（元）",
  }[kind] || "请输入您的问题";
}

async function ask(message, shownAs) {
  if (busy) return;
  busy = true;
  sendButton.disabled = true;
  document.getElementById("starters")?.remove();
  retireButtons(messages);
  messages.append(userBubble(shownAs ?? message));
  const typing = typingIndicator();
  messages.append(typing);
  scrollToEnd();
  try {
    const reply = await session.send(message);
    typing.remove();
    messages.append(botReply(reply, { onButton: (b) => ask(b.payload, b.title), onFeedback: sendFeedback }));
    if (reply.institutions?.length) messages.append(institutionCards(reply.institutions));
    if (reply.show_statement) messages.append(statementView(await fetchStatement(session.id)));
    setInputMode(reply.expect_input);
  } catch (err) {
    typing.remove();
    messages.append(noticeBubble(err.message, "error"));
  } finally {
    busy = false;
    sendButton.disabled = false;
    scrollToEnd();
    input.focus();
  }
}

async function sendFeedback(reply, rating) {
  try {
    const ack = await session.feedback(reply.reply_id, rating);
    messages.append(noticeBubble(ack.offer_handoff ? `很抱歉没能帮到您。人工服务：${ack.human_help}` : "谢谢您的反馈！"));
  } catch (err) {
    messages.append(noticeBubble(err.message, "error"));
  }
  scrollToEnd();
}

function submit() {
  const text = input.value.trim();
  if (!text || busy) return;
  input.value = "";
  ask(text, expectInput ? maskedEcho(expectInput, text) : undefined);
}

async function main() {
  const config = await loadConfig();
  input.maxLength = config.max_message_chars;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  // Enter that picks a pinyin candidate in an IME must not send: ignore it while composing.
  input.addEventListener("compositionstart", () => { composing = true; });
  input.addEventListener("compositionend", () => { composing = false; });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();  // the form is sent by submit() only, never by the browser's implicit submission
    if (composing || event.isComposing || event.keyCode === 229) return;
    submit();
  });
  document.querySelectorAll("#starters .quick").forEach((b) => b.addEventListener("click", () => ask(b.textContent)));
  document.getElementById("restart").addEventListener("click", async () => {
    await session.end();
    setInputMode(null);
    messages.querySelectorAll(":scope > :not(:first-child)").forEach((n) => n.remove());
    messages.append(noticeBubble("已重新开始，请输入您的问题。"));
  });
  if (new URLSearchParams(location.search).has("embed")) {
    const close = document.getElementById("close");
    close.hidden = false;
    close.addEventListener("click", () => window.parent.postMessage({ type: "yibao-widget-close" }, "*"));
  }
  window.addEventListener("pagehide", () => session.end());
  document.body.dataset.ready = "true";
}

main();
