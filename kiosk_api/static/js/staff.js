// Staff console: results as you type (debounced), topic filters, keyboard navigation, copy with source.
import { api } from "./api.js";
import { el } from "./dom.js";
import { staffDirectoryFilters, staffDirectoryItem } from "./institutions.js";

const input = document.getElementById("q");
const results = document.getElementById("results");
const status = document.getElementById("status");
const DEBOUNCE_MS = 250;

let mode = "policy";
let topic = "";
let selected = -1;
let pending = null;
let timer = null;
let directoryParams = null;  // adds the directory tab's filters to a query, once its filters are built

function setStatus(text, isError = false) {
  status.textContent = text;
  status.classList.toggle("error", isError);
}

// Passage text with the matched words in <mark>, built node by node (the text is never parsed as HTML).
function markedText(text, spans) {
  const box = el("div", { class: "text" });
  let pos = 0;
  for (const [start, end] of spans) {
    box.append(text.slice(pos, start), el("mark", { text: text.slice(start, end) }));
    pos = end;
  }
  box.append(text.slice(pos));
  return box;
}

async function copyText(text, item) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Plain http on the hospital network has no Clipboard API: fall back to a hidden selection.
    const area = el("textarea", { class: "visually-hidden" });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  item.querySelector(".copied")?.remove();
  item.querySelector(".actions").append(el("span", { class: "copied", role: "status", text: "已复制" }));
}

function policyItem(hit, terms) {
  const answer = `${hit.text}\n（来源：《${hit.doc}》${hit.section}）`;
  const item = el("li", { class: "result", tabindex: "-1" },
    el("div", { class: "source" }, el("strong", { text: `《${hit.doc}》` }), ` ${hit.section}`,
      // The match score is for staff only: patients' screens never show it.
      el("span", { class: "score", text: `匹配度 ${Math.round(hit.confidence * 100)}%` })),
    markedText(hit.text, hit.highlights),
    el("div", { class: "actions" },
      el("button", { type: "button", class: "copy", text: "复制答案" }),
      el("a", { href: `${hit.section_page}?q=${encodeURIComponent(terms.join(" "))}`, target: "_blank", rel: "noopener", class: "open", text: "查看整节原文" })));
  item.querySelector(".copy").addEventListener("click", () => copyText(answer, item));
  item.copy = () => copyText(answer, item);
  item.open = () => item.querySelector(".open").click();
  return item;
}

const BADGES = { 甲类: "jia", 乙类: "yi", 目录外: "out" };

function drugItem(drug) {
  const details = [drug.dosage_form, drug.restriction && `限制：${drug.restriction}`, drug.note].filter(Boolean).join("　");
  const answer = `${drug.name}：${drug.category}${drug.restriction ? `，${drug.restriction}` : ""}（来源：${drug.source}）`;
  const item = el("li", { class: "result", tabindex: "-1" },
    el("div", { class: "text" }, el("strong", { text: drug.name }), " ", el("span", { class: `badge ${BADGES[drug.category] || ""}`, text: drug.category })),
    details ? el("div", { class: "source", text: details }) : null,
    el("div", { class: "source", text: `来源：${drug.source}` }),
    el("div", { class: "actions" }, el("button", { type: "button", class: "copy", text: "复制答案" })));
  item.querySelector(".copy").addEventListener("click", () => copyText(answer, item));
  item.copy = () => copyText(answer, item);
  item.open = () => {};
  return item;
}

function select(index) {
  const items = [...results.children];
  if (!items.length) return;
  selected = Math.max(-1, Math.min(index, items.length - 1));
  // aria-current (allowed on a list item; aria-selected is not): the chosen result, also outlined.
  items.forEach((item, i) => (i === selected ? item.setAttribute("aria-current", "true") : item.removeAttribute("aria-current")));
  if (selected === -1) {
    input.focus();
  } else {
    items[selected].focus();
    items[selected].scrollIntoView({ block: "nearest" });
  }
}

