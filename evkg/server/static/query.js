// evkg query page: YASGUI (static/yasgui/) over this server's /sparql. The editor completes
// the knowledge base's own prefixes, classes and properties (/api/vocabulary, never a remote
// service); the examples open in tabs of their own; results get a pivot/chart tab
// (static/query-pivot.js). Talks to this server only.
//
// Loaded without `defer` in the page's head, so that the plain form (the page for browsers
// without scripts, or if YASGUI fails to start) is hidden before it is ever painted.
"use strict";

(function () {
  const root = document.documentElement;
  root.classList.add("yasgui-starting");
  document.addEventListener("DOMContentLoaded", function () {
    try {
      start();
    } catch (error) {
      fallBack();
      throw error;
    }
  });

  // The plain form and its server-rendered results, when YASGUI cannot run.
  function fallBack() {
    root.classList.remove("yasgui-starting", "yasgui-ready");
  }

  // ------------------------------------------------------------------ vocabulary

  let known = { prefixes: {}, labels: new Map() };

  function learn(vocabulary) {
    const labels = new Map();
    for (const term of vocabulary.classes.concat(vocabulary.properties)) {
      if (term.label) labels.set(term.iri, term.label);
    }
    known = { prefixes: vocabulary.prefixes, labels: labels };
    return vocabulary;
  }

  // The IRI of a completion's text: <iri>, or prefix:local with the query's own prefixes
  // first, then the ones the endpoint predeclares.
  function iriOf(text, yasqe) {
    if (text.startsWith("<")) return text.slice(1, -1);
    const colon = text.indexOf(":");
    if (colon < 0) return null;
    const prefix = text.slice(0, colon);
    const namespace = yasqe.getPrefixesFromQuery()[prefix] || known.prefixes[prefix];
    return namespace ? namespace + text.slice(colon + 1) : null;
  }

  // Each hint shows its label beside the name (built as text nodes: nothing is parsed as HTML).
  function labelled(yasqe, hints) {
    return hints.map(function (hint) {
      const label = known.labels.get(iriOf(hint.text, yasqe));
      hint.render = function (element) {
        element.dataset.term = hint.text;
        element.appendChild(document.createTextNode(hint.text));
        if (label) {
          const span = document.createElement("span");
          span.className = "evkg-hint-label";
          span.textContent = label;
          element.appendChild(span);
        }
      };
      return hint;
    });
  }

  // As a prefixed name of a project prefix is typed, its PREFIX line is added (once: this
  // runs in the change itself, not after a promise as YASQE's own does).
  function declareTyped(yasqe, prefixes) {
    const cursor = yasqe.getDoc().getCursor();
    const token = yasqe.getTokenAt(cursor);
    if (token.type !== "string-2") return;
    const prefix = token.string.slice(0, Math.max(0, token.string.indexOf(":")));
    if (!prefix || !Object.hasOwn(prefixes, prefix) || prefix in yasqe.getPrefixesFromQuery()) return;
    const before = yasqe.getPreviousNonWsToken(cursor.line, token);
    if (before && before.string.toUpperCase() === "PREFIX") return;
    yasqe.addPrefixes({ [prefix]: prefixes[prefix] });
  }

  function registerCompleters(Yasqe, vocabulary, prefixes) {
    // After PREFIX: the project's prefixes only (no prefix.cc, not YASQE's bundled list).
    Yasqe.forkAutocompleter("prefixes", {
      name: "evkgPrefixes",
      persistenceId: undefined,
      get: Object.keys(prefixes).sort().map(function (p) { return p + ": <" + prefixes[p] + ">"; }),
      onInitialize: function (yasqe) {
        yasqe.on("change", function () { declareTyped(yasqe, prefixes); });
      },
    }, false);
    // Classes after `a`, properties in predicate position: the full IRIs (matched when the
    // query declares the prefix) and the prefixed names (when it relies on the endpoint's).
    const kinds = [["class", "evkgClasses", "classes"], ["property", "evkgProperties", "properties"]];
    for (const [base, name, key] of kinds) {
      const original = Yasqe.Autocompleters[base];
      Yasqe.forkAutocompleter(base, {
        name: name,
        bulk: true,
        autoShow: true,
        persistenceId: undefined,
        // Called once for all the words (then YASQE keeps them in a trie), or, while the
        // vocabulary is still on its way, for the token being typed.
        get: function (yasqe, token) {
          return vocabulary.then(function (v) {
            const words = [];
            for (const term of v[key]) {
              words.push(term.iri);
              if (!term.curie.startsWith("<")) words.push(term.curie);
            }
            if (!token) return words;
            const start = token.autocompletionString || token.string;
            return words.filter(function (word) { return word.startsWith(start); });
          });
        },
        postProcessSuggestion: function (yasqe, token, suggestion) {
          return suggestion.includes("://") ? original.postProcessSuggestion(yasqe, token, suggestion) : suggestion;
        },
        postprocessHints: labelled,
      }, false);
    }
    Yasqe.defaults.autocompleters = ["variables", "evkgPrefixes", "evkgClasses", "evkgProperties"];
  }

  // ------------------------------------------------------------------ result links

  // IRIs in result tables link to the explorer's page of the IRI, on this server.
  function linkHere(Yasr, pages) {
    const Table = Yasr.plugins.table;
    if (!Table) return;
    const original = Table.prototype.getUriLinkFromBinding;
    Table.prototype.getUriLinkFromBinding = function (binding, prefixes) {
      const html = original.call(this, binding, prefixes);
      const template = document.createElement("template");
      template.innerHTML = html; // already sanitized by YASR; parsed inert, not inserted
      const link = template.content.querySelector("a");
      if (link) link.setAttribute("href", pageUrl(binding.value, pages));
      return template.innerHTML;
    };
  }

  function pageUrl(iri, pages) {
    for (const namespace of Object.keys(pages)) {
      if (iri.startsWith(namespace) && iri.length > namespace.length) {
        return pages[namespace] + iri.slice(namespace.length).split("/").map(encodeURIComponent).join("/");
      }
    }
    return "/resource?iri=" + encodeURIComponent(iri);
  }

  // ------------------------------------------------------------------ the page

  // A query the address asks for: /query?query=... (or ?example=, resolved by the server
  // into the page's config), or YASGUI's own share links, /query#query=... (any endpoint
  // they name is ignored: this page queries this server only).
  function askedFor(page) {
    const shared = new URLSearchParams(window.location.hash.slice(1));
    if (shared.get("query")) return { query: shared.get("query"), title: shared.get("tabTitle") || "Shared query" };
    return page.open;
  }

  function openTab(yasgui, query, title) {
    yasgui.addTab(true, { name: title, yasqe: { value: query } }, { avoidDuplicateTabs: true });
    const tab = yasgui.getTab();
    tab.query().catch(function () { /* YASR shows the error */ });
    return tab;
  }

  function start() {
    const host = document.getElementById("yasgui");
    const configElement = document.getElementById("query-config");
    if (!host || !configElement || !window.Yasgui) return fallBack();
    const page = JSON.parse(configElement.textContent);
    const Yasgui = window.Yasgui;
    const endpoint = new URL(page.endpoint, window.location.href).href;

    const vocabulary = fetch(page.vocabulary, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("GET " + page.vocabulary + ": " + response.status);
        return response.json();
      })
      .then(learn)
      .catch(function () {
        // Completion is a convenience: without the vocabulary the editor still works.
        return { prefixes: page.prefixes, classes: [], properties: [] };
      });
    registerCompleters(Yasgui.Yasqe, vocabulary, page.prefixes);
    linkHere(Yasgui.Yasr, page.pages);
    // The pivot/chart tab (static/query-pivot.js), between the table and the raw response.
    if (window.evkgPivot && window.evkgPivot.register(Yasgui.Yasr, { endpoint: endpoint, xsd: page.prefixes.xsd })) {
      Yasgui.Yasr.defaults.pluginOrder = ["table", "pivot", "response"];
    }

    const info = document.createElement("span");
    info.className = "evkg-endpoint";
    info.textContent = "Endpoint: " + endpoint;

    const yasgui = new Yasgui(host, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: false,
      populateFromUrl: false,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
      endpointInfo: function () { return info.cloneNode(true); },
      tabName: "Query",
      yasqe: {
        value: page.defaultQuery,
        consumeShareLink: null,
        collapsePrefixesOnLoad: true,
        editorHeight: "320px",
      },
      yasr: { prefixes: page.prefixes },
    });
    // Tabs kept from an earlier visit query this server too.
    for (const id of yasgui.persistentConfig.getTabs()) {
      const tab = yasgui.getTab(id);
      if (tab && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
    }

    const examples = new Map(page.examples.map(function (e) { return [e.name, e]; }));
    document.querySelectorAll("a[data-example]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        const example = examples.get(link.dataset.example);
        if (!example || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        openTab(yasgui, example.query, example.title);
      });
    });

    const asked = askedFor(page);
    if (asked) {
      openTab(yasgui, asked.query, asked.title);
      // A reload shows the tabs as they are, without opening the query again.
      window.history.replaceState(null, "", window.location.pathname);
    }
    window.evkgYasgui = yasgui;
    root.classList.remove("yasgui-starting");
    root.classList.add("yasgui-ready");
  }
})();
