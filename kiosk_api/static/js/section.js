// Full text of one section (linked from the staff console), with the staff's search words marked.
import { api } from "./api.js";
import { el } from "./dom.js";

async function main() {
  const status = document.getElementById("status");
  const article = document.getElementById("section");
  const sectionId = decodeURIComponent(location.pathname.split("/").pop());
  const terms = (new URLSearchParams(location.search).get("q") || "").split(/\s+/).filter((t) => t.length >= 2);
  try {
    const data = await api(`/api/section/${encodeURIComponent(sectionId)}`);
    status.textContent = "";
    // Mark whole search words only (the console already split the query); text stays text.
    let rest = data.text;
    const pattern = terms.length ? new RegExp(terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")) : null;
    while (pattern && rest) {
      const m = rest.match(pattern);
      if (!m) break;
      article.append(rest.slice(0, m.index), el("mark", { text: m[0] }));
      rest = rest.slice(m.index + m[0].length);
    }
    article.append(rest);
  } catch (err) {
    status.textContent = err.message;
    status.classList.add("error");
  }
  document.body.dataset.ready = "true";
}

main();
