// Dashboard: headline figures and the server-rendered SVG charts (no chart script in the page).
import { el } from "./dom.js";
import { staffApi, startConsole } from "./console.js";

const CHARTS = [["questions", "每日提问（按渠道）"], ["rates", "解决率与转人工率"], ["feedback", "满意度"],
  ["unanswered", "未答好的问题"], ["curated", "使用最多的标准答案"]];
const $ = (id) => document.getElementById(id);
const pct = (x) => `${(x * 100).toFixed(1)}%`;

async function load() {
  const days = $("days").value;
  $("csv").href = `/api/staff/dashboard.csv?days=${days}`;
  const board = await staffApi(`/api/staff/dashboard?days=${days}`);
  const t = board.totals;
  $("figures").replaceChildren(
    ...[["提问", String(t.questions)], ["解决率", pct(board.answer_rate)], ["转人工率", pct(board.handoff_rate)],
      ["👍 / 👎 / 没解决", `${t.up} / ${t.down} / ${t.unsolved}`]].map(([label, value]) =>
      el("div", { class: "figure" }, el("strong", { text: value }), el("span", { text: label }))));
  const stamp = Date.now();
  const images = CHARTS.map(([name, alt]) => el("img", { src: `/api/staff/charts/${name}.svg?days=${days}&t=${stamp}`, alt, width: "760", height: "360" }));
  $("charts").replaceChildren(...images);
  await Promise.all(images.map((img) => img.decode().catch(() => {})));
}

async function main() {
  await startConsole("统计");
  $("days").addEventListener("change", load);
  await load();
  document.body.dataset.ready = "true";
}

main();
