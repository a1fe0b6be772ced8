"""The citation graph: nodes and citing -> cited links from the database and E-utilities.

``build_graph(db, client)`` is the stage the ``graph`` command runs:

1. ``read_reference_graph(db)`` turns what the documents state into nodes and
   links of origin ``document``: a document cites each source in its list; a
   PubMed record page's "Citing Articles" cite the page's own article.
2. ``add_entrez_links(graph, client)`` asks elink (``pubmed_pubmed_refs``,
   ``pubmed_pubmed_citedin``) and the PubMed reference lists about every
   resolved PMID, in batches, and keeps the works outside the reference set
   they reach as ``external`` nodes, up to a depth and a cap.
3. The metrics of ``litgraph.graph.metrics`` are computed on the NetworkX graph.
4. ``save_graph(db, ...)`` replaces nodes, links, metrics and the pair tables
   in one transaction: a reader sees the old graph or the new one, never half.

A link keeps every origin that states it: one row per (citing, cited, origin).
"""

import logging
import re
from dataclasses import dataclass, field

import networkx as nx

from ..errors import EntrezError, InputError
from .metrics import cocitation_pairs, compute_metrics, coupling_pairs, document_cohesion

__all__ = [
    "ORIGINS", "ReferenceGraph", "read_reference_graph", "add_entrez_links", "to_networkx",
    "save_graph", "build_graph", "external_id", "citation_direction",
    "compute_metrics", "cocitation_pairs", "coupling_pairs", "document_cohesion",
]

log = logging.getLogger(__name__)

ORIGINS = ("document", "elink-refs", "elink-citedin", "pubmed-references", "bulk")
REFS_LINK = "pubmed_pubmed_refs"
CITEDIN_LINK = "pubmed_pubmed_citedin"
GRAPH_TABLES = ("nodes", "links", "metrics", "cocitations", "couplings", "document_cohesion")
NODE_COLUMNS = ("id", "kind", "title", "year", "pmid", "doi", "evidence_level", "synthetic")
METRIC_COLUMNS = ("node_id", "kind", "in_degree", "out_degree", "in_degree_set", "out_degree_set",
                  "pagerank", "betweenness", "betweenness_method", "component", "engine")
ENGINES = ("networkx", "spark")
TOP_PAIRS = 1000
WRITE_BATCH = 50_000

# A citation whose label says the listed work cites the document ("Citing
# Articles" on a PubMed record page, "Cited by", "Cited in") points the other way.
_CITED_BY_LABEL = re.compile(r"\bciting\b|\bcited[\s_-]*(?:by|in)\b", re.I)


def citation_direction(label) -> str:
    """``"cites"`` when the document cites the listed source, ``"cited-by"`` when the source cites it.

    >>> citation_direction("[3]"), citation_direction("Citing Articles")
    ('cites', 'cited-by')
    """
    return "cited-by" if label and _CITED_BY_LABEL.search(str(label)) else "cites"


def external_id(pmid) -> str:
    """The node id of a work outside the reference set: ``pmid:<n>``."""
    return f"pmid:{pmid}"


@dataclass
class ReferenceGraph:
    """Nodes and links gathered so far, before metrics.

    ``nodes`` maps node id to its row; ``links`` holds (citing, cited, origin)
    triples; ``set_nodes`` are the sources and documents of the reference set;
    ``documents`` maps a document id to the node ids of the sources it lists;
    ``pmid_nodes`` maps a PMID to its node.
    """

    nodes: dict = field(default_factory=dict)
    links: set = field(default_factory=set)
    set_nodes: set = field(default_factory=set)
    documents: dict = field(default_factory=dict)
    pmid_nodes: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    messages: list = field(default_factory=list)  # E-utilities calls that failed, with the reason

    def add_link(self, citing, cited, origin) -> bool:
        if citing == cited or citing not in self.nodes or cited not in self.nodes:
            return False
        self.links.add((citing, cited, origin))
        return True


