// Loupe — progressive enhancement only: the pages work fully without this file.
// Autocomplete for the search box from /api/suggest, filling the box's
// <datalist>. It never blocks typing: requests are debounced, a new keystroke
// aborts the request still in flight, and a failure simply shows nothing.
"use strict";

(function () {
  var DEBOUNCE_MS = 150;
  var MIN_CHARS = 2;

  function setUp(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || !window.fetch || !window.AbortController) {
      return;
    }
    var timer = null;
    var inFlight = null;
    var lastAsked = "";

    function show(suggestions) {
      list.replaceChildren.apply(
        list,
        suggestions.map(function (text) {
          var option = document.createElement("option");
          option.value = text; // a DOM property, never parsed as HTML
          return option;
        })
      );
    }

    function ask(text) {
      if (inFlight) {
        inFlight.abort();
      }
      var controller = new AbortController();
      inFlight = controller;
      fetch("/api/suggest?q=" + encodeURIComponent(text), {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (controller === inFlight && text === input.value.trim()) {
            show(Array.isArray(data.suggestions) ? data.suggestions : []);
          }
        })
        .catch(function () {
          /* aborted or offline: keep typing, no suggestions */
        });
    }

    input.addEventListener("input", function () {
      var text = input.value.trim();
      window.clearTimeout(timer);
      if (text.length < MIN_CHARS) {
        if (inFlight) {
          inFlight.abort();
        }
        show([]);
        return;
      }
      if (text === lastAsked) {
        return;
      }
      timer = window.setTimeout(function () {
        lastAsked = text;
        ask(text);
      }, DEBOUNCE_MS);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var inputs = document.querySelectorAll("input[type=search][list]");
    for (var i = 0; i < inputs.length; i++) {
      setUp(inputs[i]);
    }
  });
})();

// Batch results: sort the table by a column when its header is clicked (the
// table reads fine unsorted without JavaScript).
(function () {
  function cellValue(row, index, numeric) {
    var text = row.cells[index] ? row.cells[index].textContent.trim() : "";
    return numeric ? parseFloat(text) || 0 : text.toLowerCase();
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var numeric = th.getAttribute("data-sort") === "number";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, numeric);
          var y = cellValue(b, index, numeric);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) {
          body.appendChild(row);
        });
      });
    });
  }

  document.querySelectorAll("table.sortable").forEach(makeSortable);
})();
