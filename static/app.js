// Behaviour that would otherwise need inline scripts (which the Content-Security-Policy blocks).
document.addEventListener("submit", function (event) {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
