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
