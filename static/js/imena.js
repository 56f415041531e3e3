// Behaviour that would otherwise be inline script, which the
// Content-Security-Policy forbids.
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print]");
  if (target) {
    event.preventDefault();
    window.print();
  }
});