def read_reference_graph(db) -> ReferenceGraph:
    """Nodes for every source and document, and the ``document`` links they state.

    A document that is itself a publication (``documents.source_id``) is its
    source's node; any other document is a node of kind ``document``.
    Sources a curator excluded, and stale ones (no document cites them any
    more), are left out of the graph.
    """
    graph = ReferenceGraph()
    sources = {}
    for row in db.query("select * from sources order by id"):
        if row.get("excluded") or row.get("stale"):
            continue
        sources[row["id"]] = row
        graph.nodes[row["id"]] = {
            "id": row["id"], "kind": "source", "title": row.get("title"), "year": row.get("year"),
            "pmid": row.get("pmid"), "doi": row.get("doi"),
            "evidence_level": row.get("evidence_level"), "synthetic": 0,
        }
        graph.set_nodes.add(row["id"])
        if row.get("pmid") and row.get("status") in (None, "resolved"):
            graph.pmid_nodes.setdefault(str(row["pmid"]), row["id"])
    document_node = {}
    for row in db.query("select * from documents order by id"):
        if row.get("source_id") and row["source_id"] in sources:
            document_node[row["id"]] = row["source_id"]
        else:
            document_node[row["id"]] = row["id"]
            graph.nodes[row["id"]] = {"id": row["id"], "kind": "document", "title": row.get("title"),
                                      "year": None, "pmid": None, "doi": None, "evidence_level": None,
                                      "synthetic": 0}
        graph.set_nodes.add(document_node[row["id"]])
        graph.documents[row["id"]] = set()
    # One direction per (document, source): a work listed under "Citing Articles"
    # cites the document even where another line (a "Fetch PMID" link) names it too.
    directions = {}
    for row in db.query("select document_id, source_id, label from citations "
                        "order by document_id, line, source_id"):
        node = document_node.get(row["document_id"])
        if node is None or row["source_id"] not in sources or row["source_id"] == node:
            continue
        graph.documents[row["document_id"]].add(row["source_id"])
        pair = (node, row["source_id"])
        if directions.get(pair) != "cited-by":
            directions[pair] = citation_direction(row["label"])
    for (node, source_id), direction in directions.items():
        if direction == "cited-by":
            graph.add_link(source_id, node, "document")
        else:
            graph.add_link(node, source_id, "document")
    return graph


def _as_pmid(value):
    text = str(value).strip()
    return text if text.isdigit() and not text.startswith("0") else None


def _ask(graph, what, call, *args):
    """Call the client; a failure after every retry is recorded in graph.messages, not fatal."""
    try:
        return call(*args) or {}
    except EntrezError as exc:
        graph.messages.append(f"{what} failed, its links are missing from the graph: {exc}")
        graph.counts["entrez_failures"] = graph.counts.get("entrez_failures", 0) + 1
        return {}


def _fetch_references(graph, client, pmids) -> dict:
    """PMID -> the PMIDs of its PubMed ReferenceList, for the records efetch returns."""
    if not pmids or not hasattr(client, "fetch_pubmed"):
        return {}
    result = _ask(graph, "efetch (reference lists)", client.fetch_pubmed, list(pmids))
    for pmid, reason in sorted((getattr(result, "failed", None) or {}).items()):
        graph.messages.append(f"efetch of PMID {pmid} failed, its reference list is missing: {reason}")
    records = getattr(result, "records", result) or {}
    out = {}
    for pmid, record in records.items():
        references = getattr(record, "references", None)
        if references is None and isinstance(record, dict):
            references = record.get("references")
        out[str(pmid)] = [p for p in (_as_pmid(r) for r in references or []) if p]
    return out


