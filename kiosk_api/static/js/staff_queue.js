// The unanswered queue, grouped; a kb_admin turns a group into a curated answer that cites its source.
import { el } from "./dom.js";
import { setStatus, staffApi, startConsole } from "./console.js";

const $ = (id) => document.getElementById(id);
let me = null;
let chosenPassage = "";

function reasonText(reasons) {
  return Object.entries(reasons).map(([k, n]) => `${k} ${n}`).join("　");
}

function groupItem(group) {
  const write = el("button", { type: "button", class: "secondary write", text: group.curated_id ? "已有标准答案，再写一条" : "写标准答案" });
  write.addEventListener("click", () => openEditor(group));
  return el("div", { class: "group" },
    el("div", {}, el("span", { class: "count", text: String(group.count) }), el("strong", { class: "q", text: group.question })),
    el("div", { class: "meta", text: `${reasonText(group.reasons)}　最近：${group.last_at.replace("T", " ").slice(0, 16)}` }),
    group.examples.length > 1 ? el("div", { class: "meta", text: `同组问法：${group.examples.slice(1).join(" / ")}` }) : null,
    me.role === "kb_admin" ? write : null);
}

async function loadQueue() {
  setStatus($("queue-status"), "正在加载……");
  try {
    const groups = await staffApi("/api/staff/queue?days=30");
    $("queue").replaceChildren(...groups.map(groupItem));
    setStatus($("queue-status"), groups.length ? `${groups.length} 组` : "最近没有未答好的问题。");
  } catch (err) {
    setStatus($("queue-status"), err.message, true);
  }
}

async function searchSources(query) {
  if (!query.trim()) return;
  const data = await staffApi(`/api/search?${new URLSearchParams({ q: query, k: "5" })}`);
  $("source-hits").replaceChildren(...data.hits.map((hit) => {
    const radio = el("input", { type: "radio", name: "source", value: hit.passage_id });
    radio.addEventListener("change", () => { chosenPassage = hit.passage_id; $("policy-row").value = ""; });
    return el("li", {}, el("label", {}, radio, el("span", {},
      el("strong", { text: `《${hit.doc}》${hit.section}` }), el("br"), hit.text)));
  }));
}

function openEditor(group) {
  $("editor").hidden = false;
  $("question").value = group.question;
  $("variants").value = group.examples.filter((q) => q !== group.question).join("\n");
  $("answer").value = "";
  $("source-q").value = group.question;
  chosenPassage = "";
  setStatus($("editor-status"), "");
  searchSources(group.question).catch((err) => setStatus($("editor-status"), err.message, true));
  $("answer").focus();
}

async function save() {
  const source = $("policy-row").value || chosenPassage;
  const body = {
    question: $("question").value, answer: $("answer").value, source_id: source,
    variants: $("variants").value.split("\n").map((s) => s.trim()).filter(Boolean),
  };
  try {
    const created = await staffApi("/api/staff/curated", { method: "POST", json: body });
    setStatus($("editor-status"), `已保存标准答案 #${created.id}，患者下一次提问起就会得到这条答案。`);
    $("editor-status").classList.add("ok-text");
    await Promise.all([loadCurated(), loadQueue()]);
  } catch (err) {
    $("editor-status").classList.remove("ok-text");
    setStatus($("editor-status"), err.message, true);
  }
}

async function loadCurated() {
  const answers = await staffApi("/api/staff/curated");
  $("curated").replaceChildren(...answers.map((a) => {
    const retire = el("button", { type: "button", class: "danger", text: "停用" });
    retire.addEventListener("click", async () => {
      try {
        await staffApi(`/api/staff/curated/${a.id}`, { method: "DELETE" });
        await loadCurated();
      } catch (err) { setStatus($("curated-status"), err.message, true); }
    });
    return el("tr", {}, el("td", { text: String(a.id) }), el("td", { text: [a.question, ...a.variants].join(" / ") }),
      el("td", { text: a.answer }), el("td", { text: `《${a.citation.doc}》${a.citation.section}` }),
      el("td", { text: `v${a.version} ${a.updated_by} ${a.updated_at.slice(0, 16).replace("T", " ")}` }),
      el("td", {}, me.role === "kb_admin" ? retire : null));
  }));
}

async function importYaml(file) {
  try {
    const result = await staffApi("/api/staff/curated.yaml", { method: "POST", body: await file.text(), headers: { "Content-Type": "application/yaml" } });
    setStatus($("curated-status"), `导入完成：新建 ${result.created} 条，更新 ${result.updated} 条`);
    await loadCurated();
  } catch (err) { setStatus($("curated-status"), err.message, true); }
}

async function main() {
  me = await startConsole("未答问题与标准答案");
  $("import-box").hidden = me.role !== "kb_admin";
  $("save").addEventListener("click", save);
  $("cancel").addEventListener("click", () => { $("editor").hidden = true; });
  $("source-q").addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); searchSources($("source-q").value).catch((err) => setStatus($("editor-status"), err.message, true)); }
  });
  $("import").addEventListener("change", () => $("import").files[0] && importYaml($("import").files[0]));
  const rows = await staffApi("/api/staff/policy-rows").catch(() => []);
  $("policy-row").append(...rows.map((r) => el("option", { value: r.id, text: r.label })));
  $("policy-row").addEventListener("change", () => { if ($("policy-row").value) chosenPassage = ""; });
  await Promise.all([loadQueue(), loadCurated()]);
  document.body.dataset.ready = "true";
}

main();
