// Lobby kiosk, touch only: topic tiles → sub-topics → common questions (three taps to an answer), each answer
// followed by related questions and "返回上一级"; on-screen keypad for card/PIN; read-aloud through the
// browser's Chinese voice or the server's engine; 大字 and 高对比; an inactivity warning that one tap extends.
import { ChatSession, loadConfig } from "./api.js";
import { speakableText } from "./answer.js";
import { botReply, el, maskedEcho, noticeBubble, retireButtons, typingIndicator, userBubble } from "./dom.js";
import { DirectoryFinder, institutionCards } from "./institutions.js";
import { loadTopicTree, TopicBrowser } from "./navigation.js";
import { Speaker } from "./speech.js";
import { fetchStatement, printStatement, statementView } from "./statement.js";

const KEYPAD = {
  card_number: { title: "请输入医保卡号", max: 20, masked: false, letterX: false },
  pin: { title: "请输入医保卡密码", max: 12, masked: true, letterX: false },
  otp: { title: "请输入短信验证码", max: 8, masked: true, letterX: false },
  id_last6: { title: "请输入身份证号后六位", max: 6, masked: false, letterX: true },
  amount: { title: "请输入这次医疗总费用（元）", max: 9, masked: false, letterX: false },
};
const SECRET = new Set(["pin", "otp"]);
// Never read aloud on its own in a lobby: the account view (the patient can still tap 🔊 on it).
const PRIVATE_INTENTS = new Set(["check_balance", "forgot_pin"]);
// WCAG 2.2.1: at least 20 s to answer the "still there?" warning.
const MIN_COUNTDOWN_SECONDS = 20;

const $ = (id) => document.getElementById(id);
const home = $("home");
const browse = $("browse");
const conversation = $("conversation");
const transcript = $("transcript");
const directory = new DirectoryFinder($("directory"), { onBack: () => resetKiosk() });
const input = $("ask-input");

let config;
let browser;
let busy = false;
let autoSpeak = false;
const session = new ChatSession("kiosk", {
  onRestart: () => transcript.append(noticeBubble("上一次对话已结束，已为您重新开始。")),
});
const speaker = new Speaker({
  onState: (state, detail) => {
    document.body.dataset.speech = state;
    if (detail && state !== "error") document.body.dataset.speechEngine = detail;
    $("speech-status").textContent = { speaking: "正在朗读", loading: "正在准备朗读", error: "暂时无法朗读" }[state] || "";
  },
});

function scrollToEnd() {
  transcript.lastElementChild?.scrollIntoView({ block: "end", behavior: "smooth" });
}