def add_entrez_links(graph: ReferenceGraph, client, depth=1, cap=500) -> None:
    """Add elink and PubMed reference-list links, and the external works they reach.

    Each step asks ``client.elink`` once per link name for the whole frontier
    (the client batches PMIDs, one request per batch) and
    ``client.fetch_pubmed`` for the reference lists.  Works outside the
    reference set become ``external`` nodes while fewer than ``depth`` steps
    away and while fewer than ``cap`` have been admitted; the most linked are
    admitted first (ties: lowest PMID).  Links to works left out are dropped
    and counted in ``graph.counts["links_beyond_cap"]``.  ``depth=0`` asks
    about the reference set but admits nothing; the works admitted at the
    last step are not asked about themselves (links among them are missed).
    """
    admitted = 0
    beyond = 0
    frontier = sorted(graph.pmid_nodes, key=int)
    for step in range(max(depth, 1)):  # the works admitted last are not asked about
        if not frontier:
            break
        found = []  # (citing pmid, cited pmid, origin)
        refs = _ask(graph, f"elink {REFS_LINK}", client.elink, frontier, REFS_LINK)
        for pmid, cited in refs.items():
            found.extend((str(pmid), c, "elink-refs") for c in map(_as_pmid, cited) if c)
        citedin = _ask(graph, f"elink {CITEDIN_LINK}", client.elink, frontier, CITEDIN_LINK)
        for pmid, citing in citedin.items():
            found.extend((c, str(pmid), "elink-citedin") for c in map(_as_pmid, citing) if c)
        for pmid, cited in _fetch_references(graph, client, frontier).items():
            found.extend((pmid, c, "pubmed-references") for c in cited)
        reach = {}
        for citing, cited, _origin in found:
            for pmid in (citing, cited):
                if pmid not in graph.pmid_nodes:
                    reach[pmid] = reach.get(pmid, 0) + 1
        new = []
        if step < depth:
            ranked = sorted(reach, key=lambda p: (-reach[p], int(p)))
            new = ranked[:max(0, cap - admitted)]
            admitted += len(new)
            for pmid in new:
                node = external_id(pmid)
                graph.pmid_nodes[pmid] = node
                graph.nodes[node] = {"id": node, "kind": "external", "title": None, "year": None,
                                     "pmid": pmid, "doi": None, "evidence_level": None,
                                     "synthetic": 0}
        for citing, cited, origin in found:
            if citing in graph.pmid_nodes and cited in graph.pmid_nodes:
                graph.add_link(graph.pmid_nodes[citing], graph.pmid_nodes[cited], origin)
            else:
                beyond += 1
        frontier = sorted(new, key=int)
    externals = sorted((n["pmid"] for n in graph.nodes.values() if n["kind"] == "external"), key=int)
    if externals and hasattr(client, "summaries"):
        for pmid, summary in _ask(graph, "esummary", client.summaries, externals).items():
            node = graph.nodes.get(external_id(pmid))
            if node is None or not summary:
                continue
            node["title"] = summary.get("title")
            year = summary.get("year")
            node["year"] = int(year) if year and str(year).isdigit() else None
            node["doi"] = summary.get("doi")
    graph.counts["externals"] = admitted
    graph.counts["links_beyond_cap"] = beyond


def to_networkx(nodes, links, multigraph=False):
    """A DiGraph (or a MultiDiGraph keyed by origin) with node rows as attributes.

    In the DiGraph each edge carries ``origins``: its origins joined by ``;``
    in ORIGINS order.
    """
    if multigraph:
        G = nx.MultiDiGraph()
        G.add_nodes_from((row["id"], row) for row in nodes)
        G.add_edges_from((c, d, o, {"origin": o}) for c, d, o in links)
        return G
    G = nx.DiGraph()
    G.add_nodes_from((row["id"], row) for row in nodes)
    origins = {}
    for citing, cited, origin in links:
        origins.setdefault((citing, cited), set()).add(origin)
    rank = {o: i for i, o in enumerate(ORIGINS)}
    G.add_edges_from(
        (c, d, {"origins": ";".join(sorted(found, key=lambda o: (rank.get(o, len(rank)), o)))})
        for (c, d), found in origins.items()
    )
    return G


def _insert(db, table, columns, rows):
    sql = f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) values " \
          f"({', '.join('?' for _ in columns)})"
    batch = []
    for row in rows:
        batch.append(tuple(row.get(c) for c in columns) if isinstance(row, dict) else tuple(row))
        if len(batch) >= WRITE_BATCH:
            db.conn.executemany(sql, batch)
            batch = []
    if batch:
        db.conn.executemany(sql, batch)


def save_graph(db, nodes, links, metrics=(), cocitations=(), couplings=(), cohesion=()) -> None:
    """Replace the whole stored graph in one transaction.

    ``nodes`` and ``metrics`` are rows (dicts); ``links`` are (citing, cited,
    origin) triples; the pair and cohesion rows are those of ``litgraph.graph.metrics``.
    On any error nothing changes; readers never see a half-written graph.
    """
    with db.atomic():
        for table in GRAPH_TABLES:
            db.conn.execute(f"delete from [{table}]")
        _insert(db, "nodes", NODE_COLUMNS, nodes)
        _insert(db, "links", ("citing_id", "cited_id", "origin"), links)
        _insert(db, "metrics", METRIC_COLUMNS, metrics)
        _insert(db, "cocitations", ("source_a", "source_b", "count"), cocitations)
        _insert(db, "couplings", ("source_a", "source_b", "strength"), couplings)
        _insert(db, "document_cohesion", ("document_id", "sources", "citing_pairs", "density"),
                cohesion)


