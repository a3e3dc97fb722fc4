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
  // The receipt's share step: a button that copies the link (the field
  // itself is selectable without the script).
  var copy = document.getElementById("copy-share");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var field = document.getElementById(copy.getAttribute("data-copy"));
      navigator.clipboard.writeText(field.value).then(function () {
        copy.textContent = "Copied";
      }).catch(function () { field.select(); });
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
  function chosenAmount() {
    var preset = form.querySelector("input[name=preset]:checked");
    return preset && preset.value !== "other" ? preset.value : form.elements.amount.value;
  }
  var timer = null;
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var amount = chosenKind() === "money" ? chosenAmount() : "";
      var mustSign = [];
      form.querySelectorAll("input[type=checkbox][name^=sign_]:checked").forEach(function (box) {
        mustSign.push(box.name.slice("sign_".length));
      });
      var q = "condition=" + encodeURIComponent(form.elements.condition.value) +
        "&amount=" + encodeURIComponent(amount) +
        "&must_sign=" + encodeURIComponent(mustSign.join(",")) +
        "&min_signers=" + encodeURIComponent(form.elements.min_signers.value) +
        "&min_pledged=" + encodeURIComponent(form.elements.min_pledged.value);
      fetch("/api/slates/" + encodeURIComponent(slate) + "/preview?" + q, {
        headers: { Accept: "application/json" }
      }).then(function (r) { return r.json(); }).then(function (p) {
        preview.replaceChildren();
        if (p.controls_error) preview.appendChild(line(p.controls_error, true));
        if (p.condition_error) preview.appendChild(line("Condition: " + p.condition_error, true));
        if (p.condition_text) preview.appendChild(line("Your pledge unlocks when " + p.condition_text + "."));
        if (p.condition && !form.elements.condition.value.trim()) {
          preview.appendChild(line("Typed in the advanced field, your choices read: " + p.condition));
        }
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
  form.elements.amount.addEventListener("input", function () {
    // Typing an amount chooses "Other amount".
    var other = form.querySelector("input[name=preset][value=other]");
    if (other && form.elements.amount.value) other.checked = true;
    refresh();
  });
  form.elements.min_signers.addEventListener("input", refresh);
  form.elements.min_pledged.addEventListener("input", refresh);
  showKind();
})();
