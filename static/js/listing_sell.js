/* Sell flow (marketplace/sell.py). The pages work without this file (plain form posts per step, a plain
 * multipart upload on the photos step); with it:
 * - the error summary of a refused step gets focus (screen readers read it; each entry links to its field);
 * - photos upload in the background as soon as they are chosen, one XMLHttpRequest each to the listing
 *   photos API (POST multipart `file`), with a real progress bar, then "processing" while the photo's
 *   status is polled (GET the photo API), then its thumbnail. They are saved on the draft, so no error
 *   elsewhere can lose them. When every upload has finished the page is read again so the photo list
 *   (reorder by drag, keyboard and buttons: listing_photos.js) shows them.
 */
(function () {
  "use strict";

  var summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) { summary.focus(); }

  var form = document.getElementById("sell-photo-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var input = form.querySelector("input[type=file]");
  var uploadUrl = form.getAttribute("data-upload-url");
  var photoUrl = form.getAttribute("data-photo-url");  // ".../photos/": + id + "/"
  var list = document.getElementById("sell-uploads");
  var status = document.getElementById("sell-upload-status");
  var submit = document.getElementById("sell-photo-submit");
  if (!input || !uploadUrl || !photoUrl || !list) { return; }
  if (submit) { submit.hidden = true; }  // choosing files is enough
  var POLL_MS = 800;
  var POLL_LIMIT = 150;  // two minutes

  function csrfToken() {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function say(text) { if (status) { status.textContent = text; } }

  var pending = 0;
  var anyAdded = false;
  function finished(added) {
    pending -= 1;
    anyAdded = anyAdded || added;
    if (pending === 0 && anyAdded) {
      say("All photos are uploaded. Updating the photo list.");
      window.setTimeout(function () { window.location.assign(form.getAttribute("data-step-url")); }, 1200);
    }
  }

  function item(file, n) {
    var li = document.createElement("li");
    li.className = "col sell-upload";
    li.setAttribute("data-upload-state", "uploading");
    var box = document.createElement("div");
    box.className = "border rounded p-2 h-100";
    var name = document.createElement("p");
    name.className = "small mb-1 text-truncate";
    name.textContent = file.name;
    var progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.className = "w-100";
    progress.id = "sell-upload-progress-" + n;
    progress.setAttribute("aria-label", "Uploading " + file.name);
    var state = document.createElement("p");
    state.className = "small mb-0 sell-upload-state";
    state.textContent = "Uploading… 0%";
    box.appendChild(name);
    box.appendChild(progress);
    box.appendChild(state);
    li.appendChild(box);
    list.appendChild(li);
    return { li: li, box: box, progress: progress, state: state };
  }

  function fail(ui, message) {
    ui.li.setAttribute("data-upload-state", "failed");
    ui.state.className = "small mb-0 text-danger sell-upload-state";
    ui.state.setAttribute("role", "alert");
    ui.state.textContent = message;
    ui.progress.hidden = true;
  }

  function thumbnail(ui, photo, fileName) {
    var sizes = photo.sizes || {};
    var widths = Object.keys(sizes).map(Number).sort(function (a, b) { return a - b; });
    var img = document.createElement("img");
    img.className = "img-fluid rounded";
    img.alt = "Uploaded: " + fileName;
    if (widths.length) { img.src = sizes[String(widths[0])].jpeg || sizes[String(widths[0])].webp; }
    else if (photo.placeholder) { img.src = photo.placeholder; }
    ui.box.insertBefore(img, ui.box.firstChild);
    ui.li.setAttribute("data-upload-state", "ready");
    ui.state.textContent = "Ready";
    say(fileName + " is ready.");
  }

  function poll(ui, photo, fileName, tries) {
    if (photo.status === "ready") { thumbnail(ui, photo, fileName); finished(true); return; }
    if (photo.status === "failed") { fail(ui, fileName + ": " + (photo.failure_reason || "could not be processed.")); finished(true); return; }
    if (tries >= POLL_LIMIT) { ui.state.textContent = "Still processing; it will appear on the list when ready."; finished(true); return; }
    ui.li.setAttribute("data-upload-state", "processing");
    ui.state.textContent = "Processing…";
    window.setTimeout(function () {
      var xhr = new XMLHttpRequest();
      xhr.open("GET", photoUrl + photo.id + "/");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.onload = function () {
        var next = photo;
        try { if (xhr.status === 200) { next = JSON.parse(xhr.responseText); } } catch (e) { /* keep polling */ }
        poll(ui, next, fileName, tries + 1);
      };
      xhr.onerror = function () { poll(ui, photo, fileName, tries + 1); };
      xhr.send();
    }, POLL_MS);
  }

  function upload(file, n) {
    var ui = item(file, n);
    pending += 1;
    var data = new FormData();
    data.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", uploadUrl);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.upload.onprogress = function (event) {
      if (!event.lengthComputable) { return; }
      var pct = Math.round((event.loaded / event.total) * 100);
      ui.progress.value = pct;
      ui.state.textContent = "Uploading… " + pct + "%";
    };
    xhr.onload = function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status === 201) {
        ui.progress.value = 100;
        poll(ui, body, file.name, 0);
        return;
      }
      var reason = (body && (body.errors && (body.errors.file || body.errors.photos || body.errors.non_field_errors)));
      fail(ui, file.name + ": " + ((reason && reason.join(" ")) || (body && body.detail) || ("upload refused (" + xhr.status + ").")));
      finished(false);
    };
    xhr.onerror = function () { fail(ui, file.name + ": the upload was interrupted; please try again."); finished(false); };
    xhr.send(data);
  }

  var counter = 0;
  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) { return; }
    list.hidden = false;
    say("Uploading " + files.length + " photo" + (files.length > 1 ? "s" : "") + ".");
    files.forEach(function (file) { counter += 1; upload(file, counter); });
    input.value = "";
  });
  form.addEventListener("submit", function (event) {
    // With this file the photos are already on their way; a submit (Enter) just starts what is chosen.
    event.preventDefault();
  });
})();