def build_graph(db, client, depth=1, cap=500, progress=False, betweenness_exact_max=5000,
                sample_k=500, messages=None, engine="networkx", links_from=None,
                bulk_scope="neighbourhood", spark_master=None) -> dict:
    """Build the citation graph and its metrics from the database and E-utilities; store them.

    Parameters
    ----------
    db : sqlite_utils.Database
        A database whose sources, documents and citations are loaded.
    client : EntrezClient or None
        Asked for elink, efetch reference lists and esummary; ``None`` builds
        from the documents' own lists only.
    depth, cap : int
        How many link steps beyond the reference set to follow, and how many
        external works to admit at most.
    progress : bool
        Accepted for the pipeline's common signature; this stage reports
        through logging (``-v``) instead of a bar.
    messages : list, optional
        Receives one line per E-utilities call that failed (the build goes on
        without those links).
    engine : {"networkx", "spark"}
        Which engine computes the metrics: NetworkX in this process (the
        default), or Spark (``litgraph.graph.spark``; ``spark_master`` or the
        usual Spark configuration says where it runs).
    links_from : path, optional
        A CSV or Parquet file of citing/referenced PMID pairs, read as links of
        origin ``bulk`` (``litgraph.graph.bulk``); ``bulk_scope`` says which:
        ``neighbourhood`` (a pair with at least one end in the reference set)
        or ``all``.

    Returns
    -------
    dict
        Counts: nodes by kind, links by origin, edges (distinct citing/cited
        pairs), components, the betweenness method and pair rows stored.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown graph engine {engine!r}: choose one of {', '.join(ENGINES)}")
    graph = read_reference_graph(db)
    log.info("graph: %d nodes and %d document links from the database",
             len(graph.nodes), len(graph.links))
    if client is not None:
        add_entrez_links(graph, client, depth=depth, cap=cap)
    if links_from is not None and engine != "spark":
        from .bulk import add_bulk_links, read_bulk_pairs

        added = add_bulk_links(graph, read_bulk_pairs(links_from), scope=bulk_scope)
        log.info("graph: %d bulk links from %s", added, links_from)
    for message in graph.messages:
        log.warning("graph: %s", message)
    if messages is not None:
        messages.extend(graph.messages)
    if engine == "spark":  # the bulk file is read in Spark, its rows never come to Python
        from .spark_build import build_with_spark

        return build_with_spark(db, graph, links_from, bulk_scope, spark_master,
                                betweenness_exact_max, sample_k, TOP_PAIRS)
    nodes = [graph.nodes[k] for k in sorted(graph.nodes)]
    links = sorted(graph.links)
    G = to_networkx(nodes, links)
    metrics = compute_metrics(G, graph.set_nodes, betweenness_exact_max=betweenness_exact_max,
                              sample_k=sample_k)
    for row in metrics:
        row["engine"] = "networkx"
    cocitations = cocitation_pairs(G, top=TOP_PAIRS)
    couplings = coupling_pairs(G, top=TOP_PAIRS)
    cohesion = document_cohesion(G, graph.documents)
    edges = G.number_of_edges()
    pagerank = {row["node_id"]: row["pagerank"] for row in metrics}
    save_graph(db, nodes, links, metrics, cocitations, couplings, cohesion)
    counts = {"nodes": len(nodes)}
    for kind in ("source", "document", "external"):
        counts[f"{kind}_nodes"] = sum(1 for n in nodes if n["kind"] == kind)
    counts["links"] = len(links)
    for origin in ORIGINS:
        counts[f"links_{origin}"] = sum(1 for link in links if link[2] == origin)
    counts["edges"] = edges
    counts["engine"] = engine
    counts["components"] = len({row["component"] for row in metrics})
    counts["betweenness"] = metrics[0]["betweenness_method"] if metrics else "exact"
    counts["cocitation_pairs"] = len(cocitations)
    counts["coupling_pairs"] = len(couplings)
    counts["links_beyond_cap"] = graph.counts.get("links_beyond_cap", 0)
    log.info("graph: stored %d nodes, %d links; top PageRank %s", len(nodes), len(links),
             max(pagerank, key=pagerank.get) if pagerank else None)
    return counts
