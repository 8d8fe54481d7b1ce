// Enhancements on top of plain HTML: every page works without this file.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  // htmx requests carry the form token in a header, as forms carry it in a field.
  document.addEventListener("htmx:configRequest", function (event) {
    if (meta) { event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content"); }
  });
  // After a swap, move focus to the updated region so keyboard and screen reader users
  // land where the change happened.
  document.addEventListener("htmx:afterSettle", function () {
    var target = document.querySelector("[data-focus]");
    if (!target) { return; }
    target.removeAttribute("data-focus");
    var focusable = target.matches("a, button, [tabindex]") ? target : target.querySelector("a, button");
    (focusable || target).focus();
  });
  // A failed htmx request falls back to a full page load, which shows the error page.
  document.addEventListener("htmx:responseError", function (event) {
    var path = event.detail.pathInfo && event.detail.pathInfo.requestPath;
    if (event.detail.requestConfig && event.detail.requestConfig.verb === "get" && path) {
      window.location.assign(path);
    }
  });
  // Editors warn before leaving with unsaved changes; saving (submitting) is not leaving.
  var dirty = false;
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("form[data-warn-unsaved]")) { dirty = true; }
  });
  document.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  document.addEventListener("htmx:sendError", function () {
    var region = document.getElementById("main");
    if (region) {
      var note = document.createElement("p");
      note.className = "alert warn";
      note.setAttribute("role", "alert");
      note.textContent = document.documentElement.lang === "ru"
        ? "Нет связи с сервером. Обновите страницу."
        : "The server cannot be reached. Please reload the page.";
      region.prepend(note);
    }
  });
})();
