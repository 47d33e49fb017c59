// evkg graph page. Every piece of data reaches the DOM through textContent (never
// innerHTML); vis-network tooltips get Elements, built when first needed.
(function () {
  "use strict";
  const started = performance.now();
  const data = JSON.parse(document.getElementById("evkg-data").textContent);
  // ``phase`` (also document.body.dataset.evkgState) is "loading" until the first
  // settled drawing, "moving" while the view animates, then "settled"; ``moves`` counts
  // the finished animations. ``labels`` holds the labels drawn last, with their boxes.
  const state = { ready: false, stable: false, focused: null, timings: {}, errors: [],
    phase: "loading", moves: 0, labels: { nodes: [], edges: [] } };
  window.evkg = state;
  let animating = false;
  function setPhase(phase) {
    state.phase = phase;
    document.body.dataset.evkgState = phase;
  }
  setPhase("loading");

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

  // How each label is drawn: "lit", "dim" (faint) or "quiet" (not at all).
  const mood = new Map();

  // ``lit`` false dims the node; ``quiet`` also hides its label (while a node is spotlit).
  function nodeLook(n, lit, quiet) {
    const c = data.classes[n.cls];
    mood.set(n.id, lit ? "lit" : quiet ? "quiet" : "dim");
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
    };
  }

  function edgeLook(e, lit) {
    if (e.hl) {
      mood.set(e.id, "lit");
      return { id: e.id, width: 4, color: { color: PATH, highlight: PATH, hover: PATH, opacity: 1 } };
    }
    // The labels of dimmed edges are not drawn: they would cover the lit ones.
    mood.set(e.id, lit ? "lit" : "quiet");
    return { id: e.id, width: 1,
      color: { color: "#7d848f", highlight: "#222", hover: "#222", opacity: lit ? 0.85 : DIM } };
  }

  // vis-network draws nodes in the order given: the paths' nodes go last, on top. The
  // labels are not vis-network's: the page draws them (see "labels" below).
  const drawOrder = data.nodes.filter((n) => !n.hl).concat(data.nodes.filter((n) => n.hl));
  const nodes = new vis.DataSet(drawOrder.map((n) => Object.assign(nodeLook(n, !hasPath || n.hl), {
    shape: data.classes[n.cls].shape,
    size: n.hl ? n.size + 4 : n.size,
    x: n.x,
    y: n.y,
    // The small components stay in their strip beside the main one, out of the physics.
    physics: !n.pin,
    hl: !!n.hl,
    cls: n.cls,
    src: n.src,
  })));
  const edges = new vis.DataSet(data.edges.map((e) => Object.assign(edgeLook(e, !hasPath), {
    from: e.from,
    to: e.to,
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
        else item.appendChild(el("div", "cite-none", q.note || "No quote: this source states it as data."));
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
      stabilization: { enabled: true, iterations: 250, updateInterval: 50, fit: false },
    } : { enabled: false },
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big, keyboard: false },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.45 } },
      smooth: big ? false : { enabled: true, type: "continuous", roundness: 0.15 },
      selectionWidth: 1.5,
    },
  };
  const network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, options);
  Object.assign(state, { network, nodes, edges, nodesView, edgesView, data });

  // What is left on the canvas when every node is filtered out: a message, never a blank.
  const empty = el("div", "empty");
  empty.hidden = true;
  empty.setAttribute("role", "status");
  const emptyText = el("p");
  const emptyReset = el("button", null, "Show every class and source");
  emptyReset.type = "button";
  empty.appendChild(emptyText);
  empty.appendChild(emptyReset);
  container.appendChild(empty);

  // ------------------------------------------------------------------ the strip

  // Nodes outside the main component (``pin``) stand in a strip at its right: once the
  // physics has settled the main component, the strip moves next to it, as one block.
  function placeStrip() {
    const pinned = data.nodes.filter((n) => n.pin);
    if (!pinned.length || pinned.length === data.nodes.length) return;
    const pos = network.getPositions();
    const box = (list) => {
      const b = [Infinity, Infinity, -Infinity, -Infinity];
      for (const n of list) {
        const p = pos[n.id];
        b[0] = Math.min(b[0], p.x - n.size); b[1] = Math.min(b[1], p.y - n.size);
        b[2] = Math.max(b[2], p.x + n.size); b[3] = Math.max(b[3], p.y + n.size);
      }
      return b;
    };
    const main = box(data.nodes.filter((n) => !n.pin)), strip = box(pinned);
    const dx = main[2] + 140 - strip[0], dy = (main[1] + main[3]) / 2 - (strip[1] + strip[3]) / 2;
    for (const n of pinned) network.moveNode(n.id, pos[n.id].x + dx, pos[n.id].y + dy);
  }

  // Fit the shown nodes and the labels drawn at that zoom (labels keep their size on the
  // screen, so the zoom is found in a few rounds).
  function fitAll(animated) {
    const width = container.clientWidth, height = container.clientHeight;
    const body = network.body;
    const box = [Infinity, Infinity, -Infinity, -Infinity];
    for (const id of shownNodes) {
      const node = body.nodes[id];
      if (!node) continue;
      const r = node.options.size;
      box[0] = Math.min(box[0], node.x - r); box[1] = Math.min(box[1], node.y - r);
      box[2] = Math.max(box[2], node.x + r); box[3] = Math.max(box[3], node.y + r);
    }
    if (!(box[0] <= box[2]) || !width || !height) return;
    const zoom = (b) => Math.min(1.5, 0.97 * Math.min(width / Math.max(b[2] - b[0], 1), height / Math.max(b[3] - b[1], 1)));
    let scale = zoom(box), all = box;
    for (let round = 0; round < 3; round++) {
      all = box.slice();
      for (const label of cull(scale).nodes) {
        all[0] = Math.min(all[0], label.box[0] / scale); all[1] = Math.min(all[1], label.box[1] / scale);
        all[2] = Math.max(all[2], label.box[2] / scale); all[3] = Math.max(all[3], label.box[3] / scale);
      }
      scale = zoom(all);
    }
    const position = { x: (all[0] + all[2]) / 2, y: (all[1] + all[3]) / 2 };
    if (animated) {
      startMoving();
      network.moveTo({ position, scale, animation: { duration: 300, easingFunction: "easeInOutQuad" } });
    } else {
      network.moveTo({ position, scale });
    }
  }

  function startMoving() {
    animating = true;
    setPhase("moving");
  }
  network.on("animationFinished", () => {
    animating = false;
    state.moves += 1;
    relabel();
    if (state.stable) setPhase("settled");
  });

  function settle() {
    state.timings.stable = performance.now() - started;
    state.stable = true;
    relabel();
    if (!animating) setPhase("settled");
  }
  network.once("afterDrawing", () => {
    state.timings.firstDraw = performance.now() - started;
    state.ready = true;
    if (!data.physics) settle();
  });
  if (data.physics) {
    network.once("stabilizationIterationsDone", () => {
      network.setOptions({ physics: { enabled: false } });
      placeStrip();
      fitAll(false);
      settle();
    });
  }

  function hideTip() {
    const handler = network.interactionHandler;
    if (handler && handler.popup) {
      handler.popup.hide();
      handler.popupObj = undefined;
    }
    for (const tip of document.querySelectorAll("div.vis-tooltip")) tip.style.visibility = "hidden";
  }

  // ------------------------------------------------------------------ labels

  // The page draws the labels itself, after vis-network has drawn the graph: nodes on the
  // paths first, then the best-connected nodes, each label only where it covers no label
  // and no labelled node drawn before, at a size that stays readable when the whole
  // graph fits the screen (larger for larger hubs). Zoomed out, only the largest hubs
  // are labelled; every label shows once its own size on the screen is readable. Which
  // labels fit depends on the zoom alone, not on panning.
  const HUBS = 40;
  const READABLE = 9;
  const degree = new Map(data.nodes.map((n) => [n.id, 0]));
  for (const e of data.edges) {
    degree.set(e.from, (degree.get(e.from) || 0) + 1);
    degree.set(e.to, (degree.get(e.to) || 0) + 1);
  }
  let maxDegree = 1;
  for (const d of degree.values()) maxDegree = Math.max(maxDegree, d);
  const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1);
  const rank = data.nodes.slice().sort((a, b) => (b.hl ? 1 : 0) - (a.hl ? 1 : 0) ||
    (b.id === data.center ? 1 : 0) - (a.id === data.center ? 1 : 0) ||
    degree.get(b.id) - degree.get(a.id) || byName(a, b));
  const hubs = new Set(rank.filter((n) => degree.get(n.id) > 1).slice(0, HUBS).map((n) => n.id));
  const edgeRank = data.edges.filter((e) => e.hl).concat(data.edges.filter((e) => !e.hl));
  const FACE = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
  const ruler = document.createElement("canvas").getContext("2d");
  ruler.font = "100px " + FACE;
  const widths = new Map();
  function textWidth(text) {
    let w = widths.get(text);
    if (w === undefined) {
      w = ruler.measureText(text).width / 100;
      widths.set(text, w);
    }
    return w;
  }
  let edgeLabelsOn = data.edgeLabels;
  let shownNodes = new Set(data.nodes.map((n) => n.id));
  let culledAt = null;

  function relabel() {
    culledAt = null;
    network.redraw();
  }

  // Greedy placement on a grid of screen cells: a label goes where it overlaps nothing.
  function cull(scale) {
    const CELL = 64;
    const grid = new Map();
    const fits = (b) => {
      for (let cx = Math.floor(b[0] / CELL); cx <= Math.floor(b[2] / CELL); cx++) {
        for (let cy = Math.floor(b[1] / CELL); cy <= Math.floor(b[3] / CELL); cy++) {
          const list = grid.get(cx * 1048576 + cy);
          if (!list) continue;
          for (const o of list) if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) return false;
        }
      }
      return true;
    };
    const take = (b) => {
      for (let cx = Math.floor(b[0] / CELL); cx <= Math.floor(b[2] / CELL); cx++) {
        for (let cy = Math.floor(b[1] / CELL); cy <= Math.floor(b[3] / CELL); cy++) {
          const key = cx * 1048576 + cy;
          const list = grid.get(key);
          if (list) list.push(b);
          else grid.set(key, [b]);
        }
      }
    };
    const body = network.body;
    const out = { nodes: [], edges: [], scale };
    const spotlit = state.focused !== null;
    const shape = (node) => {
      const r = node.options.size * scale;
      return [node.x * scale - r, node.y * scale - r, node.x * scale + r, node.y * scale + r];
    };
    const tryNode = (n) => {
      const node = body.nodes[n.id];
      if (!node || !shownNodes.has(n.id)) return;
      const natural = n.font * scale;
      if (!(n.hl || n.id === data.center || hubs.has(n.id) || natural >= READABLE || (spotlit && mood.get(n.id) === "lit"))) return;
      const hub = Math.sqrt(degree.get(n.id) / maxDegree);
      const px = Math.max(11 + 7 * hub, Math.min(natural, n.font * 1.5));
      const w = textWidth(n.label) * px + 4, h = px * 1.25;
      const x = node.x * scale, y = (node.y + node.options.size) * scale + 2;
      const b = [x - w / 2, y, x + w / 2, y + h];
      // A hub keeps later labels off its shape even when its own label does not fit.
      const free = fits(b);
      if (free || hubs.has(n.id)) take(shape(node));
      if (!free) return;
      take(b);
      // Drawn at the node's place, ``px`` high on the screen whatever the zoom.
      out.nodes.push({ id: n.id, px, box: b, mood: mood.get(n.id), x: node.x, y: node.y + node.options.size, w, h });
    };
    const tryEdge = (e) => {
      const edge = body.edges[e.id];
      if (!edge || !edge.connected || !shownNodes.has(e.from) || !shownNodes.has(e.to)) return;
      if (!edgesView.get(e.id)) return;
      let p;
      try {
        p = edge.edgeType.getPoint(0.5);
      } catch (err) {
        p = { x: (edge.from.x + edge.to.x) / 2, y: (edge.from.y + edge.to.y) / 2 };
      }
      const px = Math.max(10, Math.min(11 * scale, 14));
      const w = textWidth(e.label) * px + 4, h = px * 1.25;
      const b = [p.x * scale - w / 2, p.y * scale - h / 2, p.x * scale + w / 2, p.y * scale + h / 2];
      if (!fits(b)) return;
      take(b);
      out.edges.push({ id: e.id, px, box: b, hl: !!e.hl, x: p.x, y: p.y, w, h });
    };
    for (const n of rank) if (n.hl && mood.get(n.id) !== "quiet") tryNode(n);
    if (edgeLabelsOn) for (const e of edgeRank) if (e.hl) tryEdge(e);
    for (const n of rank) if (!n.hl && mood.get(n.id) === "lit") tryNode(n);
    if (edgeLabelsOn) for (const e of edgeRank) if (!e.hl && mood.get(e.id) === "lit") tryEdge(e);
    for (const n of rank) if (!n.hl && mood.get(n.id) === "dim") tryNode(n);
    return out;
  }

  // While the zoom changes by small steps (a wheel, an animation), the labels placed at
  // a nearby zoom are drawn; the placement is redone for the zoom the view comes to rest at.
  let restTimer = null;
  network.on("afterDrawing", (ctx) => {
    const scale = network.getScale();
    if (!culledAt || Math.abs(Math.log(scale / culledAt.scale)) > 0.06) {
      culledAt = cull(scale);
      state.labels = culledAt;
    }
    if (culledAt.scale !== scale) {
      clearTimeout(restTimer);
      restTimer = setTimeout(relabel, 120);
    }
    const corner = network.DOMtoCanvas({ x: 0, y: 0 });
    const far = network.DOMtoCanvas({ x: container.clientWidth, y: container.clientHeight });
    const onScreen = (l, top) => {
      const hw = l.w / 2 / scale, y0 = top ? l.y : l.y - l.h / 2 / scale;
      return l.x - hw < far.x && corner.x < l.x + hw && y0 < far.y && corner.y < y0 + l.h / scale;
    };
    ctx.save();
    ctx.textAlign = "center";
    ctx.lineJoin = "round";
    ctx.lineWidth = 3 / scale;
    ctx.textBaseline = "top";
    for (const label of culledAt.nodes) {
      if (!onScreen(label, true)) continue;
      const dim = label.mood === "dim";
      ctx.font = (label.px / scale) + "px " + FACE;
      ctx.strokeStyle = dim ? "rgba(255,255,255,0.5)" : "#ffffff";
      ctx.fillStyle = dim ? "rgba(60,60,60,0.35)" : "#1d1d1f";
      const x = label.x, y = label.y + 2 / scale;
      const text = byId.get(label.id).label;
      ctx.strokeText(text, x, y);
      ctx.fillText(text, x, y);
    }
    ctx.textBaseline = "middle";
    for (const label of culledAt.edges) {
      if (!onScreen(label, false)) continue;
      ctx.font = (label.hl ? "600 " : "") + (label.px / scale) + "px " + FACE;
      ctx.strokeStyle = "#ffffff";
      ctx.fillStyle = label.hl ? PATH : "#3b3b3b";
      const x = label.x, y = label.y;
      const text = edgeById.get(label.id).label;
      ctx.strokeText(text, x, y);
      ctx.fillText(text, x, y);
    }
    ctx.restore();
  });
  network.on("dragging", relabel);
  network.on("dragEnd", relabel);

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
    relabel();
  }

  function restore() {
    nodes.update(data.nodes.map((n) => nodeLook(n, !hasPath || n.hl)));
    edges.update(data.edges.map((e) => edgeLook(e, !hasPath)));
    relabel();
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
    state.focused = id;
    network.selectNodes([id]);
    startMoving();
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: { duration: 300, easingFunction: "easeInOutQuad" } });
    spotlight(id);
    showSelection(nodeTip(n));
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
    shownNodes = shownIds;
    // A tooltip may belong to a node just hidden.
    hideTip();
    if (!shown) {
      const why = [];
      const count = (flags, one, many) => {
        const on = flags.filter(Boolean).length;
        if (on === flags.length) return;
        why.push(on ? on + " of " + flags.length + " " + many + " ticked" : "no " + one + " is ticked");
      };
      count(classOn, "class", "classes");
      count(sourceOn, "source", "sources");
      emptyText.textContent = data.nodes.length
        ? "No node matches the filters: " + (why.length ? why.join(", ") : "nothing is left") + "."
        : "This view has no nodes.";
      emptyReset.hidden = !data.nodes.length;
    }
    empty.hidden = shown > 0;
    relabel();
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
  labels.addEventListener("change", () => {
    edgeLabelsOn = labels.checked;
    relabel();
  });
  document.getElementById("fit").addEventListener("click", () => fitAll(true));
  document.getElementById("reset").addEventListener("click", () => {
    search.value = "";
    showResults();
    setAll(classOn, classBoxes, true);
    setAll(sourceOn, sourceBoxes, true);
    network.unselectAll();
    restore();
    showSelection(null);
    state.focused = null;
    fitAll(true);
  });
  emptyReset.addEventListener("click", () => {
    setAll(classOn, classBoxes, true);
    setAll(sourceOn, sourceBoxes, true);
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
  if (!data.physics) fitAll(false);
  if (data.center && byId.has(data.center)) network.selectNodes([data.center]);
})();
