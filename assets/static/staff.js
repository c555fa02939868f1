// Hondana staff client: small enhancements; every page works without it.
// At the counter a scan is sent without reloading the page (the server
// answers as it does without JavaScript, by a redirect to the counter),
// the answer sounds (Web Audio, unless the desk turned sound off), and
// the focus stays in the scan box.
(function () {
  "use strict";

  // Sound cues, one pattern of tones (Hz, seconds) per kind of answer.
  var cues = {
    ok: [[880, 0.10]],
    hold: [[660, 0.12], [990, 0.16]],
    transit: [[587, 0.12], [784, 0.12], [587, 0.12]],
    warn: [[440, 0.30]],
    err: [[196, 0.25], [165, 0.35]]
  };
  var audio = null;
  function audioContext() {
    if (!audio) {
      var AC = window.AudioContext || window.webkitAudioContext;
      if (!AC) { return null; }
      audio = new AC();
    }
    if (audio.state === "suspended") { audio.resume(); }
    return audio;
  }
  function sound(kind) {
    if (document.body.getAttribute("data-sound") === "off" || !cues[kind]) { return; }
    var ac = audioContext();
    if (!ac) { return; }
    var t = ac.currentTime + 0.02;
    cues[kind].forEach(function (tone) {
      var osc = ac.createOscillator(), gain = ac.createGain();
      osc.frequency.value = tone[0];
      osc.type = kind === "err" ? "square" : "sine";
      gain.gain.setValueAtTime(0.2, t);
      gain.gain.exponentialRampToValueAtTime(0.001, t + tone[1]);
      osc.connect(gain); gain.connect(ac.destination);
      osc.start(t); osc.stop(t + tone[1]);
      t += tone[1] + 0.04;
    });
  }
  // Browsers start sound only after a key or a click in the page.
  document.addEventListener("keydown", function () { audioContext(); }, { once: true });

  function focusBox() {
    var box = document.getElementById("scan");
    if (box) { box.focus(); box.select(); }
  }

  // After an answer: its sound, its slip printed when the desk prints by
  // itself (R56), and the focus back in the box.
  function answered(fresh) {
    var a = document.getElementById("answer");
    if (a) { sound(a.getAttribute("data-cue")); }
    if (fresh && document.getElementById("printslip") && document.body.getAttribute("data-autoprint") === "on") {
      window.print();
    }
    focusBox();
  }

  // A counter form (the scan box, done, undo) is sent in the
  // background; the page's main part is replaced by the answer's.
  var busy = false;
  function send(form) {
    if (busy) { return; }
    busy = true;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", redirect: "follow" })
      .then(function (resp) {
        return resp.text().then(function (html) { return { url: resp.url, html: html }; });
      })
      .then(function (r) {
        var doc = new DOMParser().parseFromString(r.html, "text/html");
        var main = doc.querySelector("main");
        if (!main) { window.location.href = r.url; return; }
        document.querySelector("main").innerHTML = main.innerHTML;
        if (doc.title) { document.title = doc.title; }
        history.replaceState(null, "", r.url);
        wire();
        answered(true);
      })
      .catch(function () { form.submit(); })
      .then(function () { busy = false; });
  }

  function wire() {
    Array.prototype.forEach.call(document.querySelectorAll("main form[method=post]"), function (form) {
      var action = form.getAttribute("action") || "";
      if (action.indexOf("/staff/counter/") !== 0 || form.hasAttribute("data-wired")) { return; }
      form.setAttribute("data-wired", "1");
      form.addEventListener("submit", function (e) { e.preventDefault(); send(form); });
    });

  }

  document.addEventListener("DOMContentLoaded", function () {
    wire();
    if (document.getElementById("scan")) { answered(false); }
    // A print page: a button to print, and printing by itself when the
    // desk does so.
    var now = document.getElementById("printnow");
    if (now) {
      now.hidden = false;
      now.addEventListener("click", function () { window.print(); });
      if (document.body.getAttribute("data-autoprint") === "on") { window.print(); }
    }
  });

  document.addEventListener("keydown", function (e) {
    // F2 from anywhere: the scan box (on the counter), else the counter.
    if (e.key === "F2") {
      e.preventDefault();
      if (document.getElementById("scan")) { focusBox(); } else { window.location.href = "/staff/counter"; }
    }
  });
})();
