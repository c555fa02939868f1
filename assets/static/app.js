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
  // Kiosk: count down to the way back to the start (and the logout).
  // The server counts from the last request it saw; a touch or a key
  // tells it (a GET of this page, at most every 5 s), and the count
  // starts again from there. 30 s before the end a warning offers
  // 続けて使う. (Without JavaScript the page refreshes itself.)
  var cd = document.querySelector(".countdown");
  if (cd) {
    var total = parseInt(cd.getAttribute("data-seconds"), 10) || 120;
    var msg = cd.getAttribute("data-msg") || "{n}";
    var warn = document.querySelector(".kiosk-warn");
    var seen = Date.now();
    var touch = function () {
      if (Date.now() - seen < 5000) { return; }
      seen = Date.now();
      if (warn) { warn.hidden = true; }
      fetch(window.location.href, { credentials: "same-origin", cache: "no-store" }).catch(function () {});
    };
    document.addEventListener("keydown", touch);
    document.addEventListener("pointerdown", touch);
    var more = document.querySelector(".kiosk-more");
    if (more) {
      more.addEventListener("click", function () { seen = 0; touch(); });
    }
    setInterval(function () {
      var left = total - Math.floor((Date.now() - seen) / 1000);
      if (left <= 0) { window.location.href = "/"; return; }
      cd.textContent = msg.replace("{n}", String(left));
      if (warn && left <= 30 && warn.hidden) { warn.hidden = false; }
    }, 1000);
  }
});
