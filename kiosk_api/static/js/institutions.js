// 定点医药机构名录 on the pages: result cards (kiosk, widget, chat answers), the kiosk's touch-only finder,
// and the staff console's directory tab. Every text goes in with textContent (dom.js el), never as HTML.
import { api } from "./api.js";
import { el } from "./dom.js";

const FLAG_ICONS = {
  cross_province: "🚄", e_voucher: "📱", chronic_disease: "🩺", external_prescription: "📄", open_24h: "🌙",
};

export function institutionCard(card, { big = false } = {}) {
  const kind = card.level && card.level !== "未定级" ? `${card.level}${card.type}` : card.type;
  return el("article", { class: `inst-card${big ? " big" : ""}`, "data-code": card.code },
    el("header", {},
      el("h3", { class: "inst-name", text: card.name }),
      card.distance_text ? el("span", { class: "inst-distance", text: card.distance_text }) : null),
    el("p", { class: "inst-kind", text: `${kind} · ${card.nature} · ${card.district}` }),
    el("p", { class: "inst-line" }, el("span", { class: "label", text: "地址 " }), card.address),
    card.phone ? el("p", { class: "inst-line" }, el("span", { class: "label", text: "电话 " }), card.phone) : null,
    card.opening_hours ? el("p", { class: "inst-line" }, el("span", { class: "label", text: "时间 " }), card.opening_hours) : null,
    card.flags.length
      ? el("ul", { class: "inst-flags", "aria-label": "可以办理" },
        card.flags.map((f, i) => el("li", { class: `flag ${f}`, text: `${FLAG_ICONS[f] || "✓"} ${card.flag_names[i]}` })))
      : null);
}

export function institutionCards(cards, options = {}) {
  return el("div", { class: "inst-cards", role: "list" },
    cards.map((c) => { const node = institutionCard(c, options); node.setAttribute("role", "listitem"); return node; }));
}

function chip(text, pressed, onclick, extra = {}) {
  return el("button", { type: "button", class: "chip", "aria-pressed": String(pressed), text, onclick, ...extra });
}

// The kiosk finder: type, district and condition buttons, nearest first, big cards; no typing anywhere.
export class DirectoryFinder {
  constructor(container, { onBack } = {}) {
    this.container = container;
    this.onBack = onBack;
    this.state = { type: "零售药店", district: "", flags: new Set() };
    this.facets = null;
  }

  async open() {
    this.container.hidden = false;
    if (!this.facets) {
      try {
        this.facets = await api("/api/institutions/facets");
      } catch (err) {
        this.container.replaceChildren(el("p", { class: "inst-error", role: "alert", text: err.message }));
        return;
      }
    }
    this.render();
    await this.search();
  }

  reset() {
    this.state = { type: "零售药店", district: "", flags: new Set() };
    this.container.hidden = true;
    this.container.replaceChildren();
  }

  render() {
    const f = this.facets;
    const s = this.state;
    const group = (title, buttons) => el("div", { class: "chip-group", role: "group", "aria-label": title },
      el("span", { class: "chip-title", text: title }), buttons);
    this.results = el("div", { class: "inst-results", "aria-live": "polite" });
    this.status = el("p", { class: "inst-status", role: "status" });
    this.container.replaceChildren(
      el("div", { class: "inst-head" },
        el("h2", { text: "🏥 定点医药机构" }),
        el("button", { type: "button", class: "secondary inst-back", text: "← 返回首页", onclick: () => this.onBack?.() })),
      group("找哪一类", [chip("全部", !s.type, () => this.set("type", "")),
        ...f.types.map((t) => chip(t, s.type === t, () => this.set("type", t), { "data-type": t }))]),
      group("在哪个区", [chip("不限", !s.district, () => this.set("district", "")),
        ...f.districts.map((d) => chip(d, s.district === d, () => this.set("district", d), { "data-district": d }))]),
      group("要能办", Object.entries(f.flags).map(([key, name]) =>
        chip(`${FLAG_ICONS[key] || ""} ${name}`, s.flags.has(key), () => this.toggle(key), { "data-flag": key }))),
      this.status,
      this.results,
      el("p", { class: "inst-source", text: `数据：${f.source}` }));
  }

  set(key, value) {
    this.state[key] = value;
    this.render();
    this.search();
  }

  toggle(flag) {
    if (this.state.flags.has(flag)) this.state.flags.delete(flag); else this.state.flags.add(flag);
    this.render();
    this.search();
  }

  async search() {
    const params = new URLSearchParams({ near: "true", limit: "6" });
    if (this.state.type) params.append("type", this.state.type);
    if (this.state.district) params.append("district", this.state.district);
    for (const flag of this.state.flags) params.append("flag", flag);
    this.status.textContent = "正在查找……";
    try {
      const data = await api(`/api/institutions?${params}`);
      this.status.textContent = data.total
        ? `共 ${data.total} 家${data.origin ? "，离这里最近的在前" : ""}${data.total > data.institutions.length ? `，显示前 ${data.institutions.length} 家` : ""}`
        : "没有符合这些条件的机构，请少选一个条件试试。";
      this.results.replaceChildren(institutionCards(data.institutions, { big: true }));
    } catch (err) {
      this.status.textContent = err.message;
    }
  }
}

// ---- staff console: directory tab ----

export async function staffDirectoryFilters(box, onChange) {
  const facets = await api("/api/institutions/facets");
  const state = { type: "", district: "", flags: new Set() };
  const select = (label, values, key) => el("label", { class: "inst-select" }, label,
    el("select", { "data-filter": key, onchange: (e) => { state[key] = e.target.value; onChange(); } },
      el("option", { value: "", text: "不限" }), values.map((v) => el("option", { value: v, text: v }))));
  box.replaceChildren(
    select("类型 ", facets.types, "type"),
    select("区县 ", facets.districts, "district"),
    ...Object.entries(facets.flags).map(([key, name]) => el("label", { class: "inst-check" },
      el("input", { type: "checkbox", value: key, onchange: (e) => {
        if (e.target.checked) state.flags.add(key); else state.flags.delete(key);
        onChange();
      } }), ` ${name}`)));
  return (params) => {
    if (state.type) params.append("type", state.type);
    if (state.district) params.append("district", state.district);
    for (const f of state.flags) params.append("flag", f);
    params.set("near", "true");
  };
}

export function staffDirectoryItem(card) {
  const text = `${card.name}（${card.type}）地址：${card.address}；电话：${card.phone || "未登记"}；时间：${card.opening_hours || "未登记"}`
    + (card.flag_names.length ? `；可办：${card.flag_names.join("、")}` : "");
  const item = el("li", { class: "result", tabindex: "-1", "aria-selected": "false" }, institutionCard(card),
    el("div", { class: "actions" }, el("button", { type: "button", class: "copy", text: "复制信息" })));
  return { item, text };
}
