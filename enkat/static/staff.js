// Staff pages, progressive enhancement only: everything works without this file.
// Loaded as a file (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";

  // A "Kopiera" button copies the text of the field it names; the field stays
  // selectable, so copying by hand works without JavaScript and where the clipboard is
  // refused.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (!field || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) { status.textContent = "Länken är kopierad."; }
      }, function () {
        field.select();
        if (status) { status.textContent = "Kunde inte kopiera. Länken är markerad: kopiera den med Ctrl+C."; }
      });
    });
  });

  // A "Skriv ut" button prints the page (the print rules choose what comes with it).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
