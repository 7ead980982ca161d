/* Forum: keep a draft of what a member is typing (localStorage), so a lost tab loses nothing.
   Works without it: the forms post normally; this only adds the draft. */
(function () {
  "use strict";
  var PREFIX = "kei-draft:";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function setUp(textarea) {
    var store = storage();
    var key = textarea.getAttribute("data-draft-key");
    if (!store || !key) { return; }
    key = PREFIX + key;
    var saved = store.getItem(key);
    // Restore into an empty box, or over a server prefill (a quote) the draft already continues.
    var current = textarea.value.trim();
    if (saved && saved.trim() !== current && (!current || saved.trim().indexOf(current) === 0)) {
      textarea.value = saved;
      var note = document.createElement("p");
      note.className = "form-text text-success";
      note.setAttribute("role", "status");
      note.textContent = "Your unsent draft was restored.";
      textarea.insertAdjacentElement("afterend", note);
    }
    var timer = null;
    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (textarea.value.trim()) { store.setItem(key, textarea.value); } else { store.removeItem(key); }
      }, 300);
    });
    if (textarea.form) {
      textarea.form.addEventListener("submit", function () { store.removeItem(key); });
    }
  }

  function init(root) {
    var areas = (root || document).querySelectorAll("textarea[data-draft-key]");
    for (var i = 0; i < areas.length; i++) { setUp(areas[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
