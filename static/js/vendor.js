// Shop pages: print buttons (no inline scripts under the CSP).
document.addEventListener("click", function (e) {
  var button = e.target.closest("[data-print]");
  if (button) { e.preventDefault(); window.print(); }
});
