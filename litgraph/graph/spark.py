"""The Spark engine: the citation graph's metrics for graphs that outgrow NetworkX.

``litgraph graph --engine spark`` uses this module when a graph outgrows one
NetworkX graph in memory (tens of millions of links and more).  It computes
the same rows as ``litgraph.graph.metrics`` — degrees within the set and
overall, PageRank, weakly connected components, the top co-citation and
bibliographic-coupling pairs and document cohesion.  Spark reads the inputs,
numbers the nodes in id order and the links by them (no Python object per
link), and runs the pair products as tasks (``spark_pairs``); the numbered
adjacency, 8 bytes a link, is collected to the driver once, where the other
metrics are a few SciPy passes over it.

The rows agree with the NetworkX engine: the same node order (ids sorted as
text), PageRank with NetworkX's iteration (damping 0.85, dangling nodes spread
evenly) and the engines' one stopping rule (the L1 change under 1e-6, ``metrics``),
components numbered from 0 for the largest (ties: lowest node id), pairs ranked
by count, then ids.  Betweenness is computed with the sparse-matrix code of
``metrics`` (exact or sampled) when the graph has at most
``betweenness_max_links`` links, and left empty above that; every metrics row
says what computed what (``engine`` column).

Inputs are DataFrames with these columns (``frames_from_parquet`` reads them
from Parquet files, ``frames_from_rows`` builds them from Python rows):

* nodes: ``id`` (string), ``kind`` (string), ``in_set`` (boolean: a source or
  document of the reference set);
* links: ``citing``, ``cited`` (strings, node ids; several origins of one pair
  count once);
* documents: ``document_id``, ``node_id`` (the sources each document lists; a
  document that lists none has one row with a null ``node_id``).

pyspark is an optional extra (``pip install 'litgraph[spark]'``) and needs a
Java runtime; nothing here is imported by the NetworkX engine.
"""

import os
import sys
from dataclasses import dataclass, field
from typing import Iterator, Optional

from ..errors import InputError, LitgraphError
from .arrays import pagerank
from .metrics import Laps, _components, adjacency_from_arrays
from .spark_numbering import BETWEENNESS_MAX_LINKS, ENGINE, driver_betweenness, number_nodes

BROADCAST_NODES = 2_000_000  # up to this many nodes every task gets the id -> number table
METRIC_BATCH = 1_000_000  # metrics rows fetched from Spark at a time
ENGINE_COLUMNS = "spark; degrees, pagerank, components scipy"  # the metrics.engine column
DEGREE_COLUMNS = ("in_degree", "out_degree", "in_degree_set", "out_degree_set")


class SparkUnavailable(LitgraphError):
    """pyspark or a Java runtime is missing."""

    exit_code = 2


@dataclass
class GraphFrames:
    """The three input DataFrames of the engine."""

    nodes: object
    links: object
    documents: object


@dataclass
class SparkMetrics:
    """What the engine computed: the metrics (streamed in node order) and the small tables."""

    frame: object  # DataFrame of n, id, kind (n: the node's place in id order)
    count: int  # nodes
    columns: dict  # column name -> NumPy array indexed by n (degrees, PageRank, component, ...)
    betweenness_method: str
    engine: str
    cocitations: list = field(default_factory=list)
    couplings: list = field(default_factory=list)
    cohesion: list = field(default_factory=list)
    pagerank_iterations: int = 0
    edges: int = 0  # distinct citing/cited pairs between known nodes, without self-links
    timings: dict = field(default_factory=dict)
    mode: str = "driver"  # which path computed it (compute_spark_metrics)

    def metric_tables(self, batch: int = METRIC_BATCH) -> Iterator:
        """The metrics rows as pyarrow Tables of at most ``batch`` rows, in node id order."""
        import pyarrow as pa
        from pyspark.sql import functions as F

        for start in range(0, self.count, batch):
            stop = min(start + batch, self.count)
            part = (self.frame.where((F.col("n") >= start) & (F.col("n") < stop))
                    .orderBy("n").toArrow())
            if part.num_rows != stop - start:
                raise LitgraphError(f"metrics rows {start}-{stop}: {part.num_rows} from Spark")
            size = stop - start
            between = self.columns.get("betweenness")
            yield pa.table({
                "node_id": part.column("id"), "kind": part.column("kind"),
                **{c: pa.array(self.columns[c][start:stop]) for c in DEGREE_COLUMNS},
                "pagerank": pa.array(self.columns["pagerank"][start:stop]),
                "betweenness": (pa.array(between[start:stop]) if between is not None
                                else pa.nulls(size, pa.float64())),
                "betweenness_method": pa.array([self.betweenness_method] * size),
                "component": pa.array(self.columns["component"][start:stop]),
                "engine": pa.array([self.engine] * size)})

    def metric_rows(self) -> Iterator[dict]:
        """The metrics rows as dicts, in node id order, a batch at a time."""
        for table in self.metric_tables():
            yield from table.to_pylist()

    @property
    def components(self) -> int:
        """How many weakly connected components (as ``FrameMetrics.components``)."""
        column = self.columns.get("component")
        return len(set(column.tolist())) if self.count and column is not None else 0


