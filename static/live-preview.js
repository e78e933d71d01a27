// Live previews and regimen rows, without inline scripts (the Content-Security-Policy forbids them).
//
// <form data-preview-url="/screening/preview/phq9"> ... <div data-preview-output></div> ... </form>
//   On input or change (debounced 250 ms) the form's fields, CSRF token included, are posted to
//   the URL with "X-Requested-With: fetch"; the HTML fragment that comes back replaces the
//   output's content. Optional data-preview-fields="regimen-" only reacts to fields whose name
//   starts with that prefix. A failure shows a quiet note; submitting the form is never blocked.
//
// [data-regimen-add] clones <template data-regimen-template> into [data-regimen-rows], up to
//   its data-max-rows; choosing a medicine ([data-regimen-drug]) suggests its unit.
(function () {
  "use strict";

  var DELAY_MS = 250;
  var UNAVAILABLE = "Preview unavailable just now. You can still save; the result is checked then.";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : null;
  }

  function showUnavailable(output) {
    var note = document.createElement("p");
    note.className = "small text-body-secondary mb-0";
    note.setAttribute("data-preview-unavailable", "");
    note.textContent = UNAVAILABLE;
    output.replaceChildren(note);
  }

  function setUpPreview(form) {
    var url = form.getAttribute("data-preview-url");
    var output = form.querySelector("[data-preview-output]");
    if (!url || !output) {
      return;
    }
    if (!output.hasAttribute("aria-live")) {
      output.setAttribute("aria-live", "polite");
    }
    var prefix = form.getAttribute("data-preview-fields");
    var timer = null;
    var sent = 0;
    var controller = null;

    function send() {
      var mine = ++sent;
      if (controller) {
        controller.abort();
      }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      var headers = {"X-Requested-With": "fetch"};
      var token = csrfToken();
      if (token) {
        headers["X-CSRFToken"] = token;
      }
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        headers: headers,
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        // A redirect (signed out) or an error page is not a preview: never show it in the form.
        if (!response.ok || response.redirected || response.headers.get("X-Preview-Fragment") !== "1") {
          throw new Error("no preview");
        }
        return response.text();
      }).then(function (html) {
        if (mine === sent) {
          output.innerHTML = html;
        }
      }).catch(function (error) {
        if (error && error.name === "AbortError") {
          return;
        }
        if (mine === sent) {
          showUnavailable(output);
        }
      });
    }

    function schedule(event) {
      var target = event.target;
      if (prefix && !(target && target.name && target.name.indexOf(prefix) === 0)) {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(send, DELAY_MS);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    // A form whose output is empty (e.g. one rendered without a first preview) gets one now.
    if (!output.textContent.trim()) {
      send();
    }
  }

  function setUpRegimen(button) {
    var scope = button.closest("form") || document;
    var rows = scope.querySelector("[data-regimen-rows]");
    var template = scope.querySelector("template[data-regimen-template]");
    if (!rows || !template) {
      return;
    }
    var max = parseInt(rows.getAttribute("data-max-rows"), 10) || 10;

    function count() {
      return rows.querySelectorAll("[data-regimen-row]").length;
    }

    function refresh() {
      button.hidden = count() >= max;
    }

    button.addEventListener("click", function () {
      var index = count();
      if (index >= max) {
        return;
      }
      var html = template.innerHTML
        .replace(/__index__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      var added = rows.lastElementChild;
      var first = added && added.querySelector("select, input");
      if (first) {
        first.focus();
      }
      refresh();
    });
    refresh();
  }

  function suggestUnit(event) {
    var select = event.target;
    if (!select.matches || !select.matches("[data-regimen-drug]")) {
      return;
    }
    var row = select.closest("[data-regimen-row]");
    var unit = row && row.querySelector("[data-regimen-unit]");
    var option = select.options[select.selectedIndex];
    var units = option ? (option.getAttribute("data-units") || "").split(" ") : [];
    if (unit && units[0] && units.indexOf(unit.value) === -1) {
      unit.value = units[0];
    }
  }

  document.addEventListener("change", suggestUnit, true);
  document.querySelectorAll("[data-regimen-add]").forEach(setUpRegimen);
  document.querySelectorAll("form[data-preview-url]").forEach(setUpPreview);
}());
