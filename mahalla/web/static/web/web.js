/* Small behaviours without inline scripts (the Content-Security-Policy allows scripts from 'self' only). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var select = document.getElementById("language-select");
  if (select) { select.addEventListener("change", function () { select.form.submit(); }); }
});
