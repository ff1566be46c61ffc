// The case desk's one script (served at /desk/desk.js). Every page works without it; it only helps:
// - a message saying what happened (done, or why not) takes the focus, so keyboard and screen reader users hear it;
// - a step's form cannot be sent twice by a second click while the first is on its way (the form's idempotency
//   key would make a second send harmless, but the person should see one answer).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var message = document.querySelector("[data-focus]");
  if (message) { message.focus(); }
  document.querySelectorAll("form.step").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      });
    });
  });
});
