// Lobby kiosk: big topic buttons, conversation, on-screen keypad for card/PIN, read-aloud,
// and an inactivity countdown that ends the session and wipes the screen.
import { ChatSession, loadConfig } from "./api.js";
import { botReply, el, maskedEcho, noticeBubble, typingIndicator, userBubble } from "./dom.js";
import { DirectoryFinder, institutionCards } from "./institutions.js";
import { fetchStatement, printStatement, statementView } from "./statement.js";

// Common questions offered per topic (wording for the buttons only; answers always come from the assistant).
const TOPICS = {
  reimbursement: { label: "报销比例", questions: ["住院报销比例是多少", "起付线和封顶线是多少", "门诊看病能报销吗", "住院超过封顶线怎么办"] },
  special_disease: { label: "门诊慢特病", questions: ["门诊特殊病怎么申请", "慢特病认定要准备哪些材料", "慢特病门诊费用怎么报销"] },
  remote_filing: { label: "异地就医", questions: ["异地就医备案怎么办理", "异地备案需要什么材料", "在外地看病能直接结算吗", "没备案在外地看病怎么报销"] },
  catalog: { label: "药品目录", questions: ["甲类药和乙类药有什么区别", "乙类药品要自己付多少", "哪些药医保不报销"] },
  policy: { label: "就医须知", questions: ["看病要带什么证件", "哪些医疗费用医保不管", "医保卡可以借给家人用吗"] },
};
const KEYPAD = {
  card_number: { title: "请输入医保卡号", max: 20, masked: false, letterX: false },
  pin: { title: "请输入医保卡密码", max: 12, masked: true, letterX: false },
  otp: { title: "请输入短信验证码", max: 8, masked: true, letterX: false },
  id_last6: { title: "请输入身份证号后六位", max: 6, masked: false, letterX: true },
};

const $ = (id) => document.getElementById(id);
const home = $("home");
const conversation = $("conversation");
const transcript = $("transcript");
const directory = new DirectoryFinder($("directory"), { onBack: () => resetKiosk() });
const input = $("ask-input");
const canSpeak = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window;

let config;
let busy = false;
let autoSpeak = false;
const session = new ChatSession("kiosk", {
  onRestart: () => transcript.append(noticeBubble("上一次对话已结束，已为您重新开始。")),
});

function scrollToEnd() {
  transcript.lastElementChild?.scrollIntoView({ block: "end", behavior: "smooth" });
}

function showConversation() {
  home.hidden = true;
  directory.reset();
  conversation.hidden = false;
}

function showDirectory() {
  home.hidden = true;
  conversation.hidden = true;
  directory.open();
}

// Verified: the statement comes from kiosk_api directly (never through the chat) and can be printed.
async function showStatement() {
  try {
    const statement = await fetchStatement(session.id);
    transcript.append(statementView(statement, { printable: true, onPrint: printStatement }));
  } catch (err) {
    transcript.append(noticeBubble(err.message, "error"));
  }
  scrollToEnd();
}

function speak(text) {
  if (!canSpeak) return;
  speechSynthesis.cancel();
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = "zh-CN";
  utterance.rate = 0.9;
  const voice = speechSynthesis.getVoices().find((v) => /^zh([-_]CN)?/i.test(v.lang));
  if (voice) utterance.voice = voice;
  speechSynthesis.speak(utterance);
}

async function ask(message, shownAs) {
  if (busy) return;
  busy = true;
  showConversation();
  transcript.append(userBubble(shownAs ?? message));
  const typing = typingIndicator();
  transcript.append(typing);
  scrollToEnd();
  try {
    showReply(await session.send(message));
  } catch (err) {
    transcript.append(noticeBubble(err.message, "error"));
  } finally {
    typing.remove();
    busy = false;
    scrollToEnd();
  }
}

function showReply(reply) {
  transcript.append(botReply(reply, {
    onButton: (b) => ask(b.payload, b.title),
    onFeedback: sendFeedback,
    onSpeak: canSpeak ? speak : null,
  }));
  if (reply.institutions?.length) transcript.append(institutionCards(reply.institutions));
  if (reply.show_statement) showStatement();
  if (autoSpeak) speak(reply.messages.map((m) => m.text).join("。"));
  if (reply.expect_input && KEYPAD[reply.expect_input]) openKeypad(reply.expect_input);
}

async function sendFeedback(reply, rating) {
  try {
    const ack = await session.feedback(reply.reply_id, rating);
    if (ack.offer_handoff) {
      transcript.append(noticeBubble(`很抱歉没能帮到您。${ack.human_help}`));
      transcript.append(el("div", { class: "quick-replies" },
        el("button", { type: "button", class: "quick", text: "🙋 找人工服务", onclick: showHuman })));
    } else {
      transcript.append(noticeBubble("谢谢您的反馈！"));
    }
  } catch (err) {
    transcript.append(noticeBubble(err.message, "error"));
  }
  scrollToEnd();
}

function showTopic(topic) {
  const { label, questions } = TOPICS[topic];
  showConversation();
  transcript.append(el("div", { class: "row bot" },
    el("div", { class: "bubble bot", text: `${label}：请点选下面的常见问题，或在下方输入您的问题。` })));
  transcript.append(el("div", { class: "quick-replies" },
    questions.map((q) => el("button", { type: "button", class: "quick", text: q, onclick: () => ask(q) }))));
  scrollToEnd();
}