function showScreen(name) {
  home.hidden = name !== "home";
  conversation.hidden = name !== "conversation";
  if (name !== "browse") browser.hide();
  if (name === "directory") directory.open();
  else directory.reset();
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

function goHome() {
  showScreen("home");
  window.scrollTo(0, 0);
}

// Where "返回上一级" after an answer goes: the list the question was tapped from, else the answer's place.
function backTo(place) {
  if (place && place.topic && browser.has(place.topic)) {
    showScreen("browse");
    browser.show(place.topic, place.subtopic);
  } else {
    goHome();
  }
}

async function ask(message, shownAs, place = null) {
  if (busy) return;
  busy = true;
  speaker.cancel();
  showScreen("conversation");
  retireButtons(transcript);
  transcript.append(userBubble(shownAs ?? message));
  const typing = typingIndicator();
  transcript.append(typing);
  scrollToEnd();
  try {
    showReply(await session.send(message), place);
  } catch (err) {
    transcript.append(noticeBubble(err.message, "error"));
  } finally {
    typing.remove();
    busy = false;
    scrollToEnd();
  }
}

function showReply(reply, place) {
  const answerPlace = place || (reply.topic ? { topic: reply.topic, subtopic: reply.subtopic } : null);
  const extraButtons = reply.expect_input ? [] : [
    { title: "⬅ 返回上一级", kind: "back", onclick: () => backTo(answerPlace) },
  ];
  transcript.append(botReply(reply, {
    onButton: (b) => ask(b.payload, b.title),
    onFeedback: sendFeedback,
    onSpeak: (text) => speaker.speak(text),
    extraButtons,
  }));
  if (reply.institutions?.length) transcript.append(institutionCards(reply.institutions));
  if (reply.show_statement) showStatement();
  const secret = SECRET.has(reply.expect_input);
  if (autoSpeak && !secret && !PRIVATE_INTENTS.has(reply.intent)) speaker.speak(speakableText(reply));
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

function openTopic(button) {
  showScreen("browse");
  if (!browser.show(button.dataset.topic)) {  // no tree for this tile: ask its title as a question
    ask(button.querySelector(".label")?.textContent || button.firstChild.textContent);
  }
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
  $("keypad-readback").disabled = !keypadValue;
}

function openKeypad(kind) {
  keypadKind = kind;
  keypadValue = "";
  // Nothing is spoken while a PIN or code is typed; the card number only when the patient asks.
  speaker.muted = SECRET.has(kind);
  if (speaker.muted) speaker.cancel();
  $("keypad-title").textContent = KEYPAD[kind].title;
  $("key-x").disabled = !KEYPAD[kind].letterX;
  $("keypad-readback").hidden = kind !== "card_number";
  $("keypad").hidden = false;
  renderKeypad();
}

function closeKeypad() {
  $("keypad").hidden = true;
  keypadKind = null;
  keypadValue = "";
  speaker.muted = false;
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

// ---- 大字 and 高对比 (for this patient only: a reset puts the screen back to normal) ----
function setToggle(button, on, label) {
  button.setAttribute("aria-pressed", String(on));
  button.textContent = `${label}：${on ? "开" : "关"}`;
}

function setDisplay(kind, on) {
  document.documentElement.classList.toggle(kind, on);
  setToggle($(`${kind}-toggle`), on, kind === "large" ? "🔠 大字" : "◐ 高对比");
}

function setAutoSpeak(on) {
  autoSpeak = on;
  setToggle($("speak-toggle"), on, "🔊 自动朗读");
  if (!on) speaker.cancel();
}

// ---- inactivity: a warning with a countdown that one tap extends, then end the session and wipe ----
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
  $("idle-continue").focus();
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
  speaker.cancel();
  $("human-panel").hidden = true;
  transcript.replaceChildren();
  document.querySelector(".receipt-copy")?.remove();
  input.value = "";
  setDisplay("large", false);
  setDisplay("contrast", false);
  setAutoSpeak(false);
  goHome();
  await session.end();
  armIdleTimer();
}

function onActivity() {
  if (countdownTimer) stopCountdown();
  armIdleTimer();
}

async function main() {
  const [cfg, tree] = await Promise.all([loadConfig(), loadTopicTree()]);
  config = cfg;
  config.countdown_seconds = Math.max(config.countdown_seconds, MIN_COUNTDOWN_SECONDS);
  // ?idle=…&countdown=… shorten the timers for a demonstration or a test run.
  const params = new URLSearchParams(location.search);
  for (const [param, key] of [["idle", "idle_seconds"], ["countdown", "countdown_seconds"]]) {
    const value = Number(params.get(param));
    if (value > 0) config[key] = value;
  }
  $("idle-hint").textContent = `${config.idle_seconds} 秒无操作会先提醒您，再自动清屏`;
  $("idle-extend").textContent = String(config.idle_seconds);
  input.maxLength = config.max_message_chars;

  browser = new TopicBrowser(tree, {
    section: browse, title: $("browse-title"), path: $("browse-path"), choices: $("browse-choices"),
    onAsk: (q, place) => ask(q.payload, q.text, place),
    onHome: goHome,
  });
  document.querySelectorAll(".topic[data-topic]").forEach((b) => b.addEventListener("click", () => openTopic(b)));
  $("browse-back").addEventListener("click", () => browser.back());
  $("browse-home").addEventListener("click", goHome);
  document.querySelector("[data-action=balance]").addEventListener("click", () => ask("我要查医保个人账户余额", "余额查询"));
  document.querySelector("[data-action=human]").addEventListener("click", showHuman);
  document.querySelector("[data-action=directory]").addEventListener("click", () => showScreen("directory"));
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
  $("keypad-readback").addEventListener("click", () => {
    if (keypadKind === "card_number") speaker.speakDigits(keypadValue);
  });
  $("keypad-cancel").addEventListener("click", () => {
    const wasAmount = keypadKind === "amount";
    closeKeypad();
    transcript.append(noticeBubble(wasAmount ? "已取消输入。需要时可以重新点“算一算能报多少”。"
      : "已取消输入。需要时可以重新点“余额查询”。"));
  });
  document.addEventListener("keydown", (event) => {  // a USB keypad works too
    if (!keypadKind) return;
    if (/^[0-9]$/.test(event.key)) pressKey(event.key);
    else if (event.key === "Backspace") pressKey("back");
    else if (event.key === "Enter") submitKeypad();
    else return;
    event.preventDefault();
  });

  $("large-toggle").addEventListener("click", () => setDisplay("large", !document.documentElement.classList.contains("large")));
  $("contrast-toggle").addEventListener("click", () => setDisplay("contrast", !document.documentElement.classList.contains("contrast")));
  $("speak-toggle").addEventListener("click", () => setAutoSpeak(!autoSpeak));

  for (const type of ["pointerdown", "keydown", "input", "touchstart", "wheel"]) {
    document.addEventListener(type, onActivity, { capture: true, passive: true });
  }
  armIdleTimer();
  document.body.dataset.ready = "true";
}

main();
