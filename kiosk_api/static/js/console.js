// Shared by the staff console pages: who is signed in, the CSRF header on every change, the top bar.
import { ApiError } from "./api.js";
import { el } from "./dom.js";

let csrf = "";

export async function staffApi(path, { method = "GET", json, body, headers = {} } = {}) {
  const init = { method, headers: { ...headers }, credentials: "same-origin" };
  if (method !== "GET") init.headers["X-CSRF-Token"] = csrf;
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch {
    throw new ApiError(0, "network", "网络连接不上，请稍后再试。");
  }
  if (resp.status === 401 && !path.startsWith("/api/staff/log")) {
    location.assign(`/staff/login?next=${encodeURIComponent(location.pathname)}`);
    return new Promise(() => {}); // the page is being replaced by the sign-in page: nothing more to do here
  }
  if (resp.status === 204) return null;
  const type = resp.headers.get("content-type") || "";
  const data = type.includes("json") ? await resp.json().catch(() => null) : await resp.text();
  if (!resp.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(resp.status, error.code || "http_error", error.message || "请求没有成功，请稍后再试。");
  }
  return data;
}

const PAGES = [["/staff", "检索"], ["/staff/queue", "未答问题与标准答案"], ["/staff/documents", "政策文档"], ["/staff/dashboard", "统计"]];

// Signs the page in (or sends it to the sign-in page) and draws the top bar; resolves to {username, role}.
export async function startConsole(title) {
  const me = await staffApi("/api/staff/me");
  csrf = me.csrf_token;
  const signOut = el("button", { type: "button", class: "signout", text: "退出登录" });
  signOut.addEventListener("click", async () => {
    await staffApi("/api/staff/logout", { method: "POST" }).catch(() => {});
    location.assign("/staff/login");
  });
  const nav = el("nav", { class: "console", "aria-label": "工作人员页面" },
    PAGES.map(([href, label]) => el("a", { href, text: label, "aria-current": href === location.pathname ? "page" : false })));
  document.querySelector("header.head").replaceChildren(
    el("h1", { text: `医保通 · ${title}` }), nav,
    el("span", { class: "who", text: `${me.username}（${me.role === "kb_admin" ? "知识库管理员" : "工作人员"}）` }), signOut);
  return me;
}

export function setStatus(node, text, isError = false) {
  node.textContent = text;
  node.classList.toggle("error", isError);
}
