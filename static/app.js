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
