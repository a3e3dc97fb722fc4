// The card form on a pledge's page and its "fix your payment" page, over
// Stripe.js (loaded just before this script). The page without this script
// says what to do; the form stays hidden until Stripe's card fields mount.
//
// data-mode on #card-form:
//   save          confirmCardSetup with the pledge's SetupIntent (nothing is charged)
//   replace       after a decline: a new SetupIntent from
//                 POST /api/pledges/{id}/payment-method, confirmCardSetup,
//                 then the page's "try again" form (#retry-form) is sent
//   authenticate  the bank wants the pledger to confirm the payment:
//                 confirmCardPayment with its client secret, then #retry-form
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form) return;
  var status = document.getElementById("card-status");
  var button = document.getElementById("card-submit");
  var mode = form.getAttribute("data-mode");

  function say(text, problem) {
    var p = document.createElement("p");
    p.className = problem ? "problem" : "notice";
    p.textContent = text;
    status.replaceChildren(p);
  }
  function message(error) {
    return (error && error.message) || "Stripe did not say why.";
  }

  if (typeof Stripe !== "function") {
    say("The secure card form did not load. Check your connection and reload this page.", true);
    return;
  }
  var stripe = Stripe(form.getAttribute("data-key"));
  var card = null;
  if (mode !== "authenticate") {
    card = stripe.elements().create("card", { style: { base: { fontSize: "17px" } } });
    card.mount("#card-element");
    card.on("change", function (event) {
      if (event && event.error) say(event.error.message, true);
      else if (status.querySelector(".problem")) status.replaceChildren();
    });
  }
  var hint = document.getElementById("card-js-needed");
  if (hint) hint.hidden = true;
  form.hidden = false;
  // Saved already (this page was reloaded before Stripe's webhook arrived)?
  if (mode === "save" && stripe.retrieveSetupIntent) {
    stripe.retrieveSetupIntent(form.getAttribute("data-secret")).then(function (r) {
      if (r.setupIntent && r.setupIntent.status === "succeeded") {
        form.hidden = true;
        say("Your card is saved. Nothing was charged: it is charged only if this pledge unlocks.", false);
      }
    }).catch(function () {});
  }

  function saveCard(secret) {
    var name = document.getElementById("card-name").value.trim();
    var method = { card: card };
    if (name) method.billing_details = { name: name };
    return stripe.confirmCardSetup(secret, { payment_method: method });
  }

  // A new SetupIntent for a different card (the engine's new_card).
  function newSecret() {
    return fetch(form.getAttribute("data-new-card-url"), { method: "POST" })
      .then(function (r) {
        return r.json().then(function (body) {
          var secret = body.payment && body.payment.setup_client_secret;
          if (!r.ok || !secret) {
            throw new Error((body.error && body.error.message) || "This payment cannot take a new card now.");
          }
          return secret;
        });
      });
  }

  // After an off-session charge Stripe may hold the payment method on the
  // intent's last error; re-confirming needs it (Stripe's "recover" flow).
  function authenticate(secret) {
    var retrieve = stripe.retrievePaymentIntent
      ? stripe.retrievePaymentIntent(secret)
      : Promise.resolve({});
    return retrieve.then(function (r) {
      var pi = r.paymentIntent;
      var err = pi && pi.last_payment_error;
      var data;
      if (pi && pi.status === "requires_payment_method" && err && err.payment_method) {
        data = { payment_method: err.payment_method.id };
      }
      return stripe.confirmCardPayment(secret, data);
    });
  }

  function retry(text) {
    say(text, false);
    document.getElementById("retry-form").submit();
  }

  var busy = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    button.disabled = true;
    var secret = form.getAttribute("data-secret");
    var work;
    if (mode === "save") {
      say("Saving your card…", false);
      work = saveCard(secret).then(function (r) {
        if (r.error) return say("Your card was not saved: " + message(r.error), true);
        form.hidden = true;
        say("Your card is saved. Nothing was charged: it is charged only if this pledge unlocks.", false);
      });
    } else if (mode === "replace") {
      say("Saving your new card…", false);
      work = newSecret().then(saveCard).then(function (r) {
        if (r.error) return say("Your new card was not saved: " + message(r.error), true);
        form.hidden = true;
        retry("Your new card is saved. Trying the payment again…");
      });
    } else {
      say("Waiting for your bank…", false);
      work = authenticate(secret).then(function (r) {
        var done = r.paymentIntent && /^(succeeded|processing|requires_capture)$/.test(r.paymentIntent.status);
        if (r.error || !done) {
          return say("Your bank did not confirm the payment: " + message(r.error || (r.paymentIntent && r.paymentIntent.last_payment_error)), true);
        }
        form.hidden = true;
        retry("Your bank confirmed the payment. Recording it…");
      });
    }
    work.catch(function (e) {
      say("Something went wrong: " + message(e) + " Try again.", true);
    }).then(function () {
      busy = false;
      button.disabled = false;
    });
  });
})();
