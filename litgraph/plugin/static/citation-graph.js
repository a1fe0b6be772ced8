/* Draws /-/citation-graph.json with vis-network (served by the litgraph plugin).
 *
 * When the first drawing is done the container carries data-nodes-drawn and
 * data-edges-drawn, and data-stable once the layout has settled; the browser
 * test reads them. */
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

  var container = document.getElementById("citation-graph");
  var status = document.getElementById("litgraph-graph-status");

  function shortLabel(node) {
    var text = node.kind === "source" || node.kind === "document" ? (node.title || node.id) : node.id;
    return text.length > 32 ? text.slice(0, 30) + "…" : text;
  }

  function nodeStyle(node) {
    var tooltip = [node.title || node.id, node.kind + (node.year ? ", " + node.year : ""),
                   "evidence level: " + (node.evidence_level || "unknown"),
                   "PageRank: " + (node.pagerank == null ? "—" : node.pagerank.toFixed(4))];
    var style = {
      id: node.id,
      label: shortLabel(node),
      title: tooltip.join("\n"),
      value: node.pagerank || 0,
      url: node.url
    };
    if (node.kind === "document") {
      style.shape = "box";
      style.color = DOCUMENT_COLOUR;
      style.font = {color: "#ffffff"};
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

  function edgeStyle(link) {
    var style = ORIGINS[ORIGINS.length - 1][1];
    for (var i = 0; i < ORIGINS.length; i++) {
      if (link.origins.indexOf(ORIGINS[i][0]) !== -1) { style = ORIGINS[i][1]; break; }
    }
    return {
      from: link.from,
      to: link.to,
      arrows: "to",
      title: "origin: " + link.origins.join(", "),
      color: {color: style.color, opacity: 0.7},
      dashes: style.dashes
    };
  }

  function draw(graph) {
    var nodes = new vis.DataSet(graph.nodes.map(nodeStyle));
    var edges = new vis.DataSet(graph.links.map(edgeStyle));
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
      container.setAttribute("data-nodes-drawn", String(drawn));
      container.setAttribute("data-edges-drawn", String(Object.keys(network.body.edges).length));
    });
    network.on("click", function (params) {
      if (params.nodes.length === 1) {
        var node = nodes.get(params.nodes[0]);
        if (node && node.url) { window.location.href = node.url; }
      }
    });
    network.setData({nodes: nodes, edges: edges});
    status.textContent = graph.nodes.length + " of " + graph.total_nodes + " nodes and " +
      graph.links.length + " links drawn" + (graph.truncated ? " (the highest-PageRank nodes)." : ".");
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
