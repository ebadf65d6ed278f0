// Talking to kiosk_api: one error shape ({error: {code, message}}), sessions that restart themselves
// when the server says the old one is over (404), and nothing else.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, { method = "GET", body, signal, keepalive = false } = {}) {
  let resp;
  try {
    resp = await fetch(path, {
      method,
      signal,
      keepalive,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, "network", "网络连接不上，请稍后再试。");
  }
  if (resp.status === 204) return null;
  let data = null;
  try {
    data = await resp.json();
  } catch {
    /* not JSON: handled below */
  }
  if (!resp.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(resp.status, error.code || "http_error", error.message || "请求没有成功，请稍后再试。");
  }
  return data;
}

export class ChatSession {
  constructor(channel, { onRestart } = {}) {
    this.channel = channel;
    this.id = null;
    this.onRestart = onRestart || (() => {});
  }

  async ensure() {
    if (!this.id) {
      const info = await api("/api/session", { method: "POST", body: { channel: this.channel } });
      this.id = info.session_id;
      this.info = info;
    }
    return this.id;
  }

  async send(message) {
    await this.ensure();
    const body = () => ({ session_id: this.id, message, channel: this.channel });
    try {
      return await api("/api/chat", { method: "POST", body: body() });
    } catch (err) {
      if (err.status !== 404 || err.code !== "session_not_found") throw err;
      // Ended or expired on the server (timeout, other tab): start afresh and ask again once.
      this.id = null;
      await this.ensure();
      this.onRestart();
      return api("/api/chat", { method: "POST", body: body() });
    }
  }

  async feedback(replyId, rating) {
    return api("/api/feedback", { method: "POST", body: { session_id: this.id, reply_id: replyId, rating } });
  }

  async end() {
    const id = this.id;
    this.id = null;
    if (!id) return;
    try {
      await api(`/api/session/${encodeURIComponent(id)}`, { method: "DELETE", keepalive: true });
    } catch {
      /* already over on the server: nothing to wipe there */
    }
  }
}

export async function loadConfig() {
  try {
    return await api("/api/config");
  } catch {
    return { human_help: "请到医保服务窗口咨询", idle_seconds: 90, countdown_seconds: 30, max_message_chars: 500 };
  }
}
