// evkg query page: a "Pivot / chart" tab beside YASR's Table and Response, for SELECT
// results. PivotTable.js (static/pivot/) makes the pivot table, with jQuery UI's sortable
// lists to drag columns into rows and columns, and Chart.js draws its chart renderers.
// Numbers typed xsd:integer, xsd:decimal, xsd:double and the like are aggregated as numbers
// (the other columns are offered to the aggregators not at all); IRIs show as their
// rdfs:label, asked of this server, or as prefixed names. Every value reaches the page as
// text (PivotTable.js writes cells with textContent, Chart.js draws on a canvas).
//
// query.js registers the plugin with evkgPivot.register(Yasr, options) before YASGUI starts.
"use strict";

(function () {
  // Datatypes whose values are numbers (local names in the XSD namespace).
  const NUMERIC = new Set([
    "integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "nonPositiveInteger", "positiveInteger", "negativeInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
  ]);
  const INTEGER = new Set(Array.from(NUMERIC).filter(function (name) { return !["decimal", "double", "float"].includes(name); }));
  // At most this many distinct IRIs are looked up (one query); past it, prefixed names.
  const MAX_LABELLED = 1000;
  // Characters an IRI written <...> in a query cannot hold.
  const IRIREF = /^[^<>"{}|^`\\\u0000-\u0020]+$/;
  const NO_VALUE = "(no value)";
  const PALETTE = ["#2f6f9f", "#d9822b", "#3c8d5a", "#b23b3b", "#7759a8", "#8c6d46", "#c45b9a", "#6b6b6b", "#a3a32c", "#2ba3a3"];

  // ------------------------------------------------------------------ values

  function localName(datatype, xsd) {
    return datatype && datatype.startsWith(xsd) ? datatype.slice(xsd.length) : null;
  }

  function prefixed(iri, prefixes) {
    let best = null;
    for (const [prefix, namespace] of Object.entries(prefixes)) {
      if (iri.startsWith(namespace) && iri.length > namespace.length && (!best || namespace.length > best[1].length)) {
        best = [prefix, namespace];
      }
    }
    return best ? best[0] + ":" + iri.slice(best[1].length) : "<" + iri + ">";
  }

  // The labels of `iris` (a Map iri -> label), from this server's endpoint; an empty Map when
  // there are too many or the endpoint does not answer (the names are then prefixed).
  function fetchLabels(endpoint, iris) {
    const asked = iris.filter(function (iri) { return IRIREF.test(iri); });
    if (!asked.length || asked.length > MAX_LABELLED) return Promise.resolve(new Map());
    const query = "SELECT ?iri (MIN(STR(?l)) AS ?label) WHERE { VALUES ?iri { "
      + asked.map(function (iri) { return "<" + iri + ">"; }).join(" ")
      + " } ?iri rdfs:label ?l FILTER(LANG(?l) = \"\" || LANGMATCHES(LANG(?l), \"en\")) } GROUP BY ?iri";
    return fetch(endpoint, {
      method: "POST",
      headers: { Accept: "application/sparql-results+json" },
      body: new URLSearchParams({ query: query }),
    })
      .then(function (response) { return response.ok ? response.json() : { results: { bindings: [] } }; })
      .then(function (answer) {
        const labels = new Map();
        for (const row of answer.results.bindings) {
          if (row.iri && row.label) labels.set(row.iri.value, row.label.value);
        }
        return labels;
      })
      .catch(function () { return new Map(); });
  }

  // Each IRI's name in the pivot: its label, or its label and prefixed name when another
  // IRI of the results has the same label, or its prefixed name.
  function namesOf(iris, labels, prefixes) {
    const holders = new Map();
    for (const iri of iris) {
      const label = labels.get(iri);
      if (label) holders.set(label, (holders.get(label) || 0) + 1);
    }
    const names = new Map();
    for (const iri of iris) {
      const label = labels.get(iri);
      if (!label) names.set(iri, prefixed(iri, prefixes));
      else names.set(iri, holders.get(label) > 1 ? label + " (" + prefixed(iri, prefixes) + ")" : label);
    }
    return names;
  }

  // The columns of the results: which are numbers (every bound value a number, one at least)
  // and which of these are integers.
  function kindsOf(variables, bindings, xsd) {
    const kinds = {};
    for (const name of variables) {
      let bound = 0;
      let numbers = 0;
      let integers = 0;
      for (const row of bindings) {
        const term = row[name];
        if (!term) continue;
        bound += 1;
        const type = term.type === "literal" || term.type === "typed-literal" ? localName(term.datatype, xsd) : null;
        if (type && NUMERIC.has(type)) numbers += 1;
        if (type && INTEGER.has(type)) integers += 1;
      }
      kinds[name] = { numeric: bound > 0 && numbers === bound, integer: bound > 0 && integers === bound };
    }
    return kinds;
  }

  // One plain object per row, as PivotTable.js takes them. A number stays its lexical form
  // (the aggregators read it with parseFloat); an unbound number stays out, so it is skipped.
  function recordsOf(variables, bindings, kinds, names) {
    return bindings.map(function (row) {
      const record = {};
      for (const name of variables) {
        const term = row[name];
        if (!term) {
          if (!kinds[name].numeric) record[name] = NO_VALUE;
        } else if (term.type === "uri") {
          record[name] = names.get(term.value);
        } else if (term.type === "bnode") {
          record[name] = "_:" + term.value;
        } else {
          record[name] = term.value;
        }
      }
      return record;
    });
  }

  // The values of each text column in the order the results give them (the query's ORDER
  // BY), for rows, columns, bars and filter lists; numbers keep PivotTable.js's own order.
  function sortersOf(variables, records, kinds) {
    const sorters = {};
    for (const name of variables) {
      if (kinds[name].numeric) continue;
      const rank = new Map();
      for (const record of records) if (!rank.has(record[name])) rank.set(record[name], rank.size);
      sorters[name] = function (a, b) { return (rank.has(a) ? rank.get(a) : rank.size) - (rank.has(b) ? rank.get(b) : rank.size); };
    }
    return sorters;
  }

  // ------------------------------------------------------------------ charts

  // A renderer of PivotTable.js that draws the pivot with Chart.js: the row keys along the
  // axis, one series per column key (or the column keys along the axis when no row is
  // chosen), the aggregated value as the bar or point.
  function chartRenderer(Chart, type, stacked) {
    return function (pivotData) {
      // PivotTable.js puts the new view in place of the old one right after this returns:
      // then the charts no longer on the page are let go.
      queueMicrotask(function () {
        for (const old of Object.values(Chart.instances)) {
          if (!old.canvas.isConnected) old.destroy();
        }
      });
      let axis = pivotData.getRowKeys();
      let series = pivotData.getColKeys();
      let valueAt = function (x, s) { return pivotData.getAggregator(x, s).value(); };
      if (!axis.length && series.length) {
        axis = series;
        series = [];
        valueAt = function (x) { return pivotData.getAggregator([], x).value(); };
      }
      if (!axis.length) axis = [[]];
      const title = pivotData.aggregatorName + (pivotData.valAttrs.length ? " of " + pivotData.valAttrs.join(", ") : "");
      const datasets = (series.length ? series : [[]]).map(function (key, i) {
        const colour = PALETTE[i % PALETTE.length];
        return {
          label: key.join(" · ") || title,
          data: axis.map(function (x) { return valueAt(x, key); }),
          backgroundColor: colour,
          borderColor: colour,
        };
      });
      const whole = datasets.every(function (d) { return d.data.every(function (v) { return v === null || Number.isInteger(v); }); });
      const box = document.createElement("div");
      box.className = "evkg-chart";
      const canvas = document.createElement("canvas");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", title + " by " + (pivotData.rowAttrs.concat(pivotData.colAttrs).join(", ") || "all rows"));
      box.appendChild(canvas);
      new Chart(canvas, {
        type: type,
        data: { labels: axis.map(function (x) { return x.join(" · ") || "Total"; }), datasets: datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: {
            legend: { display: datasets.length > 1 },
            title: { display: true, text: title },
          },
          scales: {
            x: { stacked: stacked },
            // whole numbers (counts, integer sums) get whole ticks
            y: { stacked: stacked, beginAtZero: true, title: { display: true, text: title }, ticks: { precision: whole ? 0 : undefined } },
          },
        },
      });
      return box;
    };
  }

  // ------------------------------------------------------------------ the plugin

  // The pivot a result opens with: for one text and one numeric column, a bar chart of the
  // number by the text; otherwise a table, summing the first numeric column if there is
  // one, to drag columns into.
  function defaultsFor(variables, kinds) {
    const numbers = variables.filter(function (name) { return kinds[name].numeric; });
    const texts = variables.filter(function (name) { return !kinds[name].numeric; });
    const sum = numbers.length && kinds[numbers[0]].integer ? "Integer Sum" : "Sum";
    if (texts.length === 1 && numbers.length === 1) {
      return { rows: texts, cols: [], vals: numbers, aggregatorName: sum, rendererName: "Bar chart" };
    }
    if (numbers.length) return { rows: [], cols: [], vals: [numbers[0]], aggregatorName: sum, rendererName: "Table" };
    return { rows: [], cols: [], vals: [], aggregatorName: "Count", rendererName: "Table" };
  }

  function pivotIcon() {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("aria-hidden", "true");
    for (const [x, y, height] of [[1, 9, 6], [6, 4, 11], [11, 7, 8]]) {
      const bar = document.createElementNS(svg.namespaceURI, "rect");
      bar.setAttribute("x", x);
      bar.setAttribute("y", y);
      bar.setAttribute("width", 4);
      bar.setAttribute("height", height);
      bar.setAttribute("fill", "currentColor");
      svg.appendChild(bar);
    }
    const icon = document.createElement("div");
    icon.className = "evkg-pivot-icon";
    icon.appendChild(svg);
    return icon;
  }

  function register(Yasr, options) {
    const $ = window.jQuery;
    const Chart = window.Chart;
    if (!$ || !$.pivotUtilities || !Chart) return false;
    const renderers = Object.assign({}, $.pivotUtilities.renderers, {
      "Bar chart": chartRenderer(Chart, "bar", false),
      "Stacked bar chart": chartRenderer(Chart, "bar", true),
      "Line chart": chartRenderer(Chart, "line", false),
    });

    class Pivot {
      constructor(yasr) {
        this.yasr = yasr;
        this.priority = 5; // below the table: results open as a table, the pivot is a click away
        this.label = "Pivot / chart";
        this.hideFromSelection = false;
      }

      canHandleResults() {
        const results = this.yasr.results;
        if (!results || results.getError() || !["json", "xml", "csv", "tsv"].includes(results.getType())) return false;
        const variables = results.getVariables();
        return !!variables && variables.length > 0 && results.getBindings().length > 0;
      }

      getIcon() {
        return pivotIcon();
      }

      async draw(persistentConfig) {
        const results = this.yasr.results;
        const variables = results.getVariables();
        const bindings = results.getBindings();
        const prefixes = this.yasr.getPrefixes();
        const host = document.createElement("div");
        host.className = "evkg-pivot";
        this.yasr.resultsEl.appendChild(host);

        const iris = new Set();
        for (const row of bindings) {
          for (const name of variables) if (row[name] && row[name].type === "uri") iris.add(row[name].value);
        }
        const labels = await fetchLabels(options.endpoint, Array.from(iris));
        const kinds = kindsOf(variables, bindings, options.xsd);
        const records = recordsOf(variables, bindings, kinds, namesOf(iris, labels, prefixes));
        // The pivot the user last made in this tab, if it was over the same columns.
        const kept = persistentConfig && JSON.stringify(persistentConfig.columns) === JSON.stringify(variables);
        const start = kept ? persistentConfig : defaultsFor(variables, kinds);
        const yasr = this.yasr;
        $(host).pivotUI(records, {
          renderers: renderers,
          rows: start.rows,
          cols: start.cols,
          vals: start.vals,
          aggregatorName: start.aggregatorName,
          rendererName: start.rendererName,
          sorters: sortersOf(variables, records, kinds),
          hiddenFromAggregators: variables.filter(function (name) { return !kinds[name].numeric; }),
          unusedAttrsVertical: false,
          menuLimit: 500,
          onRefresh: function (config) {
            yasr.storePluginConfig("pivot", {
              columns: variables, rows: config.rows, cols: config.cols, vals: config.vals,
              aggregatorName: config.aggregatorName, rendererName: config.rendererName,
            });
          },
        }, true);
      }

      destroy() {
        for (const chart of Object.values(Chart.instances)) {
          if (this.yasr.resultsEl.contains(chart.canvas)) chart.destroy();
        }
      }
    }

    Yasr.registerPlugin("pivot", Pivot);
    return true;
  }

  window.evkgPivot = { register: register };
})();
