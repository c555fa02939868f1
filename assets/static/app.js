// Hondana: small enhancements only; every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Calendar: switch branches without pressing the button.
  var sel = document.querySelector(".calpick select");
  if (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  }
  // Kiosk: count down to the automatic logout, which the server enforces
  // from the last page loaded. (Without JavaScript the page refreshes
  // itself when the time is up.)
  var cd = document.querySelector(".countdown");
  if (cd) {
    var total = parseInt(cd.getAttribute("data-seconds"), 10) || 120;
    var left = total;
    var lang = document.documentElement.lang;
    var show = function () {
      cd.textContent = lang === "en"
        ? "You will be logged out in " + left + " s without use."
        : "操作がないと、あと " + left + " 秒でログアウトします。";
    };
    setInterval(function () {
      left -= 1;
      if (left <= 0) { window.location.href = "/"; return; }
      show();
    }, 1000);
  }
});
