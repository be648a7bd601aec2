// Postguard audit review: small conveniences on top of a page that works without script.
// Loaded from 'self' only (the page's CSP forbids inline script); it reads no event data
// and sends nothing anywhere.
"use strict";

(function () {
  function isoDay(date) {
    return date.toISOString().slice(0, 10);
  }

  // "Last 7 days" etc.: fill From/To with UTC days (the page's days are UTC) and apply.
  function wireRanges(form) {
    const ranges = form.querySelector(".pg-ranges");
    if (!ranges) return;
    ranges.hidden = false;
    ranges.addEventListener("click", (event) => {
      const button = event.target.closest("[data-pg-range]");
      if (!button) return;
      const days = Number(button.dataset.pgRange);
      const today = new Date();
      const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - days + 1));
      form.elements.from.value = isoDay(first);
      form.elements.to.value = isoDay(today);
      form.requestSubmit();
    });
  }

  // Drop empty fields so links stay short and readable (?platform=linkedin, not ?from=&to=&...).
  function submitOnlyFilled(form) {
    form.addEventListener("formdata", (event) => {
      for (const [name, value] of Array.from(event.formData.entries())) {
        if (value === "") event.formData.delete(name);
      }
    });
  }

  // A whole table row opens its event, not just the number; text can still be selected.
  function wireRows(table) {
    table.addEventListener("click", (event) => {
      const row = event.target.closest("tr[data-pg-href]");
      if (!row || event.target.closest("a, button") || String(window.getSelection())) return;
      window.location.assign(row.dataset.pgHref);
    });
  }

  function wireCopyButtons() {
    for (const button of document.querySelectorAll("[data-pg-copy]")) {
      if (!navigator.clipboard) continue;
      button.hidden = false;
      button.addEventListener("click", () => {
        const label = button.textContent;  // the page's words, in its language
        navigator.clipboard.writeText(button.dataset.pgCopy).then(() => {
          button.textContent = button.dataset.pgCopied || "Copied";
          setTimeout(() => { button.textContent = label; }, 1500);
        }, () => { button.textContent = button.dataset.pgCopyFailed || "Copy failed"; });
      });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("pg-filters");
    if (form) {
      wireRanges(form);
      submitOnlyFilled(form);
    }
    const table = document.getElementById("pg-events");
    if (table) wireRows(table);
    wireCopyButtons();
  });
})();
