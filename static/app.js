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
