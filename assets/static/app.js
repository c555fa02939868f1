// Hondana: small enhancements only; every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Calendar: switch branches without pressing the button.
  var sel = document.querySelector(".calpick select");
  if (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  }
  // 詳細検索: leave the empty fields (and the way an empty field would
  // match) out of the address, so that it says only what was asked.
  // Without this the same search runs, with a longer address.
  var adv = document.querySelector("form[data-drop-empty]");
  if (adv) {
    adv.addEventListener("submit", function () {
      Array.prototype.forEach.call(adv.elements, function (el) {
        if (!el.name) { return; }
        var m = el.name.match(/^(.*)_match$/);
        var empty = el.value === "" ||
          (el.name === "sort" && el.value === "relevance") ||
          (m && adv.elements[m[1]] && adv.elements[m[1]].value === "");
        if (empty) { el.disabled = true; }
      });
    });
    // Coming back (the back button), the fields are enabled again.
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(adv.elements, function (el) { el.disabled = false; });
    });
  }
  // Kiosk: count down to the way back to the start (and the logout),
  // which the server enforces from the last page loaded. (Without
  // JavaScript the page refreshes itself when the time is up.)
  var cd = document.querySelector(".countdown");
  if (cd) {
    var left = parseInt(cd.getAttribute("data-seconds"), 10) || 120;
    var msg = cd.getAttribute("data-msg") || "{n}";
    setInterval(function () {
      left -= 1;
      if (left <= 0) { window.location.href = "/"; return; }
      cd.textContent = msg.replace("{n}", String(left));
    }, 1000);
  }
});
