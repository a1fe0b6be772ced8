"""Nodes and citing -> cited links: those the documents state, and those E-utilities adds.

``read_reference_graph(db)`` reads the documents' own lists (origin
``document``); ``add_entrez_links(graph, client)`` follows elink and the PubMed
reference lists one step at a time through any ``LinkClient`` (the real
``EntrezClient``, or a test's fake with the same three methods).
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..entrez import CITEDIN_LINK, GRAPH_LINK_NAMES, REFS_LINK
from ..errors import EntrezError
from ..store import graph_rows

ORIGINS = ("document", "elink-refs", "elink-citedin", "pubmed-references", "bulk")
ENTREZ_LINK_NAMES = GRAPH_LINK_NAMES  # what the graph asks elink about its PMIDs


class RecordWithReferences(Protocol):
    """The one field of a ``PubmedRecord`` the graph reads: the PMIDs of its reference list."""

    references: list


class FetchReply(Protocol):
    """What ``fetch_pubmed`` answers (``litgraph.entrez.FetchResult``)."""

    records: dict  # PMID -> RecordWithReferences
    failed: dict  # PMID -> why its batch failed


@runtime_checkable
class LinkClient(Protocol):
    """What the graph asks E-utilities, as ``litgraph.entrez.EntrezClient`` answers it."""

    def elink(self, pmids, linkname) -> dict:
        """``{pmid: [linked PMIDs]}`` for one link name."""

    def fetch_pubmed(self, pmids) -> FetchReply:
        """The PubMed records of ``pmids``, with their reference lists."""

    def summaries(self, pmids) -> dict:
        """``{pmid: {title, year, doi, ...}}``."""


def external_id(pmid) -> str:
    """The node id of a work outside the reference set: ``pmid:<n>``."""
    return f"pmid:{pmid}"


def external_node(pmid) -> dict:
    """The node row of a work outside the reference set, known so far by its PMID only."""
    return {"id": external_id(pmid), "kind": "external", "title": None, "year": None,
            "pmid": pmid, "doi": None, "evidence_level": None, "synthetic": 0}


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
    more), are left out of the graph; a source whose record is another work (identity
    mismatch) is a node without PubMed's links, and without that work's title, year or
    identifiers.
    """
    graph = ReferenceGraph()
    sources = set()
    for row in graph_rows(db, "sources"):
        if row["excluded"] or row["stale"]:
            continue
        sources.add(row["id"])
        # a record that is another work (identity mismatch) lends the node neither its title
        # nor its identifiers, nor PubMed's links of its PMID (below)
        another_work = row["identity"] == "mismatch"
        own = dict.fromkeys(row) if another_work else row
        # a node's identifiers are its record's: those of a source that did not resolve are
        # only as its document states them, and may name another paper
        record = row["status"] in (None, "resolved") and not another_work
        graph.nodes[row["id"]] = {
            "id": row["id"], "kind": "source", "title": own["title"], "year": own["year"],
            "pmid": row["pmid"] if record else None, "doi": row["doi"] if record else None,
            "evidence_level": row["evidence_level"], "synthetic": 0,
        }
        graph.set_nodes.add(row["id"])
        # PubMed's links of a PMID belong to the source it is the record of
        if row["pmid"] and record:
            graph.pmid_nodes.setdefault(str(row["pmid"]), row["id"])
    document_node = {}
    for row in graph_rows(db, "documents"):
        if row["source_id"] and row["source_id"] in sources:
            document_node[row["id"]] = row["source_id"]
        else:
            document_node[row["id"]] = row["id"]
            graph.nodes[row["id"]] = {"id": row["id"], "kind": "document", "title": row["title"],
                                      "year": None, "pmid": None, "doi": None, "evidence_level": None,
                                      "synthetic": 0}
        graph.set_nodes.add(document_node[row["id"]])
        graph.documents[row["id"]] = set()
    # One direction per (document, source): a work listed under "Citing Articles"
    # cites the document even where another line (a "Fetch PMID" link) names it too.
    # Which line says so does not matter: the rows are read without their lines.
    directions = {}
    for row in graph_rows(db, "citations"):
        node = document_node.get(row["document_id"])
        if node is None or row["source_id"] not in sources or row["source_id"] == node:
            continue
        graph.documents[row["document_id"]].add(row["source_id"])
        pair = (node, row["source_id"])
        if directions.get(pair) != "cited-by":
            directions[pair] = row["direction"]
    for (node, source_id), direction in directions.items():
        if direction == "cited-by":
            graph.add_link(source_id, node, "document")
        else:
            graph.add_link(node, source_id, "document")
    return graph


def _as_pmid(value):
    text = str(value).strip()
    return text if text.isdigit() and not text.startswith("0") else None


def _pmids(values) -> list:
    """The PMIDs among ``values`` (``_as_pmid`` of each, the rejected left out)."""
    # The parsers give digit strings: when every value already is one, it is its own PMID.
    values = values if isinstance(values, (list, tuple)) else list(values)
    clean = [v for v in values if v.__class__ is str and v.isdigit() and v[0] != "0"]
    if len(clean) == len(values):
        return clean
    return [p for p in map(_as_pmid, values) if p]


