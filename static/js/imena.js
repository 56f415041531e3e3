// Behaviour that would otherwise be inline script, which the
// Content-Security-Policy forbids.
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print]");
  if (target) {
    event.preventDefault();
    window.print();
  }
});

// A table wider than the screen scrolls inside the page (imena.css); keyboard
// users reach it with Tab and scroll it with the arrow keys (#17).
function imenaScrollableTables() {
  document.querySelectorAll("main table").forEach(function (table) {
    if (table.scrollWidth > table.clientWidth + 1) {
      table.setAttribute("tabindex", "0");
    } else if (table.getAttribute("tabindex") === "0") {
      table.removeAttribute("tabindex");
    }
  });
}
document.addEventListener("DOMContentLoaded", imenaScrollableTables);
window.addEventListener("resize", imenaScrollableTables);
document.addEventListener("htmx:afterSettle", imenaScrollableTables);

// Section drafts (post-mortem forms): the autosave element sends one request
// at a time (hx-sync); each carries its number on the page so the server keeps
// only the latest, and a failed one is tried again with a growing pause.
document.addEventListener("htmx:configRequest", function (event) {
  var elt = event.detail.elt;
  if (elt.id !== "draft-status") {
    return;
  }
  var seq = Number(elt.dataset.seq || 0) + 1;
  elt.dataset.seq = String(seq);
  event.detail.parameters["draft_seq"] = String(seq);
});
document.addEventListener("htmx:afterRequest", function (event) {
  var elt = event.detail.elt;
  if (elt.id !== "draft-status" || !document.body.contains(elt)) {
    return;
  }
  if (event.detail.successful) {
    elt.dataset.failures = "0";
    return;
  }
  var failures = Number(elt.dataset.failures || 0) + 1;
  elt.dataset.failures = String(failures);
  elt.textContent = elt.dataset.retryText || "";
  window.setTimeout(function () {
    if (document.body.contains(elt)) {
      htmx.trigger(elt, "draft-retry");
    }
  }, Math.min(30000, 1000 * Math.pow(2, failures - 1)));
});
