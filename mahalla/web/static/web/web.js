/* Small behaviours without inline scripts (the Content-Security-Policy allows scripts from 'self' only). */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.documentElement.classList.add("js");
  var select = document.getElementById("language-select");
  if (select) { select.addEventListener("change", function () { select.form.submit(); }); }

  // Sortable tables: <table class="table" data-sortable>. A click on a header sorts the rows of the page
  // by that column (numbers as numbers, in the page's language: "1 234,5" and "1,234.5" alike; text by the
  // language's collation); a second click reverses. Paged lists sort the page shown (docs/design.md).
  var language = document.documentElement.lang || "uz";
  var collator = new Intl.Collator(language, { numeric: true, sensitivity: "base" });
  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  }
  function asNumber(text) {
    var cleaned = text.replace(/[\s\u00a0\u202f%]/g, "");
    if (language !== "en") { cleaned = cleaned.replace(/\./g, "").replace(",", "."); } else { cleaned = cleaned.replace(/,/g, ""); }
    if (cleaned === "" || cleaned === "-" || !/^[-+\u2212]?\d*\.?\d+$/.test(cleaned.replace("\u2212", "-"))) { return null; }
    return parseFloat(cleaned.replace("\u2212", "-"));
  }
  function sortBy(table, header, index) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.querySelectorAll("th[aria-sort]"), function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.filter.call(body.rows, function (row) { return row.cells.length > 1 || !row.cells[0].hasAttribute("colspan"); });
    var numeric = rows.every(function (row) { var v = cellValue(row, index); return v === "" || v === "-" || asNumber(v) !== null; });
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index), order;
      if (numeric) {
        var nx = asNumber(x), ny = asNumber(y);
        order = (nx === null ? -Infinity : nx) - (ny === null ? -Infinity : ny);
      } else { order = collator.compare(x, y); }
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
    var head = table.tHead;
    if (!head || !head.rows.length) { return; }
    Array.prototype.forEach.call(head.rows[head.rows.length - 1].cells, function (th, index) {
      if (th.hasAttribute("data-nosort") || !th.textContent.trim()) { return; }
      th.setAttribute("data-sortable", "");
      th.setAttribute("tabindex", "0");
      th.setAttribute("title", th.getAttribute("title") || th.textContent.trim());
      th.addEventListener("click", function () { sortBy(table, th, index); });
      th.addEventListener("keydown", function (event) { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(table, th, index); } });
    });
  });
});
