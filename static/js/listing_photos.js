/* Listing photos page: drag and drop (and keyboard) reordering. The page works without this
 * file: the "Move earlier" / "Move later" buttons post one step at a time.
 * On drop the whole order is POSTed (`order` once per photo id) to the list's data-reorder-url;
 * the server answers 204, or 400 with {"detail": "..."}.
 */
(function () {
  "use strict";
  var list = document.getElementById("photo-list");
  var url = list && list.getAttribute("data-reorder-url");
  if (!list || !url || !window.fetch || !window.FormData) { return; }
  var FOCUS_KEY = "keiListingPhotoFocus";
  var help = document.getElementById("photo-order-help");
  var status = document.getElementById("photo-order-status");

  function items() { return Array.prototype.slice.call(list.querySelectorAll("li.photo-item")); }
  if (items().length < 2) { return; }
  if (help) { help.hidden = false; }

  function ids() { return items().map(function (li) { return li.getAttribute("data-photo-id"); }); }
  function say(text, isError) {
    if (!status) { return; }
    status.textContent = text;
    // Errors are shown to everyone; progress is for screen readers only.
    status.className = isError ? "alert alert-danger py-2 small" : "visually-hidden";
  }
  function label(li) { return li.getAttribute("data-photo-label") || "Photo"; }
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function restore(order) {
    order.forEach(function (id) {
      var li = list.querySelector("li.photo-item[data-photo-id='" + id + "']");
      if (li) { list.appendChild(li); }
    });
  }

  var busy = false;
  function save(before, focusId) {
    var after = ids();
    if (after.join(",") === before.join(",")) { say("Order unchanged."); return; }
    busy = true;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken());
    after.forEach(function (id) { data.append("order", id); });
    say("Saving the new order…");
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      if (response.ok) {
        // Reload so numbering, cover and the buttons match the saved order; keep keyboard focus.
        if (focusId) { try { window.sessionStorage.setItem(FOCUS_KEY, focusId); } catch (e) { /* ignore */ } }
        // A fresh GET (never a reload: this page may be the answer to a refused upload POST).
        window.location.assign(window.location.pathname);
        return null;
      }
      return response.json().catch(function () { return {}; }).then(function (body) {
        throw new Error((body && body.detail) || ("Could not save the order (" + response.status + ")."));
      });
    }).catch(function (err) {
      busy = false;
      restore(before);
      say(err.message || "Could not save the order; please try again.", true);
    });
  }

  // --- mouse / touchpad: HTML5 drag and drop --------------------------------------------
  var dragged = null;
  var startOrder = null;
  var dropped = false;

  items().forEach(function (li) {
    li.setAttribute("draggable", "true");
    Array.prototype.forEach.call(li.querySelectorAll("img, a"), function (el) { el.setAttribute("draggable", "false"); });
  });

  list.addEventListener("dragstart", function (event) {
    var li = event.target.closest && event.target.closest("li.photo-item");
    if (!li || busy) { event.preventDefault(); return; }
    dragged = li;
    startOrder = ids();
    dropped = false;
    li.classList.add("opacity-50");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", li.getAttribute("data-photo-id"));  // Firefox needs data
  });

  list.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    var over = event.target.closest && event.target.closest("li.photo-item");
    if (!over || over === dragged) { return; }
    var all = items();
    if (all.indexOf(dragged) < all.indexOf(over)) { list.insertBefore(dragged, over.nextSibling); }
    else { list.insertBefore(dragged, over); }
  });

  list.addEventListener("drop", function (event) {
    if (!dragged) { return; }
    event.preventDefault();
    dropped = true;
  });

  list.addEventListener("dragend", function () {
    if (!dragged) { return; }
    dragged.classList.remove("opacity-50");
    var before = startOrder;
    dragged = null;
    if (!dropped) { restore(before); return; }  // dropped outside the list: put it back
    save(before, null);
  });

  // --- keyboard: a "Reorder" button per photo; Space picks up, arrows move, Space saves, Escape cancels
  var grabbed = null;
  var grabOrder = null;

  function release(button, cancel, refocus) {
    var li = grabbed;
    grabbed = null;
    button.setAttribute("aria-pressed", "false");
    li.classList.remove("border", "border-primary", "border-2");
    if (cancel) {
      restore(grabOrder);
      if (refocus) { button.focus(); }
      say(label(li) + " put back. Order unchanged.");
    } else {
      save(grabOrder, li.getAttribute("data-photo-id"));
    }
  }

  items().forEach(function (li) {
    var buttons = li.querySelector(".d-flex.flex-wrap");
    if (!buttons) { return; }
    var handle = document.createElement("button");
    handle.type = "button";
    handle.className = "btn btn-sm btn-outline-secondary";
    handle.setAttribute("aria-pressed", "false");
    if (help) { handle.setAttribute("aria-describedby", help.id); }
    handle.textContent = "Reorder";
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " " + label(li).toLowerCase();
    handle.appendChild(hidden);
    buttons.insertBefore(handle, buttons.firstChild);

    handle.addEventListener("click", function () {
      if (busy) { return; }
      if (grabbed === li) { release(handle, false, true); return; }
      if (grabbed) { return; }
      grabbed = li;
      grabOrder = ids();
      handle.setAttribute("aria-pressed", "true");
      li.classList.add("border", "border-primary", "border-2");
      say(label(li) + " picked up, place " + (items().indexOf(li) + 1) + " of " + items().length +
        ". Use the arrow keys to move it, Space to save, Escape to cancel.");
    });

    handle.addEventListener("keydown", function (event) {
      if (grabbed !== li) { return; }
      var key = event.key;
      if (key === "Escape") { event.preventDefault(); release(handle, true, true); return; }
      var earlier = key === "ArrowUp" || key === "ArrowLeft";
      var later = key === "ArrowDown" || key === "ArrowRight";
      if (!earlier && !later) { return; }
      event.preventDefault();
      var all = items();
      var i = all.indexOf(li);
      if (earlier && i > 0) { list.insertBefore(li, all[i - 1]); }
      else if (later && i < all.length - 1) { list.insertBefore(li, all[i + 1].nextSibling); }
      handle.focus();  // moving the node can drop focus in some browsers
      say(label(li) + " now at place " + (items().indexOf(li) + 1) + " of " + all.length + ".");
    });

    handle.addEventListener("blur", function () {
      // Tabbing away while a photo is picked up cancels the move (nothing is saved unnoticed).
      window.setTimeout(function () {
        if (grabbed === li && document.activeElement !== handle) { release(handle, true, false); }
      }, 0);
    });
  });

  // After a keyboard save the page reloads; put focus back on the moved photo's handle.
  try {
    var focusId = window.sessionStorage.getItem(FOCUS_KEY);
    if (focusId) {
      window.sessionStorage.removeItem(FOCUS_KEY);
      var moved = list.querySelector("li.photo-item[data-photo-id='" + focusId + "'] button[aria-pressed]");
      if (moved) { moved.focus(); say("New order saved."); }
    }
  } catch (e) { /* sessionStorage unavailable */ }
})();
