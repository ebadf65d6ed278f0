// Embeddable chat: <script src="https://HOST/widget.js" async></script> adds a floating 医保咨询 button
// that opens the /widget page of the same server in a panel. No dependencies; works on any site.
(function () {
  if (window.__yibaoWidget) return;
  window.__yibaoWidget = true;
  var script = document.currentScript;
  var origin = new URL(script ? script.src : "/widget.js", location.href).origin;

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = "💬 医保咨询";
  button.setAttribute("aria-label", "打开医保在线咨询");
  Object.assign(button.style, {
    position: "fixed", right: "18px", bottom: "18px", zIndex: "2147483000", padding: "12px 18px",
    font: "600 17px sans-serif", color: "#fff", background: "#07c160", border: "0", borderRadius: "28px",
    boxShadow: "0 4px 14px rgba(0,0,0,.25)", cursor: "pointer",
  });

  var frame = document.createElement("iframe");
  frame.title = "医保通在线咨询";
  frame.src = origin + "/widget?embed=1";
  Object.assign(frame.style, {
    position: "fixed", right: "18px", bottom: "84px", zIndex: "2147483000", width: "380px", height: "620px",
    maxWidth: "calc(100vw - 24px)", maxHeight: "calc(100vh - 110px)", border: "0", borderRadius: "10px",
    boxShadow: "0 8px 30px rgba(0,0,0,.3)", background: "#ededed", display: "none",
  });

  function toggle(open) {
    frame.style.display = open ? "block" : "none";
    button.setAttribute("aria-expanded", String(open));
  }
  button.addEventListener("click", function () { toggle(frame.style.display === "none"); });
  window.addEventListener("message", function (event) {
    if (event.origin === origin && event.data && event.data.type === "yibao-widget-close") toggle(false);
  });
  document.body.appendChild(frame);
  document.body.appendChild(button);
})();
