// evkg graph page. Every piece of data reaches the DOM through textContent (never
// innerHTML); vis-network tooltips get Elements, built when first needed.
(function () {
  "use strict";
  const started = performance.now();
  const data = JSON.parse(document.getElementById("evkg-data").textContent);
  const state = { ready: false, stable: false, focused: null, timings: {}, errors: [] };
  window.evkg = state;

  const PATH = data.pathColor;
  const DIM = 0.15;
  const MAX_CITES = 6;
  const MAX_DETAILS = 14;
  const hasPath = data.edges.some((e) => e.hl);
  const big = !data.physics;

  // ------------------------------------------------------------------ helpers

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fold(text) {
    return String(text).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/['\u2019`\u00b4]/g, "").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const edgeById = new Map(data.edges.map((e) => [e.id, e]));

  // ------------------------------------------------------------------ vis items

  // ``lit`` false dims the node; ``quiet`` also hides its label (while a node is spotlit).
  function nodeLook(n, lit, quiet) {
    const c = data.classes[n.cls];
    const faint = quiet ? "rgba(0,0,0,0)" : "rgba(60,60,60,0.18)";
    return {
      id: n.id,
      opacity: lit ? 1 : DIM,
      borderWidth: n.hl ? 4 : 1,
      color: {
        background: c.color,
        border: n.hl ? PATH : "#3b3b3b",
        highlight: { background: c.color, border: "#111" },
        hover: { background: c.color, border: "#111" },
      },
      font: {
        size: n.font,
        color: lit ? "#1d1d1f" : faint,
        strokeColor: lit ? "#ffffff" : "rgba(255,255,255,0)",
      },
    };
  }

  function edgeLook(e, lit) {
    if (e.hl) {
      return { id: e.id, width: 4, color: { color: PATH, highlight: PATH, hover: PATH, opacity: 1 },
        font: { color: PATH } };
    }
    // The labels of dimmed edges are not drawn: they would cover the lit ones.
    return { id: e.id, width: 1,
      color: { color: "#7d848f", highlight: "#222", hover: "#222", opacity: lit ? 0.85 : DIM },
      font: lit ? { color: "#3b3b3b", strokeColor: "#ffffff" } : { color: "rgba(0,0,0,0)", strokeColor: "rgba(0,0,0,0)" } };
  }

  // vis-network draws nodes in the order given: the paths' nodes go last, on top.
  const drawOrder = data.nodes.filter((n) => !n.hl).concat(data.nodes.filter((n) => n.hl));
  const nodes = new vis.DataSet(drawOrder.map((n) => Object.assign(nodeLook(n, !hasPath || n.hl), {
    label: n.label,
    shape: data.classes[n.cls].shape,
    size: n.hl ? n.size + 4 : n.size,
    x: n.x,
    y: n.y,
    hl: !!n.hl,
    cls: n.cls,
    src: n.src,
  })));
  const edges = new vis.DataSet(data.edges.map((e) => Object.assign(edgeLook(e, !hasPath), {
    from: e.from,
    to: e.to,
    label: e.label,
    hl: !!e.hl,
    src: e.src,
  })));

  // ------------------------------------------------------------------ tooltips

  function citations(box, cites, src, count) {
    if (cites.length) {
      // count: how many sources the quotes come from, when more than one
      box.appendChild(el("div", "tip-h", count > 1 ? count + " sources" : cites.length === 1 ? "Source" : "Sources"));
      for (const i of cites.slice(0, MAX_CITES)) {
        const q = data.quotes[i];
        const item = el("div", "cite");
        item.appendChild(el("div", "cite-title", q.title || "(untitled source)"));
        if (q.quote) item.appendChild(el("blockquote", null, "\u201c" + q.quote + "\u201d"));
        else item.appendChild(el("div", "cite-none", "No quote: this source states it as data."));
        box.appendChild(item);
      }
      if (cites.length > MAX_CITES) box.appendChild(el("div", "muted", "and " + (cites.length - MAX_CITES) + " more"));
    } else if (src.length) {
      box.appendChild(el("div", "tip-h", "Mentioned in"));
      for (const i of src) box.appendChild(el("div", "cite-title", data.sources[i].title));
    }
  }

  function nodeTip(n) {
    const box = el("div", "tip");
    box.appendChild(el("strong", "tip-title", n.name));
    box.appendChild(el("div", "tip-type", [n.type, n.country].filter(Boolean).join(" \u00b7 ")));
    if (n.alt.length) box.appendChild(el("div", "tip-alt", "Also called: " + n.alt.join("; ")));
    if (n.details.length) {
      const list = el("dl");
      for (const [name, value] of n.details.slice(0, MAX_DETAILS)) {
        list.appendChild(el("dt", null, name));
        list.appendChild(el("dd", null, value));
      }
      box.appendChild(list);
    }
    citations(box, n.cites, n.src, n.nsrc);
    return box;
  }

  function edgeTip(e) {
    const box = el("div", "tip");
    const from = byId.get(e.from), to = byId.get(e.to);
    box.appendChild(el("strong", "tip-title",
      (from ? from.name : e.from) + " \u2014" + e.label + "\u2192 " + (to ? to.name : e.to)));
    box.appendChild(el("div", "tip-type", "relation: " + e.label + (e.hl ? " (on the path)" : "")));
    citations(box, e.cites, e.src, e.nsrc);
    return box;
  }

  // ------------------------------------------------------------------ filters

  const classOn = data.classes.map(() => true);
  const sourceOn = data.sources.map(() => true);
  const fromSources = (item) => item.src.length === 0 || item.src.some((i) => sourceOn[i]);
  const nodesView = new vis.DataView(nodes, { filter: (n) => classOn[n.cls] && fromSources(n) });
  const edgesView = new vis.DataView(edges, { filter: fromSources });

  // ------------------------------------------------------------------ the network

  const container = document.getElementById("graph");
  const options = {
    autoResize: true,
    layout: { improvedLayout: false, randomSeed: 7 },
    physics: data.physics ? {
      enabled: true,
      solver: "barnesHut",
      barnesHut: { gravitationalConstant: -3500, centralGravity: 0.25, springLength: 100, springConstant: 0.04, damping: 0.4, avoidOverlap: 0.2 },
      minVelocity: 1.5,
      stabilization: { enabled: true, iterations: 250, updateInterval: 50, fit: true },
    } : { enabled: false },
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big, keyboard: false },
    nodes: {
      font: { size: 13, face: "system-ui, sans-serif", strokeWidth: 3, strokeColor: "#ffffff" },
      scaling: { label: { drawThreshold: 7 } },
    },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.45 } },
      smooth: big ? false : { enabled: true, type: "continuous", roundness: 0.15 },
      font: { size: data.edgeLabels ? 11 : 0, align: "middle", strokeWidth: 3, strokeColor: "#ffffff" },
      selectionWidth: 1.5,
    },
  };
  const network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, options);
  Object.assign(state, { network, nodes, edges, nodesView, edgesView, data });

  network.once("afterDrawing", () => {
    state.timings.firstDraw = performance.now() - started;
    state.ready = true;
    if (!data.physics) {
      state.timings.stable = state.timings.firstDraw;
      state.stable = true;
    }
  });
  if (data.physics) {
    network.once("stabilizationIterationsDone", () => {
      network.setOptions({ physics: { enabled: false } });
      state.timings.stable = performance.now() - started;
      state.stable = true;
    });
  }

  const tipped = new Set();
  network.on("hoverNode", (p) => {
    if (!tipped.has(p.node) && byId.has(p.node)) {
      tipped.add(p.node);
      nodes.update({ id: p.node, title: nodeTip(byId.get(p.node)) });
    }
  });
  network.on("hoverEdge", (p) => {
    if (!tipped.has(p.edge) && edgeById.has(p.edge)) {
      tipped.add(p.edge);
      edges.update({ id: p.edge, title: edgeTip(edgeById.get(p.edge)) });
    }
  });

  // ------------------------------------------------------------------ spotlight

  function spotlight(id) {
    const litNodes = new Set([id].concat(network.getConnectedNodes(id)));
    const litEdges = new Set(network.getConnectedEdges(id));
    nodes.update(data.nodes.map((n) => nodeLook(n, litNodes.has(n.id), true)));
    edges.update(data.edges.map((e) => edgeLook(e, litEdges.has(e.id))));
  }

  function restore() {
    nodes.update(data.nodes.map((n) => nodeLook(n, !hasPath || n.hl)));
    edges.update(data.edges.map((e) => edgeLook(e, !hasPath)));
  }

  const selection = document.getElementById("selection");
  const selectionBody = document.getElementById("selection-body");
  function showSelection(content) {
    selectionBody.replaceChildren();
    if (content) {
      selectionBody.appendChild(content);
      selection.hidden = false;
    } else {
      selection.hidden = true;
    }
  }

  network.on("click", (p) => {
    if (p.nodes.length) {
      state.focused = p.nodes[0];
      spotlight(p.nodes[0]);
      showSelection(nodeTip(byId.get(p.nodes[0])));
    } else if (p.edges.length) {
      showSelection(edgeTip(edgeById.get(p.edges[0])));
    } else {
      state.focused = null;
      restore();
      showSelection(null);
    }
  });

  function focusNode(id) {
    const n = byId.get(id);
    if (!n) return false;
    if (!classOn[n.cls]) setClass(n.cls, true);
    if (!fromSources(n)) setSource(n.src[0], true);
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: { duration: 300, easingFunction: "easeInOutQuad" } });
    spotlight(id);
    showSelection(nodeTip(n));
    state.focused = id;
    return true;
  }
  state.focus = focusNode;

  // ------------------------------------------------------------------ search

  const names = data.nodes.map((n) => ({ id: n.id, keys: [fold(n.name)].concat(n.alt.map(fold)) }));
  function find(text) {
    const q = fold(text);
    if (!q) return [];
    const scored = [];
    for (const item of names) {
      let best = 9;
      for (const k of item.keys) {
        if (k === q) best = Math.min(best, 0);
        else if (k.startsWith(q)) best = Math.min(best, 1);
        else if (k.split(" ").some((w) => w.startsWith(q))) best = Math.min(best, 2);
        else if (k.includes(q)) best = Math.min(best, 3);
      }
      if (best < 9) scored.push([best, byId.get(item.id).name.length, byId.get(item.id).name, item.id]);
    }
    scored.sort((a, b) => a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0));
    return scored.slice(0, 12).map((s) => s[3]);
  }

  const search = document.getElementById("search");
  const results = document.getElementById("search-results");
  function showResults() {
    results.replaceChildren();
    const found = find(search.value);
    if (search.value.trim() && !found.length) results.appendChild(el("li", "muted", "No entity matches."));
    for (const id of found) {
      const n = byId.get(id);
      const button = el("button");
      button.type = "button";
      button.appendChild(el("span", null, n.name + " "));
      button.appendChild(el("span", "type", n.type));
      button.addEventListener("click", () => focusNode(id));
      const li = el("li");
      li.appendChild(button);
      results.appendChild(li);
    }
    return found;
  }
  search.addEventListener("input", showResults);
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      const found = showResults();
      if (found.length) focusNode(found[0]);
    } else if (event.key === "Escape") {
      search.value = "";
      showResults();
    }
  });

  // ------------------------------------------------------------------ legend and filters

  const SVG = "http://www.w3.org/2000/svg";
  function swatch(shape, color) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("viewBox", "0 0 16 16");
    const points = {
      square: "2,2 14,2 14,14 2,14",
      diamond: "8,1 15,8 8,15 1,8",
      triangle: "8,1.5 15,14.5 1,14.5",
      triangleDown: "1,1.5 15,1.5 8,14.5",
      star: "8,1 10,6 15,6 11,9.5 12.5,15 8,11.5 3.5,15 5,9.5 1,6 6,6",
      hexagon: "4,1.5 12,1.5 15.5,8 12,14.5 4,14.5 0.5,8",
    }[shape];
    const mark = document.createElementNS(SVG, points ? "polygon" : "circle");
    if (points) mark.setAttribute("points", points);
    else {
      mark.setAttribute("cx", "8");
      mark.setAttribute("cy", "8");
      mark.setAttribute("r", "6.5");
    }
    mark.setAttribute("fill", color);
    mark.setAttribute("stroke", "#3b3b3b");
    svg.appendChild(mark);
    return svg;
  }

  const classBoxes = [];
  const legend = document.getElementById("legend");
  let family = null;
  data.classes.forEach((c, i) => {
    if (c.family !== family) {
      family = c.family;
      legend.appendChild(el("div", "family", c.familyLabel));
    }
    const row = el("label", "legend-row");
    const box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.addEventListener("change", () => setClass(i, box.checked));
    classBoxes.push(box);
    row.appendChild(box);
    row.appendChild(swatch(c.shape, c.color));
    row.appendChild(el("span", null, c.label));
    row.appendChild(el("span", "count", c.count));
    legend.appendChild(row);
  });

  const sourceBoxes = [];
  const sourceList = document.getElementById("source-filter");
  data.sources.forEach((s, i) => {
    const row = el("label", "source-row");
    const box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.addEventListener("change", () => setSource(i, box.checked));
    sourceBoxes.push(box);
    row.appendChild(box);
    const text = el("span");
    text.appendChild(el("span", "title", s.title));
    text.appendChild(el("span", "id", s.id + " "));
    text.appendChild(el("span", "count", s.nodes + " nodes, " + s.edges + " edges"));
    row.appendChild(text);
    sourceList.appendChild(row);
  });
  if (!data.sources.length) sourceList.appendChild(el("div", "muted", "No source information."));

  const summary = document.getElementById("summary");
  const fmt = (n) => n.toLocaleString("en-US");
  function refresh() {
    nodesView.refresh();
    edgesView.refresh();
    const shown = nodesView.length;
    const shownIds = new Set(nodesView.getIds());
    const shownEdges = edgesView.get().filter((e) => shownIds.has(e.from) && shownIds.has(e.to)).length;
    const parts = [];
    if (shown === data.nodes.length && shownEdges === data.edges.length) {
      parts.push(fmt(shown) + " nodes, " + fmt(shownEdges) + " edges");
    } else {
      parts.push("showing " + fmt(shown) + " of " + fmt(data.nodes.length) + " nodes, " +
        fmt(shownEdges) + " of " + fmt(data.edges.length) + " edges (filters below)");
    }
    if (data.nodes.length !== data.counts.totalNodes || data.edges.length !== data.counts.totalEdges) {
      parts.push("the whole graph has " + fmt(data.counts.totalNodes) + " nodes, " + fmt(data.counts.totalEdges) + " edges");
    }
    summary.textContent = parts.concat(data.filters).join(" \u00b7 ");
    state.shown = { nodes: shown, edges: shownEdges };
  }
  function setClass(i, on) {
    classOn[i] = on;
    classBoxes[i].checked = on;
    refresh();
  }
  function setSource(i, on) {
    sourceOn[i] = on;
    sourceBoxes[i].checked = on;
    refresh();
  }
  function setAll(flags, boxes, on) {
    flags.fill(on);
    boxes.forEach((b) => { b.checked = on; });
    refresh();
  }
  state.setClass = setClass;
  state.setSource = setSource;
  document.getElementById("classes-all").addEventListener("click", () => setAll(classOn, classBoxes, true));
  document.getElementById("classes-none").addEventListener("click", () => setAll(classOn, classBoxes, false));
  document.getElementById("sources-all").addEventListener("click", () => setAll(sourceOn, sourceBoxes, true));
  document.getElementById("sources-none").addEventListener("click", () => setAll(sourceOn, sourceBoxes, false));

  const labels = document.getElementById("edge-labels");
  labels.checked = data.edgeLabels;
  labels.addEventListener("change", () => network.setOptions({ edges: { font: { size: labels.checked ? 11 : 0 } } }));
  document.getElementById("fit").addEventListener("click", () => network.fit({ animation: { duration: 300 } }));
  document.getElementById("reset").addEventListener("click", () => {
    search.value = "";
    showResults();
    setAll(classOn, classBoxes, true);
    setAll(sourceOn, sourceBoxes, true);
    network.unselectAll();
    restore();
    showSelection(null);
    state.focused = null;
    network.fit({ animation: { duration: 300 } });
  });

  // ------------------------------------------------------------------ path panel

  if (data.paths) {
    const panel = document.getElementById("path-panel");
    const body = document.getElementById("path-body");
    panel.hidden = false;
    if (!data.paths.length) {
      body.appendChild(el("p", null, "No path from " + data.pathFrom + " to " + data.pathTo + ": " + data.pathReason));
    }
    data.paths.forEach((p, number) => {
      if (data.paths.length > 1) body.appendChild(el("h3", null, "Path " + (number + 1) + " (" + p.length + " hop" + (p.length === 1 ? "" : "s") + ")"));
      for (const hop of p.hops) {
        const line = el("div", "hop");
        const name = (id) => {
          const link = el("button", "link", p.nodes[id] || id);
          link.type = "button";
          link.addEventListener("click", () => focusNode(id));
          return link;
        };
        line.appendChild(name(hop.from));
        line.appendChild(el("span", "rel", " \u2014" + hop.label + "\u2192 "));
        line.appendChild(name(hop.to));
        citations(line, hop.cites, [], hop.nsrc);
        body.appendChild(line);
      }
    });
  }

  refresh();
  if (data.center && byId.has(data.center)) network.selectNodes([data.center]);
})();