function showHuman() {
  $("human-text").textContent = config.human_help;
  $("human-panel").hidden = false;
}

// ---- on-screen keypad (card number, PIN, ID digits, codes) ----
let keypadKind = null;
let keypadValue = "";

function renderKeypad() {
  const spec = KEYPAD[keypadKind];
  $("keypad-display").textContent = keypadValue
    ? (spec.masked ? "●".repeat(keypadValue.length) : keypadValue)
    : "　";
}

function openKeypad(kind) {
  keypadKind = kind;
  keypadValue = "";
  $("keypad-title").textContent = KEYPAD[kind].title;
  $("key-x").disabled = !KEYPAD[kind].letterX;
  $("keypad").hidden = false;
  renderKeypad();
}

function closeKeypad() {
  $("keypad").hidden = true;
  keypadKind = null;
  keypadValue = "";
}

function pressKey(key) {
  if (!keypadKind) return;
  if (key === "back") keypadValue = keypadValue.slice(0, -1);
  else if (keypadValue.length < KEYPAD[keypadKind].max) keypadValue += key;
  renderKeypad();
}

function submitKeypad() {
  if (!keypadKind || !keypadValue) return;
  const [kind, value] = [keypadKind, keypadValue];
  closeKeypad();
  ask(value, maskedEcho(kind, value));
}

// ---- inactivity: countdown, then end the session and wipe everything ----
let idleTimer = null;
let countdownTimer = null;

function inUse() {
  return Boolean(session.id) || home.hidden || !$("keypad").hidden || !$("human-panel").hidden;
}

function armIdleTimer() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => (inUse() ? startCountdown() : armIdleTimer()), config.idle_seconds * 1000);
}

function startCountdown() {
  let left = config.countdown_seconds;
  $("idle-count").textContent = String(left);
  $("idle-overlay").hidden = false;
  countdownTimer = setInterval(() => {
    left -= 1;
    $("idle-count").textContent = String(left);
    if (left <= 0) resetKiosk();
  }, 1000);
}

function stopCountdown() {
  clearInterval(countdownTimer);
  countdownTimer = null;
  $("idle-overlay").hidden = true;
}

async function resetKiosk() {
  stopCountdown();
  closeKeypad();
  if (canSpeak) speechSynthesis.cancel();
  $("human-panel").hidden = true;
  transcript.replaceChildren();
  document.querySelector(".receipt-copy")?.remove();
  directory.reset();
  input.value = "";
  conversation.hidden = true;
  home.hidden = false;
  window.scrollTo(0, 0);
  await session.end();
  armIdleTimer();
}

function onActivity() {
  if (countdownTimer) stopCountdown();
  armIdleTimer();
}

async function main() {
  config = await loadConfig();
  // ?idle=…&countdown=… shorten the timers for a demonstration or a test run.
  const params = new URLSearchParams(location.search);
  for (const [param, key] of [["idle", "idle_seconds"], ["countdown", "countdown_seconds"]]) {
    const value = Number(params.get(param));
    if (value > 0) config[key] = value;
  }
  $("idle-hint").textContent = `${config.idle_seconds} 秒无操作会自动清屏`;
  input.maxLength = config.max_message_chars;

  document.querySelectorAll(".topic[data-topic]").forEach((b) => b.addEventListener("click", () => showTopic(b.dataset.topic)));
  document.querySelector("[data-action=balance]").addEventListener("click", () => ask("我要查医保个人账户余额", "余额查询"));
  document.querySelector("[data-action=human]").addEventListener("click", showHuman);
  document.querySelector("[data-action=directory]").addEventListener("click", showDirectory);
  $("human-inline").addEventListener("click", showHuman);
  $("human-close").addEventListener("click", () => { $("human-panel").hidden = true; });
  $("home-button").addEventListener("click", resetKiosk);
  $("idle-continue").addEventListener("click", onActivity);
  $("ask-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    ask(text);
  });

  document.querySelectorAll("#keypad [data-key]").forEach((b) => b.addEventListener("click", () => pressKey(b.dataset.key)));
  $("keypad-ok").addEventListener("click", submitKeypad);
  $("keypad-clear").addEventListener("click", () => { keypadValue = ""; renderKeypad(); });
  $("keypad-cancel").addEventListener("click", () => {
    closeKeypad();
    transcript.append(noticeBubble("已取消输入。需要时可以重新点“余额查询”。"));
  });
  document.addEventListener("keydown", (event) => {  // a USB keypad works too
    if (!keypadKind) return;
    if (/^[0-9]$/.test(event.key)) pressKey(event.key);
    else if (event.key === "Backspace") pressKey("back");
    else if (event.key === "Enter") submitKeypad();
    else return;
    event.preventDefault();
  });

  const speakToggle = $("speak-toggle");
  if (!canSpeak) speakToggle.hidden = true;
  speakToggle.addEventListener("click", () => {
    autoSpeak = !autoSpeak;
    speakToggle.setAttribute("aria-pressed", String(autoSpeak));
    speakToggle.textContent = `🔊 自动朗读：${autoSpeak ? "开" : "关"}`;
    if (!autoSpeak) speechSynthesis.cancel();
  });

  for (const type of ["pointerdown", "keydown", "input", "touchstart", "wheel"]) {
    document.addEventListener(type, onActivity, { capture: true, passive: true });
  }
  armIdleTimer();
  document.body.dataset.ready = "true";
}

main();