function directoryItem(card) {
  const { item, text } = staffDirectoryItem(card);
  item.querySelector(".copy").addEventListener("click", () => copyText(text, item));
  item.copy = () => copyText(text, item);
  item.open = () => {};
  return item;
}

async function searchDirectory() {
  pending?.abort();
  pending = new AbortController();
  const params = new URLSearchParams({ limit: "20" });
  const query = input.value.trim();
  if (query) params.set("q", query);
  directoryParams?.(params);
  setStatus("正在检索……");
  try {
    const data = await api(`/api/institutions?${params}`, { signal: pending.signal });
    results.replaceChildren(...data.institutions.map(directoryItem));
    selected = -1;
    setStatus(data.total ? `共 ${data.total} 家${data.origin ? "，由近到远" : ""}（数据：${data.source}）`
      : (data.suggestions.length ? `没有找到。相近的有：${data.suggestions.join("、")}` : "名录里没有符合条件的机构。"));
  } catch (err) {
    if (err.name === "AbortError") return;
    results.replaceChildren();
    setStatus(err.message, true);
  }
}

async function search() {
  if (mode === "directory") return searchDirectory();
  const query = input.value.trim();
  pending?.abort();
  if (!query) {
    results.replaceChildren();
    setStatus("");
    return;
  }
  pending = new AbortController();
  const params = new URLSearchParams({ q: query, k: "8" });
  if (mode === "policy" && topic) params.set("topic", topic);
  const started = performance.now();
  setStatus("正在检索……");
  try {
    const data = await api(`/api/${mode === "policy" ? "search" : "catalog"}?${params}`, { signal: pending.signal });
    const items = mode === "policy" ? data.hits.map((h) => policyItem(h, data.terms)) : data.hits.map(drugItem);
    results.replaceChildren(...items);
    selected = -1;
    const ms = Math.round(performance.now() - started);
    setStatus(items.length ? `找到 ${items.length} 条（${ms} 毫秒）` : "没有找到相关内容，换个说法试试。");
  } catch (err) {
    if (err.name === "AbortError") return;
    results.replaceChildren();
    setStatus(err.message, true);
  }
}

function searchSoon() {
  clearTimeout(timer);
  timer = setTimeout(search, DEBOUNCE_MS);
}

function main() {
  input.addEventListener("input", searchSoon);
  document.getElementById("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    search();
  });
  document.querySelectorAll(".filter").forEach((button) => button.addEventListener("click", () => {
    topic = button.dataset.topic;
    document.querySelectorAll(".filter").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    search();
    input.focus();
  }));
  document.querySelectorAll(".mode").forEach((button) => button.addEventListener("click", () => {
    mode = button.dataset.mode;
    document.querySelectorAll(".mode").forEach((b) => b.setAttribute("aria-selected", String(b === button)));
    document.getElementById("topics").hidden = mode !== "policy";
    document.getElementById("inst-filters").hidden = mode !== "directory";
    if (mode === "directory" && !directoryParams) {
      staffDirectoryFilters(document.getElementById("inst-filters"), search)
        .then((fn) => { directoryParams = fn; search(); })
        .catch((err) => setStatus(err.message, true));
    }
    input.placeholder = {
      policy: "输入问题或关键词，例如：外配处方保存多久",
      catalog: "输入药品名、拼音或首字母，例如：阿莫西林 / amxl",
      directory: "机构名称、简称、拼音首字母，可留空只按条件筛选，例如：市一医院 / syyy",
    }[mode];
    search();
    input.focus();
  }));
  document.addEventListener("keydown", (event) => {
    const inInput = document.activeElement === input;
    if (event.key === "ArrowDown") select(selected + 1);
    else if (event.key === "ArrowUp") select(selected - 1);
    else if (event.key === "Enter" && !inInput && selected >= 0) {
      const item = results.children[selected];
      if (event.shiftKey) item.open(); else item.copy();
    } else if (event.key === "/" && !inInput) input.focus();
    else if (event.key === "Escape") select(-1);
    else return;
    event.preventDefault();
  });
  input.focus();
  document.body.dataset.ready = "true";
}

main();
