// Drag-and-drop reordering in the course editor, on top of the up/down buttons (the keyboard
// way, and the way without JavaScript). A dropped module or lesson is moved by the same
// route the buttons post to, with `action=move` and its new place, then the page reloads.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var dragged = null;
  var startIndex = 0;

  function items(list) {
    return Array.prototype.filter.call(list.children, function (el) {
      return el.hasAttribute("data-reorder-url");
    });
  }

  function sibling(target) {
    // The item under the pointer that shares the dragged item's list (a lesson dragged over
    // another module's lessons finds none: lessons move within their module).
    var el = target && target.closest ? target.closest("[data-reorder-url]") : null;
    while (el && dragged && el.parentElement !== dragged.parentElement) {
      el = el.parentElement ? el.parentElement.closest("[data-reorder-url]") : null;
    }
    return el;
  }

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest("[data-reorder-url]");
    if (!item || item !== event.target) { return; }
    dragged = item;
    startIndex = items(item.parentElement).indexOf(item);
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.id);
  });

  document.addEventListener("dragover", function (event) {
    var over = sibling(event.target);
    if (!dragged || !over) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (over === dragged) { return; }
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    over.parentElement.insertBefore(dragged, after ? over.nextSibling : over);
  });

  document.addEventListener("drop", function (event) {
    if (dragged && sibling(event.target)) { event.preventDefault(); }
  });

  document.addEventListener("dragend", function () {
    var item = dragged;
    dragged = null;
    if (!item) { return; }
    item.classList.remove("dragging");
    var index = items(item.parentElement).indexOf(item);
    if (index === startIndex) { return; }
    var body = new URLSearchParams();
    body.set("csrf_token", meta ? meta.getAttribute("content") : "");
    body.set("action", "move");
    body.set("to", String(index + 1));
    var course = item.getAttribute("data-course-id");
    if (course) { body.set("course_id", course); }
    item.setAttribute("aria-busy", "true");
    fetch(item.getAttribute("data-reorder-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": meta ? meta.getAttribute("content") : "" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      window.location.reload();
    }).catch(function () {
      window.location.reload(); // the order the server has, with its error if any
    });
  });
})();
