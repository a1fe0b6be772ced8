"""Bulk citation links: citing/referenced PMID pairs from a CSV or Parquet file.

NIH's open citation collection (and exports like it) ship citation links as
two columns of PMIDs, ``citing`` and ``referenced``.  ``litgraph graph
--links-from FILE`` reads such a file as a link origin of its own, ``bulk``,
so that a user who has the file needs no elink requests for the neighbourhood
of the reference set.

``read_bulk_pairs(path)`` yields ``(citing, referenced)`` PMID pairs as
strings.  CSV needs no extra package; Parquet needs pyarrow (the ``spark``
extra).  A row whose two cells are not both PMIDs is refused with the file and
line, never skipped silently.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "links.csv"
>>> _ = path.write_text("citing,referenced\\n900000002,900000001\\n")
>>> list(read_bulk_pairs(path))
[('900000002', '900000001')]
"""

import csv
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from .links import external_id

BULK_ORIGIN = "bulk"
CITING_COLUMNS = ("citing", "citing_pmid", "source")
CITED_COLUMNS = ("referenced", "cited", "cited_pmid", "referenced_pmid", "target")
PARQUET_BATCH = 1_000_000


def _pmid(value, where) -> str:
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or text.startswith("0") or len(text) > 9:
        raise InputError(f"{where}: {text[:40]!r} is not a PMID")
    return text


def _columns(names, where) -> tuple:
    lowered = [str(n).strip().lower() for n in names]
    citing = next((lowered.index(c) for c in CITING_COLUMNS if c in lowered), None)
    cited = next((lowered.index(c) for c in CITED_COLUMNS if c in lowered), None)
    if citing is None or cited is None:
        raise InputError(f"{where}: needs a 'citing' and a 'referenced' column, found "
                         f"{', '.join(map(str, names)) or 'none'}")
    return citing, cited


def read_bulk_pairs(path) -> Iterator[tuple]:
    """(citing, referenced) PMID pairs from a CSV or Parquet file (by extension or content)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such links file")
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic == b"PAR1" or path.suffix.lower() in (".parquet", ".pq"):
        yield from _parquet_pairs(path)
    else:
        yield from _csv_pairs(path)


def _csv_pairs(path):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return
        citing, cited = _columns(header, f"{path}:1")
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            where = f"{path}:{line}"
            if len(row) <= max(citing, cited):
                raise InputError(f"{where}: {len(row)} cells, expected a citing and a referenced PMID")
            yield _pmid(row[citing], where), _pmid(row[cited], where)


def _parquet_pairs(path):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"{path}: reading Parquet needs pyarrow (pip install 'litgraph[spark]'); "
                         "or give a CSV file") from None
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own error types for a damaged file
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    citing, cited = _columns(parquet.schema_arrow.names, str(path))
    names = parquet.schema_arrow.names
    row = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH, columns=[names[citing], names[cited]]):
        for a, b in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist()):
            row += 1
            where = f"{path}: row {row}"
            yield _pmid(a, where), _pmid(b, where)


SCOPES = ("neighbourhood", "all")


def add_bulk_links(graph, pairs, scope: str = "neighbourhood") -> int:
    """Add ``(citing, referenced)`` PMID pairs to a ``ReferenceGraph`` as links of origin ``bulk``.

    A PMID of the reference set is its source's node; any other PMID becomes an
    ``external`` node (``pmid:<n>``), as elink's neighbours do.  With scope
    ``neighbourhood`` only pairs with at least one end in the reference set are
    kept (what elink would give one step out, with no request and no cap);
    ``all`` keeps every pair.  Returns the number of distinct links added.
    """
    if scope not in SCOPES:
        raise InputError(f"unknown bulk scope {scope!r}: choose one of {', '.join(SCOPES)}")
    in_set = dict(graph.pmid_nodes)
    added = 0
    for citing, cited in pairs:
        if scope == "neighbourhood" and citing not in in_set and cited not in in_set:
            continue
        ends = []
        for pmid in (citing, cited):
            node = graph.pmid_nodes.get(pmid)
            if node is None:
                node = external_id(pmid)
                graph.pmid_nodes[pmid] = node
                graph.nodes[node] = {"id": node, "kind": "external", "title": None, "year": None,
                                     "pmid": pmid, "doi": None, "evidence_level": None,
                                     "synthetic": 0}
            ends.append(node)
        link = (ends[0], ends[1], BULK_ORIGIN)
        if link not in graph.links and graph.add_link(*link):
            added += 1
    graph.counts["bulk_links"] = graph.counts.get("bulk_links", 0) + added
    return added


PMID_PATTERN = r"^[1-9][0-9]{0,8}$"  # what _pmid accepts


def read_bulk_frame(spark, path):
    """The file's (citing, referenced) PMID pairs as a Spark DataFrame of strings.

    The Spark engine's reader: the rows never pass through Python.  The same
    files and columns as ``read_bulk_pairs``; a row whose cells are not both
    PMIDs is refused (with how many such rows and the first one), never
    skipped silently.
    """
    from pyspark.sql import functions as F

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such links file")
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic == b"PAR1" or path.suffix.lower() in (".parquet", ".pq"):
        frame = spark.read.parquet(str(path))
    else:
        frame = spark.read.option("header", True).option("encoding", "UTF-8").csv(str(path))
    names = [name.lstrip("\ufeff") for name in frame.columns]
    citing, cited = _columns(names, f"{path}:1")
    pairs = frame.select(F.trim(F.col(f"`{frame.columns[citing]}`").cast("string")).alias("citing"),
                         F.trim(F.col(f"`{frame.columns[cited]}`").cast("string")).alias("referenced"))
    valid = F.col("citing").rlike(PMID_PATTERN) & F.col("referenced").rlike(PMID_PATTERN)
    bad = pairs.where(~F.coalesce(valid, F.lit(False)))
    first = bad.limit(1).collect()
    if first:
        count = bad.count()
        raise InputError(f"{path}: {count:,} row(s) are not citing/referenced PMID pairs, the first "
                         f"{first[0]['citing']!r}, {first[0]['referenced']!r}")
    return pairs
