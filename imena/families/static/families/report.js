// The family report form one step at a time (#16). Without JavaScript every
// step is shown on one page; the server checks the whole form either way.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("#family-report form[data-steps]");
  if (!form) return;
  var steps = Array.prototype.slice.call(form.querySelectorAll("fieldset.step"));
  if (steps.length < 2) return;
  var submit = form.querySelector("button[type=submit]");
  var nav = document.createElement("div");
  nav.className = "actions step-nav";
  function make(id, text) {
    var b = document.createElement("button");
    b.type = "button";
    b.id = id;
    b.textContent = text;
    nav.appendChild(b);
    return b;
  }
  var back = make("step-back", form.dataset.back);
  var next = make("step-next", form.dataset.next);
  next.className = "primary";
  form.insertBefore(nav, submit);
  // A form sent back with errors opens at the first step that has one.
  var current = steps.findIndex(function (s) { return s.querySelector(".errorlist"); });
  if (current < 0) current = 0;
  function show(i, scroll) {
    current = i;
    steps.forEach(function (s, k) { s.hidden = k !== i; });
    back.hidden = i === 0;
    next.hidden = i === steps.length - 1;
    submit.hidden = i !== steps.length - 1;
    if (scroll) steps[i].scrollIntoView({ block: "start" });
  }
  back.addEventListener("click", function () { show(current - 1, true); });
  next.addEventListener("click", function () { show(current + 1, true); });
  show(current, false);
});
