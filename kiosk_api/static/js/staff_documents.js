// Policy documents: upload (kb_admin), retire, versions and rollback.
import { el } from "./dom.js";
import { setStatus, staffApi, startConsole } from "./console.js";

const $ = (id) => document.getElementById(id);
let me = null;

function changeText(c) {
  return [["新增", c.added], ["移除", c.removed], ["更新", c.changed]].filter(([, x]) => x.length).map(([k, x]) => `${k} ${x.join("、")}`).join("；") || "—";
}

async function loadDocuments() {
  const docs = await staffApi("/api/staff/documents");
  $("docs").replaceChildren(...docs.map((d) => {
    const remove = el("button", { type: "button", class: "danger", text: "停用" });
    remove.addEventListener("click", async () => {
      if (!confirm(`停用《${d.title}》？它的内容将不再被检索到（可通过版本回滚恢复）。`)) return;
      setStatus($("docs-status"), "正在停用并重建……");
      try {
        const v = await staffApi(`/api/staff/documents/${encodeURIComponent(d.doc_id)}`, { method: "DELETE" });
        setStatus($("docs-status"), `已停用，当前版本 v${v.number}`);
        await refresh();
      } catch (err) { setStatus($("docs-status"), err.message, true); }
    });
    return el("tr", {}, el("td", { text: d.doc_id }), el("td", { text: d.title }), el("td", { text: String(d.passages) }),
      el("td", { text: d.format }), el("td", { text: d.added_by ? `${d.added_by} ${d.added_at.slice(0, 16).replace("T", " ")}` : "随系统提供" }),
      el("td", {}, me.role === "kb_admin" ? remove : null));
  }));
}

async function loadVersions() {
  const versions = await staffApi("/api/staff/kb/versions");
  $("versions").replaceChildren(...versions.reverse().map((v) => {
    const back = el("button", { type: "button", class: "secondary", text: "切回这个版本" });
    back.addEventListener("click", async () => {
      try {
        await staffApi(`/api/staff/kb/rollback/${v.number}`, { method: "POST" });
        await refresh();
      } catch (err) { setStatus($("docs-status"), err.message, true); }
    });
    return el("tr", {}, el("td", { text: `v${v.number}${v.current ? "（当前）" : ""}` }), el("td", { text: v.created_at.slice(0, 16).replace("T", " ") }),
      el("td", { text: v.actor }), el("td", { text: v.action }), el("td", { text: `${v.documents} / ${v.passages}` }),
      el("td", { text: changeText(v.changes) }), el("td", {}, me.role === "kb_admin" && !v.current ? back : null));
  }));
}

async function refresh() {
  await Promise.all([loadDocuments(), loadVersions()]);
}

async function upload() {
  const file = $("file").files[0];
  if (!file) { setStatus($("upload-status"), "请先选择文件。", true); return; }
  $("upload").disabled = true;
  setStatus($("upload-status"), `正在解析并索引《${file.name}》……（较大的文件需要一两分钟）`);
  try {
    const v = await staffApi(`/api/staff/documents?${new URLSearchParams({ filename: file.name })}`, { method: "POST", body: file, headers: { "Content-Type": "application/octet-stream" } });
    setStatus($("upload-status"), `已加入：版本 v${v.number}，共 ${v.documents} 篇文档 ${v.passages} 段。${changeText(v.changes)}`);
    $("upload-status").classList.add("ok-text");
    await refresh();
  } catch (err) {
    $("upload-status").classList.remove("ok-text");
    setStatus($("upload-status"), err.message, true);
  } finally {
    $("upload").disabled = false;
  }
}

async function main() {
  me = await startConsole("政策文档");
  $("upload-box").hidden = me.role !== "kb_admin";
  $("upload").addEventListener("click", upload);
  await refresh();
  document.body.dataset.ready = "true";
}

main();
