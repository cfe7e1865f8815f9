// Kecamatan first, then its kelurahan: show only the chosen kecamatan's <optgroup> in the
// kelurahan select (templates/areas/_fields.html). Without this script every group shows.
(function () {
  "use strict";
  var kecamatan = document.querySelector("[data-area-kecamatan]");
  var kelurahan = document.querySelector("[data-area-kelurahan]");
  if (!kecamatan || !kelurahan) return;
  function narrow() {
    var chosen = kecamatan.value;
    var groups = kelurahan.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i++) {
      var show = !chosen || groups[i].getAttribute("data-kecamatan") === chosen;
      groups[i].hidden = !show;
      groups[i].disabled = !show;
    }
    var selected = kelurahan.options[kelurahan.selectedIndex];
    if (selected && selected.parentNode.disabled) kelurahan.value = "";
  }
  kecamatan.addEventListener("change", narrow);
  narrow();
})();
