// The year-by-year account statement: fetched straight from kiosk_api after the conversation verified (it never
// passes through the chat), shown as tables, and printable as an 80 mm receipt with the name and card masked.
import { api } from "./api.js";
import { el } from "./dom.js";

const yuan = (value) => Number(value).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function table(caption, head, rows) {
  return el("table", { class: "stmt-table" },
    el("caption", { text: caption }),
    el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c, i) => el(i ? "td" : "th", { scope: i ? undefined : "row", text: c }))))));
}

export function statementView(s, { printable = false, onPrint } = {}) {
  const parts = [
    el("h3", { text: "各年度个人账户明细" }),
    el("p", { class: "stmt-who", text: `${s.masked_name}　卡号 ${s.masked_card}　${s.insurance_type}` }),
    el("p", { class: "stmt-balance" }, "本年度个人账户余额：", el("strong", { text: `${yuan(s.balance)} 元` })),
  ];
  if (s.years.length) {
    parts.push(table("个人账户（元）", ["年度", "划入", "支出", "年末结余"],
      s.years.map((y) => [String(y.year), yuan(y.credited), yuan(y.spent), yuan(y.closing_balance)])));
  } else {
    parts.push(el("p", { text: "没有个人账户年度记录（城乡居民医保一般不设个人账户）。" }));
  }
  if (s.contributions.length) {
    parts.push(table("缴费记录", ["缴费年度", "月数", "金额（元）", "状态"],
      s.contributions.map((c) => [String(c.year), String(c.months), yuan(c.amount), c.status])));
  }
  if (s.arrears_periods.length) {
    parts.push(table("欠费", ["期间", "项目", "金额（元）"],
      s.arrears_periods.map((a) => [`${a.period_start}～${a.period_end}`, a.description, yuan(a.amount)])));
    parts.push(el("p", { class: "stmt-advice", text: s.arrears_advice }));
  } else {
    parts.push(el("p", { class: "stmt-ok", text: "没有欠费。" }));
  }
  const printed = new Date(s.generated_at).toLocaleString("zh-CN", { hour12: false });
  parts.push(el("p", { class: "stmt-foot", text: `查询时间 ${printed}　姓名和卡号已隐藏部分` }));
  const box = el("section", { class: "statement", id: "statement", "aria-label": "各年度个人账户明细" }, parts);
  if (printable) {
    box.append(el("button", { type: "button", class: "quick print-button", text: "🖨 打印凭条", onclick: () => onPrint?.(box) }));
  }
  return box;
}

// Only the statement is printed (receipt.css hides the rest); a copy is removed right after printing.
export function printStatement(box) {
  document.querySelector(".receipt-copy")?.remove();
  const copy = box.cloneNode(true);
  copy.className = "statement receipt-copy";
  copy.removeAttribute("id");
  copy.querySelector(".print-button")?.remove();
  document.body.append(copy);
  document.body.classList.add("printing-receipt");
  const done = () => { document.body.classList.remove("printing-receipt"); copy.remove(); };
  window.addEventListener("afterprint", done, { once: true });
  window.print();
}

export async function fetchStatement(sessionId) {
  return api("/api/account/statement", { method: "POST", body: { session_id: sessionId } });
}
