// Sign-in page: on success go back to the page that sent us here (only our own /staff pages).
import { api } from "./api.js";
import { setStatus } from "./console.js";

const form = document.getElementById("login");
const status = document.getElementById("status");

function nextPage() {
  const next = new URLSearchParams(location.search).get("next") || "";
  return /^\/staff(\/[a-z]+)?$/.test(next) ? next : "/staff/queue";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = document.getElementById("submit");
  button.disabled = true;
  setStatus(status, "正在登录……");
  try {
    await api("/api/staff/login", { method: "POST", body: { username: form.username.value, password: form.password.value } });
    location.assign(nextPage());
  } catch (err) {
    form.password.value = "";
    setStatus(status, err.message, true);
    form.password.focus();
  } finally {
    button.disabled = false;
  }
});
document.body.dataset.ready = "true";
