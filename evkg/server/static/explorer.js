// evkg explorer: name completion for entity boxes, and Ctrl+Enter in the query editor.
// Talks to this server only (/api/search).
"use strict";

(function () {
  const list = document.getElementById("entity-names");
  let timer = null;
  let lastAsked = "";

  function fill(hits) {
    list.replaceChildren(...hits.map(function (hit) {
      const option = document.createElement("option");
      option.value = hit.label;
      option.label = hit.type ? hit.label + " (" + hit.type + ")" : hit.label;
      return option;
    }));
  }

  function complete(event) {
    const text = event.target.value.trim();
    if (text.length < 2 || text === lastAsked) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      lastAsked = text;
      fetch("/api/search?limit=10&q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(fill)
        .catch(function () { /* completion is a convenience; typing still works */ });
    }, 120);
  }

  if (list) {
    document.querySelectorAll("input[data-complete]").forEach(function (input) {
      input.addEventListener("input", complete);
    });
  }

  const editor = document.getElementById("query-text");
  if (editor) {
    editor.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        editor.form.requestSubmit();
      }
    });
  }
})();