def spark_session(master: Optional[str] = None, app_name: str = "litgraph", config=None):
    """A SparkSession: ``master`` (``local[*]`` when not given and not configured), plus ``config``.

    The usual Spark configuration (``spark-defaults.conf`` in ``SPARK_CONF_DIR``,
    ``PYSPARK_SUBMIT_ARGS``) applies as for any PySpark program; ``master``
    overrides it (``spark://host:7077``, ``yarn``, ``k8s://...``).  A session
    already active in this process is returned as it is (Spark runs one per
    process), unless ``config`` is given.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("the Spark engine needs pyspark: pip install 'litgraph[spark]' "
                               "(and a Java runtime, e.g. Debian's default-jre-headless)") from None
    active = SparkSession.getActiveSession()
    if active is not None and not config:
        return active  # a caller's session (a notebook, a test) keeps the settings it was given
    builder = SparkSession.builder.appName(app_name)
    settings = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                "spark.sql.shuffle.partitions": "8", "spark.driver.maxResultSize": "4g",
                "spark.sql.adaptive.enabled": "true"}
    if (not master or master.startswith("local")) and not os.environ.get("PYSPARK_PYTHON"):
        # The pair tasks run Python (NumPy, SciPy, litgraph): locally, this interpreter
        # (PySpark reads PYSPARK_PYTHON, else runs whatever python3 is on the PATH).
        os.environ["PYSPARK_PYTHON"] = sys.executable
    settings.update(config or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    if master:
        builder = builder.master(master)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM failed to start: no Java, or a wrong master URL
        raise SparkUnavailable(f"Spark did not start ({type(exc).__name__}: "
                               f"{str(exc).splitlines()[0] if str(exc) else 'no message'}); "
                               "is a Java runtime installed (java -version)?") from None
    if not master and session.sparkContext.master in (None, ""):
        raise SparkUnavailable("no Spark master configured")
    session.sparkContext.setLogLevel("ERROR")
    return session


def frames_from_rows(spark, nodes, links, set_nodes, documents) -> GraphFrames:
    """Input frames from Python rows: node dicts (``id``, ``kind``), (citing, cited[, origin]) links,
    the reference set's node ids and ``{document_id: node ids}``.  For small graphs (the demo)."""
    from pyspark.sql.types import BooleanType, StringType, StructField, StructType

    set_nodes = set(set_nodes)
    node_schema = StructType([StructField("id", StringType(), False),
                              StructField("kind", StringType(), True),
                              StructField("in_set", BooleanType(), False)])
    pair_schema = StructType([StructField("citing", StringType(), False),
                              StructField("cited", StringType(), False)])
    node_frame = spark.createDataFrame(
        [(row["id"], row.get("kind"), row["id"] in set_nodes) for row in nodes], node_schema)
    pairs = sorted({(link[0], link[1]) for link in links})
    link_frame = spark.createDataFrame(pairs, pair_schema)
    return GraphFrames(node_frame, link_frame, documents_frame(spark, documents))


def documents_frame(spark, documents):
    """``{document_id: node ids}`` as the documents frame (a document listing nothing: one null row)."""
    members = sorted({(d, n) for d, listed in documents.items() for n in listed}
                     | {(d, None) for d, listed in documents.items() if not listed},
                     key=lambda row: (row[0], row[1] or ""))
    return spark.createDataFrame(members, "document_id string, node_id string")


