// Hondana: small enhancements only; every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Calendar: switch branches without pressing the button.
  var sel = document.querySelector(".calpick select");
  if (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  }
});
