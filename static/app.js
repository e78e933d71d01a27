// Behaviour that would otherwise need inline scripts (which the Content-Security-Policy blocks).
document.addEventListener("submit", function (event) {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Buttons marked data-print open the browser's print dialog (e.g. the private-pay statement).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// The pipeline board: dragging a card onto a column is a shortcut for its "Move to…" form (which
// works without it, from the keyboard). A move the lifecycle allows and that needs no reason is
// posted at once; one that needs a reason opens the form with the reason box focused.
(function () {
  const board = document.querySelector("[data-board]");
  if (!board) {
    return;
  }
  board.querySelectorAll("[data-card]").forEach(function (card) {
    if (card.querySelector("[data-move-form]")) {
      card.setAttribute("draggable", "true");
    }
  });
  board.addEventListener("dragstart", function (event) {
    const card = event.target.closest("[data-card]");
    if (card) {
      event.dataTransfer.setData("text/plain", card.id);
    }
  });
  board.addEventListener("dragover", function (event) {
    if (event.target.closest("[data-status]")) {
      event.preventDefault();
    }
  });
  board.addEventListener("drop", function (event) {
    const column = event.target.closest("[data-status]");
    const card = document.getElementById(event.dataTransfer.getData("text/plain"));
    const form = card && card.querySelector("[data-move-form]");
    if (!column || !form) {
      return;
    }
    event.preventDefault();
    const option = form.querySelector('option[data-target="' + column.dataset.status + '"]');
    if (!option) {
      return; // the lifecycle does not allow that move: the card stays
    }
    form.querySelector("select[name=action]").value = option.value;
    if (option.dataset.needsReason) {
      card.querySelector("details").open = true;
      form.querySelector("textarea[name=reason]").focus();
    } else {
      form.requestSubmit();
    }
  });
})();

// A table wider than its box scrolls inside it (app.css); such a box takes keyboard focus, so
// someone without a mouse can scroll it too (WCAG 2.1.1; axe-core "scrollable-region-focusable").
function markScrollRegions() {
  document.querySelectorAll(".table-responsive, main table.table").forEach(function (box) {
    const scrolls = box.scrollWidth > box.clientWidth + 1 && getComputedStyle(box).overflowX !== "visible";
    const marked = box.hasAttribute("data-scroll-region");
    if (scrolls && !marked && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("data-scroll-region", "");
    } else if (!scrolls && marked) {
      box.removeAttribute("tabindex");
      box.removeAttribute("data-scroll-region");
    }
  });
}
markScrollRegions();
window.addEventListener("resize", markScrollRegions);
