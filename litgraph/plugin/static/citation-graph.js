/* Draws /-/citation-graph.json with vis-network (served by the litgraph plugin).
 *
 * An edge that several origins state is drawn once per origin (parallel lines,
 * each in its origin's style); a rewrite is drawn linked to the document it
 * restates.  Labels: documents and the highest-PageRank nodes carry theirs;
 * every other node shows its label while hovered.
 *
 * When the first drawing is done the container carries data-nodes-drawn,
 * data-edges-drawn (citing -> cited pairs), data-lines-drawn (one per origin
 * of each pair, plus the rewrite links) and data-origins-drawn, and
 * data-stable once the layout has settled; the browser test reads them. */
(function () {
  "use strict";

  var LEVEL_COLOURS = {1: "#1a9850", 2: "#91cf60", 3: "#fee08b", 4: "#fc8d59", 5: "#d73027"};
  var UNKNOWN_COLOUR = "#bdbdbd";
  var DOCUMENT_COLOUR = "#4575b4";
  // Edge style by origin, strongest testimony first (a document's own list).
  var ORIGINS = [
    ["document", {color: "#333333", dashes: false}],
    ["pubmed-references", {color: "#2c7f5a", dashes: [2, 4]}],
    ["elink-refs", {color: "#4575b4", dashes: [8, 4]}],
    ["elink-citedin", {color: "#8e44ad", dashes: [8, 4]}]
  ];

  var RESTATES = {color: "#e67e22", dashes: [2, 3], width: 3};
  var LABELLED_NODES = 12;  // documents plus this many highest-PageRank nodes keep a label

  var container = document.getElementById("citation-graph");
  var status = document.getElementById("litgraph-graph-status");

  function shortLabel(node) {
    var text = node.kind === "source" || node.kind === "document" ? (node.title || node.id) : node.id;
    return text.length > 32 ? text.slice(0, 30) + "…" : text;
  }

  function nodeStyle(node, labelled) {
    var tooltip = [node.title || node.id, node.kind + (node.year ? ", " + node.year : ""),
                   "evidence level: " + (node.evidence_level || "unknown"),
                   "PageRank: " + (node.pagerank == null ? "\u2014" : node.pagerank.toFixed(4))];
    var style = {
      id: node.id,
      label: labelled ? shortLabel(node) : "",
      fullLabel: shortLabel(node),
      title: tooltip.join("\n"),
      value: node.pagerank || 0,
      url: node.url,
      font: {size: 12, background: "rgba(255,255,255,0.85)"}
    };
    if (node.kind === "document") {
      style.shape = "box";
      style.color = DOCUMENT_COLOUR;
      style.font = {color: "#ffffff", size: 12};
    } else if (node.document) {
      // A document that is itself a publication: a box, coloured by its level.
      style.shape = "box";
      style.color = {background: LEVEL_COLOURS[node.evidence_level] || UNKNOWN_COLOUR,
                     border: DOCUMENT_COLOUR};
      style.borderWidth = 3;
      style.title += "\ndocument " + node.document;
    } else {
      style.shape = node.kind === "source" ? "dot" : "triangle";
      style.color = LEVEL_COLOURS[node.evidence_level] || UNKNOWN_COLOUR;
    }
    return style;
  }

  function originStyle(origin) {
    for (var i = 0; i < ORIGINS.length; i++) {
      if (ORIGINS[i][0] === origin) { return ORIGINS[i][1]; }
    }
    return {color: "#999999", dashes: [1, 3]};
  }

  // One line per origin of an edge: the first straight, the others curved apart.
  function edgeStyles(link) {
    var ordered = ORIGINS.map(function (o) { return o[0]; })
      .filter(function (o) { return link.origins.indexOf(o) !== -1; })
      .concat(link.origins.filter(function (o) {
        return ORIGINS.every(function (known) { return known[0] !== o; });
      }));
    return ordered.map(function (origin, i) {
      var style = originStyle(origin);
      return {
        id: link.from + " -> " + link.to + " #" + origin,
        from: link.from,
        to: link.to,
        origin: origin,
        arrows: "to",
        title: "origin: " + origin + (ordered.length > 1 ?
          " (stated by " + ordered.length + " origins: " + ordered.join(", ") + ")" : ""),
        color: {color: style.color, opacity: 0.8},
        dashes: style.dashes,
        smooth: i === 0 ? false :
          {enabled: true, type: i % 2 ? "curvedCW" : "curvedCCW", roundness: 0.12 * Math.ceil(i / 2)}
      };
    });
  }

  function restatementStyle(link) {
    return {
      id: link.from + " restates " + link.to,
      from: link.from,
      to: link.to,
      origin: "restates",
      arrows: "to",
      title: link.rewrite + " is a rewrite of " + link.original,
      color: {color: RESTATES.color, opacity: 0.9},
      dashes: RESTATES.dashes,
      width: RESTATES.width,
      smooth: {enabled: true, type: "curvedCW", roundness: 0.3}
    };
  }

  function draw(graph) {
    var ranked = graph.nodes.filter(function (n) { return n.kind !== "document"; })
      .sort(function (a, b) { return (b.pagerank || 0) - (a.pagerank || 0); })
      .slice(0, LABELLED_NODES).map(function (n) { return n.id; });
    var nodes = new vis.DataSet(graph.nodes.map(function (node) {
      return nodeStyle(node, node.kind === "document" || Boolean(node.document) ||
                       ranked.indexOf(node.id) !== -1);
    }));
    var lines = [];
    graph.links.forEach(function (link) { lines = lines.concat(edgeStyles(link)); });
    (graph.restatements || []).forEach(function (link) { lines.push(restatementStyle(link)); });
    var edges = new vis.DataSet(lines);
    // Handlers first, data second: stabilisation starts with setData.
    var network = new vis.Network(container, {}, {
      nodes: {scaling: {min: 8, max: 40}, font: {size: 12}},
      edges: {smooth: false, width: 1},
      interaction: {hover: true, tooltipDelay: 150, navigationButtons: false},
      physics: {solver: "forceAtlas2Based", stabilization: {iterations: 200, updateInterval: 50}}
    });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: false});
      container.setAttribute("data-stable", "true");
    });
    // Count what the network itself holds once it has drawn, not the input.
    var counted = false;
    network.on("afterDrawing", function () {
      if (counted) { return; }
      var drawn = Object.keys(network.getPositions()).length;
      if (drawn === 0 && nodes.length > 0) { return; }
      counted = true;
      var drawnEdges = Object.keys(network.body.edges).map(function (id) { return edges.get(id); })
        .filter(function (edge) { return edge; });
      var pairs = {}, origins = {};
      drawnEdges.forEach(function (edge) {
        origins[edge.origin] = true;
        if (edge.origin !== "restates") { pairs[edge.from + " -> " + edge.to] = true; }
      });
      container.setAttribute("data-nodes-drawn", String(drawn));
      container.setAttribute("data-edges-drawn", String(Object.keys(pairs).length));
      container.setAttribute("data-lines-drawn", String(drawnEdges.length));
      container.setAttribute("data-origins-drawn", Object.keys(origins).sort().join(","));
    });
    // A node without a label shows it while hovered.
    network.on("hoverNode", function (params) {
      var node = nodes.get(params.node);
      if (node && !node.label) { nodes.update({id: node.id, label: node.fullLabel, hovered: true}); }
    });
    network.on("blurNode", function (params) {
      var node = nodes.get(params.node);
      if (node && node.hovered) { nodes.update({id: node.id, label: "", hovered: false}); }
    });
    network.on("click", function (params) {
      if (params.nodes.length === 1) {
        var node = nodes.get(params.nodes[0]);
        if (node && node.url) { window.location.href = node.url; }
      }
    });
    network.setData({nodes: nodes, edges: edges});
    var restated = (graph.restatements || []).length;
    status.textContent = graph.nodes.length + " of " + graph.total_nodes + " nodes and " +
      graph.links.length + " edges drawn" +
      (graph.truncated ? " (the highest-PageRank nodes)" : "") + ": " +
      (lines.length - restated) + " lines, one per origin that states an edge" +
      (restated ? ", and " + restated + " rewrite link" + (restated > 1 ? "s" : "") : "") + ".";
    window.litgraphCitationGraph = {network: network, nodes: nodes, edges: edges};
  }

  fetch(container.getAttribute("data-src"), {credentials: "same-origin"})
    .then(function (response) {
      if (!response.ok) { throw new Error("graph data: HTTP " + response.status); }
      return response.json();
    })
    .then(draw)
    .catch(function (error) {
      status.textContent = "The graph could not be drawn: " + error.message;
      container.setAttribute("data-error", error.message);
    });
})();
