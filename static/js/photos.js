/* Photo manager enhancements (the page works without this file):
 * - uploads each chosen file with its own XMLHttpRequest and a progress bar;
 * - polls pending photos (/api/v1/photos/<id>/) and swaps the placeholder when ready.
 */
(function () {
  "use strict";
  if (window.keiPhotos) { return; }
  window.keiPhotos = true;

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function progressRow(list, name) {
    var li = document.createElement("li");
    li.className = "mb-2";
    var label = document.createElement("div");
    label.className = "small";
    label.textContent = name;
    var bar = document.createElement("progress");
    bar.className = "w-100";
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Uploading " + name);
    var status = document.createElement("div");
    status.className = "small text-body-secondary";
    status.textContent = "Waiting…";
    li.appendChild(label);
    li.appendChild(bar);
    li.appendChild(status);
    list.appendChild(li);
    return { bar: bar, status: status };
  }

  function uploadOne(form, file, row) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrfToken(form));
      data.append("action", "upload");
      data.append("photos", file, file.name);
      var xhr = new XMLHttpRequest();
      // form.action would be the hidden input named "action"; read the attribute.
      xhr.open("POST", form.getAttribute("action") || window.location.pathname);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          row.bar.value = Math.round((e.loaded / e.total) * 100);
          row.status.textContent = row.bar.value + "% uploaded";
        }
      });
      xhr.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
        if (xhr.status >= 200 && xhr.status < 300) {
          row.bar.value = 100;
          row.status.textContent = "Uploaded — processing";
          row.status.className = "small text-success";
          resolve(true);
        } else {
          row.status.textContent = (body && body.detail) || ("Upload failed (" + xhr.status + ")");
          row.status.className = "small text-danger";
          resolve(false);
        }
      });
      xhr.addEventListener("error", function () {
        row.status.textContent = "Network error; please try again.";
        row.status.className = "small text-danger";
        resolve(false);
      });
      row.status.textContent = "Uploading…";
      xhr.send(data);
    });
  }

  function enhanceForm(form) {
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector("[data-photo-progress]");
    if (!input || !list || !window.FormData || !window.XMLHttpRequest) { return; }
    form.addEventListener("submit", function (event) {
      if (!input.files || input.files.length === 0) { return; }
      event.preventDefault();
      list.textContent = "";
      var files = Array.prototype.slice.call(input.files);
      var chain = Promise.resolve();
      var ok = 0;
      files.forEach(function (file) {
        var row = progressRow(list, file.name);
        chain = chain.then(function () {
          return uploadOne(form, file, row).then(function (success) { if (success) { ok += 1; } });
        });
      });
      chain.then(function () {
        if (ok === files.length) { window.location.reload(); }
        else if (ok > 0) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = window.location.href;
          a.textContent = "Show uploaded photos";
          li.appendChild(a);
          list.appendChild(li);
        }
      });
    });
  }

  function pollPending() {
    // Only in photo managers: /api/v1/photos/<id>/ answers the uploader (others get 404).
    var selector = "[data-photo-manager] [data-photo-status=pending], [data-photo-manager] [data-photo-status=processing]";
    var nodes = document.querySelectorAll(selector);
    if (!nodes.length) { return; }
    var tries = 0;
    var timer = window.setInterval(function () {
      tries += 1;
      var waiting = document.querySelectorAll(selector);
      if (!waiting.length || tries > 40) { window.clearInterval(timer); return; }
      Array.prototype.forEach.call(waiting, function (node) {
        var id = node.getAttribute("data-photo-id");
        fetch("/api/v1/photos/" + id + "/", { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (photo) {
            if (!photo || photo.status === "pending" || photo.status === "processing") { return; }
            node.setAttribute("data-photo-status", photo.status);
            var badge = document.querySelector("[data-photo-badge='" + id + "']");
            if (badge) {
              badge.textContent = photo.status_label;
              badge.className = "badge " + (photo.status === "ready" ? "text-bg-success" : "text-bg-danger");
            }
            if (photo.status === "ready" && node.tagName === "IMG") {
              var keys = Object.keys(photo.sizes || {});
              if (keys.length) { node.src = photo.sizes[keys[0]].jpeg; }
              node.alt = photo.alt || "";
            }
          })
          .catch(function () { /* keep the placeholder */ });
      });
    }, 2000);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-photo-upload]"), enhanceForm);
    pollPending();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
