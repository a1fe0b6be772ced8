"""Write the stored graph, or the reference set, in formats other tools read.

``export(db, fmt, out, document=None)`` looks ``fmt`` up in FORMATS and
writes the text to ``out`` (any text stream).  Every entry of FORMATS is a
function ``(db, document=None) -> str``:

- ``graphml``, ``gexf``: the citation graph for Gephi, Cytoscape, yEd, NetworkX;
- ``json``: NetworkX node-link JSON (``nodes`` and ``links``), as D3 reads it;
- ``bibtex``, ``ris``, ``csljson``: the reference set, from ``litgraph.bibliography``.

Graph nodes carry ``kind``, ``title``, ``year``, ``pmid``, ``doi``,
``evidence_level``, ``synthetic`` and the stored metrics (``pagerank``,
``betweenness``, ``component``, degrees); an attribute the database does not
know is left out rather than written empty.  Each edge is one citing/cited
pair and carries ``origins``: every origin that states it, joined by ``;``.
With ``document``, only that document's node, the sources it lists and the
links among them are written; for a rewrite (a document that ``restates``
another) also the original's node, an edge to it with origin ``restates``, and
the sources its sentences inherit from the claims they restate: an edge to each
with origin ``inherited`` and ``inherited_from`` naming the original claims
(the node carries ``inherited_from`` too when the rewrite does not cite it itself).
"""

import json
import os
import re
import stat
from pathlib import Path

import networkx as nx

from .errors import InputError, LitgraphError
from .files import replace_text_file
from .findings import finding_rows
from .graph import ORIGINS
from .plausible import plausible_title

NODE_ATTRIBUTES = ("kind", "title", "year", "pmid", "doi", "evidence_level", "synthetic")
METRIC_ATTRIBUTES = ("pagerank", "betweenness", "betweenness_method", "component", "in_degree",
                     "out_degree", "in_degree_set", "out_degree_set")


def open_existing_db(path):
    """Open a database that must already exist, read-only (export never creates nor changes one)."""
    from .store import open_existing_db as open_read_only

    if not Path(path).is_file():
        raise InputError(f"no database at {path}: build one first with `litgraph build`")
    return open_read_only(path)


def _document_nodes(db, document) -> set:
    rows = list(db.query("select id, source_id from documents where id = ?", [document]))
    if not rows:
        known = ", ".join(r["id"] for r in db.query("select id from documents order by id"))
        raise InputError(f"no document {document!r} in the database (documents: {known or 'none'})")
    own = rows[0]["source_id"] or rows[0]["id"]
    listed = {r["source_id"] for r in db.query(
        "select distinct source_id from citations where document_id = ?", [document])}
    return listed | {own}


def _original_node(db, document):
    """The node of the document a rewrite restates (its article's node, else its own), or None."""
    if "restates" not in db["documents"].columns_dict:
        return None
    rows = list(db.query("select o.id, o.source_id from documents d join documents o "
                         "on o.id = d.restates where d.id = ?", [document]))
    return (rows[0]["source_id"] or rows[0]["id"]) if rows else None


def inherited_sources(db, document) -> dict:
    """source -> the original claims it comes through, for the sources a rewrite's sentences
    inherit (the ``claim_evidence`` finding, ``inherited`` rows); {} for any other document."""
    if not db["claim_alignments"].exists():
        return {}
    found = {}
    for row in finding_rows(db, "claim_evidence",
                            "join claims on claims.id = claim_evidence.claim_id "
                            "where claims.document_id = ? and claim_evidence.inherited = 1",
                            [document], columns="claim_evidence.source_id, claim_evidence.via_claim_id"):
        found.setdefault(row["source_id"], set()).add(row["via_claim_id"])
    return {source: sorted(claims, key=lambda c: (len(c), c)) for source, claims in found.items()}


def graph_from_db(db, document=None) -> nx.DiGraph:
    """The stored graph (nodes, links with their origins, metrics) as a NetworkX DiGraph.

    Raises LitgraphError when the database holds no graph yet, and InputError
    for a document the database does not hold.
    """
    if not db["nodes"].exists() or db["nodes"].count == 0:
        raise LitgraphError("the database holds no graph yet: run `litgraph graph` (or build) first")
    wanted = _document_nodes(db, document) if document is not None else None
    inherited, original = {}, None
    if document is not None:
        inherited = inherited_sources(db, document)
        original = _original_node(db, document)
        cited = set(wanted)
        wanted |= set(inherited) | ({original} if original else set())
    G = nx.DiGraph()
    metrics = {row["node_id"]: row for row in db.query("select * from metrics")}
    for row in db.query("select * from nodes order by id"):
        if wanted is not None and row["id"] not in wanted:
            continue
        attributes = {k: row[k] for k in NODE_ATTRIBUTES if row.get(k) is not None}
        if row.get("kind") != "document" and "title" in attributes \
                and not plausible_title(attributes["title"]):
            del attributes["title"]  # page text extraction kept, not a title
        elif attributes.get("title"):
            attributes["title"] = plausible_title(attributes["title"]) or attributes["title"]
        attributes["label"] = attributes.get("title") or row["id"]
        measured = metrics.get(row["id"], {})
        attributes.update({k: measured[k] for k in METRIC_ATTRIBUTES if measured.get(k) is not None})
        if row["id"] in inherited and row["id"] not in cited:
            attributes["inherited_from"] = ";".join(inherited[row["id"]])
        G.add_node(row["id"], **attributes)
    origins = {}
    for citing, cited, origin in db.execute("select citing_id, cited_id, origin from links"):
        if citing in G and cited in G:
            origins.setdefault((citing, cited), set()).add(origin)
    rank = {o: i for i, o in enumerate(ORIGINS)}
    for (citing, cited), found in sorted(origins.items()):
        ordered = sorted(found, key=lambda o: (rank.get(o, len(rank)), o))
        G.add_edge(citing, cited, origins=";".join(ordered), origin_count=len(ordered))
    if original in G and document in G:
        G.add_edge(document, original, origins="restates", origin_count=1)
    for source, claims in sorted(inherited.items()):
        if source in G and document in G and not G.has_edge(document, source):
            G.add_edge(document, source, origins="inherited", origin_count=1,
                       inherited_from=";".join(claims))
    return G