def frames_from_parquet(spark, nodes_path, links_path, documents_path=None) -> GraphFrames:
    """Input frames from Parquet files (or folders) with the columns named in the module docstring."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    nodes = spark.read.parquet(str(nodes_path))
    links = spark.read.parquet(str(links_path)).select(
        F.col("citing").cast("string"), F.col("cited").cast("string"))
    if documents_path:
        documents = spark.read.parquet(str(documents_path))
    else:
        schema = StructType([StructField("document_id", StringType(), False),
                             StructField("node_id", StringType(), False)])
        documents = spark.createDataFrame([], schema)
    for name, frame, columns in (("nodes", nodes, {"id", "kind", "in_set"}),
                                 ("links", links, {"citing", "cited"}),
                                 ("documents", documents, {"document_id", "node_id"})):
        missing = columns - set(frame.columns)
        if missing:
            raise InputError(f"{name} Parquet lacks the column(s) {', '.join(sorted(missing))}")
    return GraphFrames(nodes, links, documents)


def _number_links(links, indexed, count):
    """(s, t) node numbers of the citing/cited pairs: no self-links, only known nodes.

    Duplicates stay (the driver's adjacency counts a pair once).  Up to
    ``BROADCAST_NODES`` nodes the id -> number table goes to every task, so
    that the links are not shuffled to meet it.
    """
    from pyspark.sql import functions as F

    ids = indexed.select("id", "n")
    if count <= BROADCAST_NODES:
        ids = F.broadcast(ids)
    return (links.select("citing", "cited")
            .join(ids.select(F.col("id").alias("citing"), F.col("n").alias("s")), "citing")
            .join(ids.select(F.col("id").alias("cited"), F.col("n").alias("t")), "cited")
            .where(F.col("s") != F.col("t")).select("s", "t"))


def _adjacency(links, count):
    """The 0/1 CSR adjacency on the driver, from the numbered links (Arrow, 8 bytes a link)."""
    import numpy as np

    from pyspark.sql import functions as F

    table = links.select(F.col("s").cast("int"), F.col("t").cast("int")).toArrow()
    rows = table.column("s").to_numpy()
    cols = table.column("t").to_numpy()
    del table
    return adjacency_from_arrays(rows, cols, count)


def cohesion(indexed, A, documents) -> list:
    """``metrics.document_cohesion``: each document's listed sources, and the pairs among them
    that cite (from the driver's adjacency; documents list thousands of sources, not millions)."""
    import numpy as np
    from pyspark.sql import functions as F

    members = {}
    for row in (documents.join(indexed.select(F.col("id").alias("node_id"), "n"), "node_id")
                .select("document_id", "n").distinct().collect()):
        members.setdefault(row["document_id"], []).append(row["n"])
    rows = []
    for (document,) in documents.select("document_id").distinct().orderBy("document_id").collect():
        listed = np.array(sorted(members.get(document, [])), dtype=np.int64)
        sources = int(listed.size)
        pairs = int(A[listed][:, listed].nnz) if sources else 0
        rows.append({"document_id": document, "sources": sources, "citing_pairs": pairs,
                     "density": pairs / (sources * (sources - 1)) if sources > 1 else None})
    return rows


def _degrees(A, in_set):
    """in_degree, out_degree, in_degree_set, out_degree_set arrays, as ``compute_metrics``."""
    import numpy as np

    mask = in_set.astype(np.float64)
    return {"in_degree": np.bincount(A.indices, minlength=A.shape[0]).astype(np.int64),
            "out_degree": np.diff(A.indptr).astype(np.int64),
            "in_degree_set": np.rint(A.T @ mask).astype(np.int64),
            "out_degree_set": np.rint(A @ mask).astype(np.int64)}


SPARK_MODES = ("auto", "driver", "distributed")
DRIVER_BYTES_PER_LINK = 24  # the numbered link (8), its CSR copy and transpose (16)
DRIVER_SHARE = 0.25  # of spark.driver.memory that the driver path may take for the links


def _bytes(size: str) -> int:
    """Bytes of a JVM memory setting ("6g", "512m", "1024k", "2048").

    >>> _bytes("6g"), _bytes("512m"), _bytes("2048")
    (6442450944, 536870912, 2048)
    """
    size = str(size).strip().lower().rstrip("b")
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
    if size and size[-1] in units:
        return int(float(size[:-1]) * units[size[-1]])
    return int(size)


def choose_mode(spark, links: int) -> str:
    """``driver`` when ``links`` numbered links fit DRIVER_SHARE of the driver's memory
    (``spark.driver.memory``, Spark's default 1g), else ``distributed``."""
    budget = _bytes(spark.conf.get("spark.driver.memory", "1g")) * DRIVER_SHARE
    return "driver" if links * DRIVER_BYTES_PER_LINK <= budget else "distributed"


def compute_spark_metrics(spark, frames: GraphFrames, top: int = 1000, max_list: int = 2000,
                          betweenness_exact_max: int = 5000, sample_k: int = 500, seed: int = 0,
                          betweenness_max_links: int = BETWEENNESS_MAX_LINKS,
                          mode: str = "auto"):
    """Every metric of the graph; rows as ``metrics.compute_metrics`` gives.

    ``mode="distributed"`` computes everything with DataFrame operations
    (``spark_frames.compute_frame_metrics``: no adjacency on the driver, for
    graphs larger than it; a ``FrameMetrics`` with the same rows).
    ``mode="driver"`` is the path below.  ``auto`` (the default) takes the
    driver path when the links fit the driver's budget (``choose_mode``).

    Spark reads the inputs, numbers the nodes in id order and the links by
    them, and spreads the co-citation and coupling products over its tasks.
    The numbered adjacency (8 bytes a link) is collected once to the driver,
    where degrees, PageRank (NetworkX's SciPy iteration), components (the
    NetworkX engine's SciPy code), cohesion and, up to
    ``betweenness_max_links`` links, betweenness take a few passes over it.
    Each metrics row carries ``engine`` saying so.
    """
    if mode == "auto":
        mode = choose_mode(spark, frames.links.count())
    if mode == "distributed":
        from .spark_frames import compute_frame_metrics

        return compute_frame_metrics(spark, frames, top=top, max_list=max_list,
                                     betweenness_exact_max=betweenness_exact_max,
                                     sample_k=sample_k, seed=seed,
                                     betweenness_max_links=betweenness_max_links)
    if mode != "driver":
        raise InputError(f"Spark mode {mode!r}: expected auto, driver or distributed")
    import numpy as np
    from pyspark.sql import functions as F

    from .spark_pairs import top_pairs

    timings = {}
    lap = Laps(timings)

    nodes = frames.nodes.select("id", "kind", F.col("in_set").cast("boolean"))
    indexed, count = number_nodes(nodes)
    lap("number nodes")
    if count == 0:
        return SparkMetrics(indexed, count, {}, "exact", ENGINE, timings=timings)
    A = _adjacency(_number_links(frames.links, indexed, count), count)
    lap("links (numbered, to the driver)")
    in_set = (indexed.select(F.col("in_set").cast("int")).orderBy(indexed.n).toArrow()
              .column(0).to_numpy().astype(bool))
    columns = _degrees(A, in_set)
    del in_set
    lap("degrees")
    columns["component"] = _components(A).astype(np.int64)
    lap("components")
    columns["pagerank"], pr_iterations = pagerank(A)
    lap("pagerank")
    between, method = driver_betweenness(indexed, A, betweenness_exact_max, sample_k, seed,
                                         betweenness_max_links)
    engine = ENGINE_COLUMNS if between is None else f"{ENGINE_COLUMNS}; betweenness networkx-scipy"
    if between is not None:
        columns["betweenness"] = np.asarray(between, dtype=np.float64)
    lap("betweenness")
    ids = indexed.select("n", "id", "kind")
    pairs = {}
    for name, transpose in (("cocitations", True), ("couplings", False)):
        pairs[name] = top_pairs(spark, A, transpose, top, max_list)  # spark_pairs
        lap("co-citation" if transpose else "coupling")
    named = _pair_ids(indexed, pairs)
    cohesion_rows = cohesion(indexed, A, frames.documents)
    edges = int(A.nnz)
    del A
    lap("cohesion")
    return SparkMetrics(ids, count, columns, method, engine,
                        cocitations=named["cocitations"], couplings=named["couplings"],
                        cohesion=cohesion_rows, pagerank_iterations=pr_iterations,
                        edges=edges, timings=timings)


def _pair_ids(indexed, pairs) -> dict:
    """The pair rows with node ids for node numbers."""
    from pyspark.sql import functions as F

    wanted = sorted({int(n) for i, j, _v in pairs.values() for n in (*i, *j)})
    names = {}
    for start in range(0, len(wanted), 10_000):
        chunk = wanted[start:start + 10_000]
        names.update((r["n"], r["id"]) for r in
                     indexed.where(F.col("n").isin(chunk)).select("n", "id").collect())
    column = {"cocitations": "count", "couplings": "strength"}
    return {name: [{"source_a": names[int(a)], "source_b": names[int(b)], column[name]: int(v)}
                   for a, b, v in zip(i, j, v_)]
            for name, (i, j, v_) in pairs.items()}
