/* Listing photo gallery (marketplace/includes/listing_gallery.html). The page works without this file:
 * the large photo and the thumbnails are links to each photo's full-size rendition.
 * With it they open the full-screen <dialog> viewer instead:
 * - Previous / Next buttons, the left and right arrow keys (Home and End for the first and last photo),
 *   a horizontal swipe on a touch screen; Escape or Close closes it and focus returns to the photo chosen.
 * - Zoom without pinching: a tap or click on the photo (or the Zoom button) shows it at its natural size
 *   around the point touched; drag it (or scroll, or use the arrow keys) to move around; tap again to fit.
 */
(function () {
  "use strict";
  var SWIPE_PX = 50; // a horizontal move at least this long (and mostly horizontal) changes the photo
  var TAP_PX = 8; // a press that moves less than this is a tap
  var PAN_STEP = 80; // arrow keys while zoomed pan by this much

  function setup(root) {
    var dialog = root.querySelector("[data-gallery-viewer]");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    var links = Array.prototype.slice.call(root.querySelectorAll("a[data-gallery-index]"));
    var byIndex = {};
    links.forEach(function (a) {
      var i = Number(a.getAttribute("data-gallery-index"));
      if (!(i in byIndex)) {
        byIndex[i] = {
          src: a.href,
          alt: a.getAttribute("data-gallery-alt") || "",
          caption: a.getAttribute("data-gallery-caption") || "",
        };
      }
    });
    var order = Object.keys(byIndex).map(Number).sort(function (a, b) { return a - b; });
    var photos = order.map(function (i) { return byIndex[i]; });
    if (!photos.length) { return; }
    var stage = dialog.querySelector("[data-gallery-stage]");
    var image = dialog.querySelector("[data-gallery-image]");
    var status = dialog.querySelector("[data-gallery-status]");
    var zoomButton = dialog.querySelector("[data-gallery-zoom]");
    var prevButton = dialog.querySelector("[data-gallery-prev]");
    var nextButton = dialog.querySelector("[data-gallery-next]");
    var current = 0;
    var opener = null;
    var zoomed = false;

    if (photos.length < 2) { prevButton.hidden = true; nextButton.hidden = true; }

    function setZoom(on, clientX, clientY) {
      var rect = image.getBoundingClientRect();
      // Where the point touched is on the photo (0..1), to keep it under the finger once zoomed.
      var fx = rect.width && clientX !== undefined ? (clientX - rect.left) / rect.width : 0.5;
      var fy = rect.height && clientY !== undefined ? (clientY - rect.top) / rect.height : 0.5;
      zoomed = on;
      stage.classList.toggle("is-zoomed", on);
      zoomButton.setAttribute("aria-pressed", on ? "true" : "false");
      zoomButton.textContent = on ? "Fit to screen" : "Zoom";
      if (on) {
        var stageRect = stage.getBoundingClientRect();
        stage.scrollLeft = Math.max(0, fx * image.offsetWidth - (clientX !== undefined ? clientX - stageRect.left : stage.clientWidth / 2));
        stage.scrollTop = Math.max(0, fy * image.offsetHeight - (clientY !== undefined ? clientY - stageRect.top : stage.clientHeight / 2));
      } else {
        stage.scrollLeft = 0;
        stage.scrollTop = 0;
      }
    }

    function show(position) {
      current = (position + photos.length) % photos.length;
      var photo = photos[current];
      setZoom(false);
      image.src = photo.src;
      image.alt = photo.alt;
      status.textContent = "Photo " + (current + 1) + " of " + photos.length + (photo.caption ? ": " + photo.caption : "");
      // Fetch the neighbours now, so the next swipe shows a photo at once.
      [current + 1, current - 1].forEach(function (n) {
        var other = photos[(n + photos.length) % photos.length];
        if (other !== photo) { new Image().src = other.src; }
      });
    }

    function open(position, link) {
      opener = link || null;
      show(position);
      dialog.showModal();
    }

    links.forEach(function (a) {
      a.addEventListener("click", function (event) {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
        event.preventDefault();
        open(order.indexOf(Number(a.getAttribute("data-gallery-index"))), a);
      });
    });
    dialog.querySelector("[data-gallery-close]").addEventListener("click", function () { dialog.close(); });
    prevButton.addEventListener("click", function () { show(current - 1); });
    nextButton.addEventListener("click", function () { show(current + 1); });
    zoomButton.addEventListener("click", function () { setZoom(!zoomed); });
    dialog.addEventListener("close", function () {
      setZoom(false);
      if (opener) { opener.focus(); }
    });
    // A click on the dark backdrop around the dialog's box closes it, like Escape.
    dialog.addEventListener("click", function (event) { if (event.target === dialog) { dialog.close(); } });

    dialog.addEventListener("keydown", function (event) {
      var key = event.key;
      if (zoomed && (key === "ArrowLeft" || key === "ArrowRight" || key === "ArrowUp" || key === "ArrowDown")) {
        stage.scrollLeft += key === "ArrowLeft" ? -PAN_STEP : key === "ArrowRight" ? PAN_STEP : 0;
        stage.scrollTop += key === "ArrowUp" ? -PAN_STEP : key === "ArrowDown" ? PAN_STEP : 0;
      } else if (key === "ArrowLeft") { show(current - 1); }
      else if (key === "ArrowRight") { show(current + 1); }
      else if (key === "Home") { show(0); }
      else if (key === "End") { show(photos.length - 1); }
      else { return; }
      event.preventDefault();
    });

    // One pointer at a time: a tap zooms in or out, a horizontal swipe changes photo (fitted), a drag pans (zoomed).
    var press = null;
    stage.addEventListener("pointerdown", function (event) {
      if (press || (event.pointerType === "mouse" && event.button !== 0)) { return; }
      press = {
        id: event.pointerId, x: event.clientX, y: event.clientY, left: stage.scrollLeft, top: stage.scrollTop,
        onImage: event.target === image,
      };
      if (stage.setPointerCapture) { stage.setPointerCapture(event.pointerId); }
      if (zoomed) { stage.classList.add("is-dragging"); }
    });
    stage.addEventListener("pointermove", function (event) {
      if (!press || event.pointerId !== press.id || !zoomed) { return; }
      stage.scrollLeft = press.left - (event.clientX - press.x);
      stage.scrollTop = press.top - (event.clientY - press.y);
    });
    function release(event, cancelled) {
      if (!press || event.pointerId !== press.id) { return; }
      var dx = event.clientX - press.x;
      var dy = event.clientY - press.y;
      var onImage = press.onImage;
      press = null;
      stage.classList.remove("is-dragging");
      if (cancelled) { return; }
      if (Math.abs(dx) < TAP_PX && Math.abs(dy) < TAP_PX) {
        if (onImage) { setZoom(!zoomed, event.clientX, event.clientY); }
      } else if (!zoomed && Math.abs(dx) >= SWIPE_PX && Math.abs(dx) > 1.5 * Math.abs(dy)) {
        show(dx < 0 ? current + 1 : current - 1);
      }
    }
    stage.addEventListener("pointerup", function (event) { release(event, false); });
    stage.addEventListener("pointercancel", function (event) { release(event, true); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-gallery]"), setup);
})();
