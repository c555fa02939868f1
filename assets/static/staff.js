// Hondana staff client: small enhancements; every page works without it.
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    // F2 from anywhere: the scan box (on the counter), else the counter.
    if (e.key === "F2") {
      e.preventDefault();
      var box = document.getElementById("scan");
      if (box) { box.focus(); box.select(); } else { window.location.href = "/staff/counter"; }
    }
  });
})();