# Characters XML 1.0 cannot hold at all, not even escaped (control characters, lone surrogates).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(G: nx.DiGraph) -> nx.DiGraph:
    """``G`` with every character XML cannot hold, in ids and text attributes, shown as U+FFFD."""
    def clean(value):
        return NOT_XML.sub("\ufffd", value) if isinstance(value, str) else value

    H = nx.DiGraph()
    H.graph.update({k: clean(v) for k, v in G.graph.items()})
    H.add_nodes_from((clean(n), {k: clean(v) for k, v in a.items()}) for n, a in G.nodes(data=True))
    H.add_edges_from((clean(u), clean(v), {k: clean(x) for k, x in a.items()})
                     for u, v, a in G.edges(data=True))
    return H


def graphml_text(db, document=None) -> str:
    """The graph as GraphML."""
    return "\n".join(nx.generate_graphml(xml_safe(graph_from_db(db, document)))) + "\n"


def gexf_text(db, document=None) -> str:
    """The graph as GEXF 1.2."""
    return "\n".join(nx.generate_gexf(xml_safe(graph_from_db(db, document)))) + "\n"


def node_link_text(db, document=None) -> str:
    """The graph as node-link JSON: ``{"directed", "graph", "nodes": [...], "links": [...]}``."""
    data = nx.node_link_data(graph_from_db(db, document), edges="links")
    data["graph"] = {"name": "litgraph citation graph",
                     "edge_direction": "source cites target"}
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _bibliography(fmt):
    def write(db, document=None) -> str:
        try:
            from .bibliography import export_bibliography
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.bibliography":
                raise
            raise LitgraphError(f"export format {fmt} is not available yet in this version "
                                "of litgraph") from None
        return export_bibliography(db, fmt, document=document)

    write.__doc__ = f"The reference set as {fmt} (litgraph.bibliography)."
    return write


FORMATS = {
    "graphml": graphml_text,
    "gexf": gexf_text,
    "json": node_link_text,
    "bibtex": _bibliography("bibtex"),
    "ris": _bibliography("ris"),
    "csljson": _bibliography("csljson"),
}


def export(db, fmt, out, document=None) -> int:
    """Write ``fmt`` (one of FORMATS) to the text stream ``out``; return the characters written.

    Examples
    --------
    >>> import io, sqlite_utils
    >>> db = sqlite_utils.Database(memory=True)
    >>> export(db, "pdf", io.StringIO())
    Traceback (most recent call last):
    ...
    litgraph.errors.InputError: unknown export format 'pdf': choose one of graphml, gexf, json, bibtex, ris, csljson
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    text = FORMATS[fmt](db, document=document)
    out.write(text)
    return len(text)


# ---------------------------------------------------------------- writing the output

def project_inputs(db, db_path, references_path="references.yaml",
                   documents_path="documents") -> list:
    """The files an export must never replace: the database (and its journal files and
    HTTP cache), references.yaml and the evidence-levels file beside it, and the documents."""
    db_path = Path(db_path)
    inputs = [db_path] + [db_path.with_name(db_path.name + s) for s in ("-wal", "-shm", "-journal",
                                                                          ".lock")]
    inputs.append(db_path.parent / "http-cache.sqlite")
    references_path = Path(references_path)
    inputs += [references_path, references_path.with_name("evidence-levels.yaml")]
    base = references_path.resolve().parent
    if db["documents"].exists():
        for row in db.query("select path from documents where path is not null"):
            inputs.append(base / row["path"])
    inputs.append(Path(documents_path))
    return inputs


def _refuse_inputs(output: Path, inputs) -> None:
    target = os.path.realpath(output)
    for item in inputs:
        known = os.path.realpath(item)
        if target == known or (os.path.isdir(known) and target.startswith(known + os.sep)):
            raise InputError(f"--output {output} is one of the project's own inputs ({item}): "
                             "choose another file")


def write_output(text: str, output, inputs=()) -> None:
    """Write ``text`` to the file ``output``.

    A regular file (or a new one) is replaced whole and atomically, through a
    symlink to its target; a character device or a pipe (``/dev/stdout``, a
    FIFO) is written to as a stream, never replaced; anything else (a folder,
    a socket) and the project's own ``inputs`` are refused.  A failed write (a
    full disk) names the file.
    """
    output = Path(output)
    _refuse_inputs(output, inputs)
    target = Path(os.path.realpath(output))
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    try:
        if mode is not None and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            with open(target, "w", encoding="utf-8") as stream:
                stream.write(text)
            return
        if mode is not None and not stat.S_ISREG(mode):
            raise InputError(f"--output {output} is not a regular file, a device or a pipe")
        _replace_file(target, text, mode)
    except OSError as exc:
        raise LitgraphError(f"cannot write {output}: {exc.strerror or exc}") from None


def _replace_file(target: Path, text: str, mode) -> None:
    replace_text_file(target, text, mode)
