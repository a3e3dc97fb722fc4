// Progressive enhancement for the pledge form: show only the fieldset for
// the kind chosen, and preview the condition and the split as you type.
// Without this script the form still works: "Preview" asks the server.
(function () {
  "use strict";
  // The new-slate form: check the condition as it is typed.
  var slateForm = document.getElementById("slate-form");
  if (slateForm) {
    var out = document.getElementById("preview");
    var wait = null;
    slateForm.elements.condition.addEventListener("input", function () {
      clearTimeout(wait);
      wait = setTimeout(function () {
        fetch("/api/conditions/preview?condition=" + encodeURIComponent(slateForm.elements.condition.value))
          .then(function (r) { return r.json(); })
          .then(function (p) {
            var line = document.createElement("p");
            if (p.condition_error) {
              line.className = "problem";
              line.textContent = "Condition: " + p.condition_error;
            } else {
              line.textContent = "Pledges unlock when " + p.condition_text + ".";
            }
            out.replaceChildren(line);
          }).catch(function () {});
      }, 200);
    });
  }
  var form = document.getElementById("pledge-form");
  if (!form) return;
  var slate = form.getAttribute("data-slate");
  var preview = document.getElementById("preview");
  var kinds = ["money", "hours", "actions"];

  function chosenKind() {
    var checked = form.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "money";
  }
  function showKind() {
    var kind = chosenKind();
    kinds.forEach(function (k) {
      var fs = document.getElementById(k);
      if (fs) fs.hidden = k !== kind;
    });
  }
  function line(text, problem) {
    var p = document.createElement("p");
    if (problem) p.className = "problem";
    p.textContent = text;
    return p;
  }
  var timer = null;
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var amount = chosenKind() === "money" ? form.elements.amount.value : "";
      var q = "condition=" + encodeURIComponent(form.elements.condition.value) +
        "&amount=" + encodeURIComponent(amount);
      fetch("/api/slates/" + encodeURIComponent(slate) + "/preview?" + q, {
        headers: { Accept: "application/json" }
      }).then(function (r) { return r.json(); }).then(function (p) {
        preview.replaceChildren();
        if (p.condition_error) preview.appendChild(line("Condition: " + p.condition_error, true));
        if (p.condition_text) preview.appendChild(line("Your pledge unlocks when " + p.condition_text + "."));
        if (p.amount_error) preview.appendChild(line("Amount: " + p.amount_error, true));
        if (p.split_text) preview.appendChild(line(p.split_text));
      }).catch(function () { /* the server-side Preview button still works */ });
    }, 200);
  }
  form.addEventListener("change", function (e) {
    if (e.target.name === "kind") showKind();
    refresh();
  });
  form.elements.condition.addEventListener("input", refresh);
  form.elements.amount.addEventListener("input", refresh);
  showKind();
})();