def _ask(graph, what, call, *args):
    """Call the client; a failure after every retry is recorded in graph.messages, not fatal
    (the answer is then None)."""
    try:
        return call(*args)
    except EntrezError as exc:
        graph.messages.append(f"{what} failed, its links are missing from the graph: {exc}")
        graph.counts["entrez_failures"] = graph.counts.get("entrez_failures", 0) + 1
        return None


def _fetch_references(graph, client: LinkClient, pmids) -> dict:
    """PMID -> the PMIDs of its PubMed ReferenceList, for the records efetch returns."""
    if not pmids:
        return {}
    result = _ask(graph, "efetch (reference lists)", client.fetch_pubmed, list(pmids))
    if result is None:
        return {}
    for pmid, reason in sorted(result.failed.items()):
        graph.messages.append(f"efetch of PMID {pmid} failed, its reference list is missing: {reason}")
    return {str(pmid): _pmids(record.references or [])
            for pmid, record in result.records.items()}


def _neighbour_links(graph, client: LinkClient, frontier) -> list:
    """What elink (both directions) and the reference lists state about ``frontier``.

    One ``(origin, pmid, others, forward)`` per list, as E-utilities gives it:
    ``pmid`` cites each of ``others`` when ``forward``, else each cites it
    (not one object per link: 620,000 of them at 20,000 sources).
    """
    found = []
    # Both link names in flight together; each may fail alone, and is recorded here in order.
    with ThreadPoolExecutor(2, thread_name_prefix="graph-elink") as pool:
        asked = [pool.submit(client.elink, frontier, name) for name in ENTREZ_LINK_NAMES]
    refs = _ask(graph, f"elink {REFS_LINK}", asked[0].result) or {}
    found.extend(("elink-refs", str(pmid), _pmids(cited), True) for pmid, cited in refs.items())
    citedin = _ask(graph, f"elink {CITEDIN_LINK}", asked[1].result) or {}
    found.extend(("elink-citedin", str(pmid), _pmids(citing), False)
                 for pmid, citing in citedin.items())
    found.extend(("pubmed-references", pmid, cited, True)
                 for pmid, cited in _fetch_references(graph, client, frontier).items())
    return found


def _admit_externals(graph, found, room: int) -> list:
    """Admit at most ``room`` works outside the graph, the most linked first (ties: lowest PMID).

    Returns the PMIDs admitted, each now an ``external`` node.
    """
    known = graph.pmid_nodes
    reach = {}
    for _origin, pmid, others, _forward in found:
        if pmid not in known:  # one count per link of its list
            reach[pmid] = reach.get(pmid, 0) + len(others)
        for other in others:
            if other not in known:
                reach[other] = reach.get(other, 0) + 1
    admitted = sorted(reach, key=lambda p: (-reach[p], int(p)))[:max(0, room)]
    for pmid in admitted:
        node = external_node(pmid)
        graph.pmid_nodes[pmid] = node["id"]
        graph.nodes[node["id"]] = node
    return admitted


def _keep_links(graph, found) -> int:
    """Add the found links whose both ends are nodes; return how many were dropped."""
    node_of, nodes, links = graph.pmid_nodes.get, graph.nodes, graph.links
    dropped = 0
    for origin, pmid, others, forward in found:
        node = node_of(pmid)
        if node is None:
            dropped += len(others)
            continue
        ends = list(map(node_of, others))
        dropped += ends.count(None)
        if node not in nodes:
            continue
        # what add_link checks, for a whole list at once: no self-link, both ends nodes
        ends = [end for end in ends if end is not None and end != node and end in nodes]
        if forward:
            links.update([(node, end, origin) for end in ends])
        else:
            links.update([(end, node, origin) for end in ends])
    return dropped


def _describe_externals(graph, client: LinkClient) -> None:
    """Title, year and DOI of every external node, from one esummary per batch."""
    externals = sorted((n["pmid"] for n in graph.nodes.values() if n["kind"] == "external"), key=int)
    if not externals:
        return
    for pmid, summary in (_ask(graph, "esummary", client.summaries, externals) or {}).items():
        node = graph.nodes.get(external_id(pmid))
        if node is None or not summary:
            continue
        node["title"] = summary.get("title")
        year = summary.get("year")
        node["year"] = int(year) if year and str(year).isdigit() else None
        node["doi"] = summary.get("doi")


def add_entrez_links(graph: ReferenceGraph, client: LinkClient, depth=1, cap=500) -> None:
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
        found = _neighbour_links(graph, client, frontier)
        new = _admit_externals(graph, found, cap - admitted) if step < depth else []
        admitted += len(new)
        beyond += _keep_links(graph, found)
        frontier = sorted(new, key=int)
    _describe_externals(graph, client)
    graph.counts["externals"] = admitted
    graph.counts["links_beyond_cap"] = beyond
