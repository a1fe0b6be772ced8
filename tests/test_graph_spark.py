"""The Spark engine gives the NetworkX engine's rows (local mode, two cores).

Skipped with the reason only where pyspark or Java is missing; under CI=true
a missing engine fails instead (make test installs both).
"""

import json
import os
import random
import shutil

import pytest

from litgraph.graph import to_networkx
from litgraph.graph.metrics import (cocitation_pairs, compute_metrics, coupling_pairs,
                                    document_cohesion)

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed "
                              "(pip install -e '.[spark]')") if not os.environ.get("CI") else None
if shutil.which("java") is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI=true: the Spark tests need Java (bash scripts/ensure-java.sh)")
    pytest.skip("no Java runtime: run bash scripts/ensure-java.sh", allow_module_level=True)

from litgraph.graph import spark as engine  # noqa: E402


# Sized for graphs of tens to a hundred thousand nodes, where Spark's per-job overhead is
# the cost: two shuffle partitions (still more than one, so joins and aggregations cross
# partitions) and no adaptive re-planning.  The JVM compiles with its quick compiler only
# and collects garbage on one thread: jobs of a second or two never repay the optimising
# compiler, whose threads took the CPU from the other test worker (on 2 cores, the Spark
# tests used 250 CPU-seconds in 150 s with the JVM's defaults).  The CLI test below runs
# `litgraph graph` in this session (the engine takes the active one as it is).
TEST_CONFIG = {"spark.sql.shuffle.partitions": "2", "spark.sql.adaptive.enabled": "false",
               "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}


@pytest.fixture(scope="session")
def spark():
    """One local Spark session per test process (a JVM start costs seconds)."""
    session = engine.spark_session("local[2]", config=TEST_CONFIG)
    yield session
    session.stop()


def random_graph(n, m, seed, set_fraction=0.3, documents=5):
    rng = random.Random(seed)
    ids = [f"w{i:05d}" for i in range(n)]
    links = set()
    while len(links) < m:
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b:
            links.add((ids[a], ids[b], rng.choice(("document", "elink-refs"))))
    set_nodes = {i for i in ids if rng.random() < set_fraction}
    nodes = [{"id": i, "kind": "source" if i in set_nodes else "external"} for i in ids]
    listed = {f"doc{d}": set(rng.sample(sorted(set_nodes), min(8, len(set_nodes))))
              for d in range(documents)}
    return nodes, sorted(links), set_nodes, listed


def networkx_rows(nodes, links, set_nodes, listed, top=50, max_list=2000, **metric_options):
    G = to_networkx(nodes, links)
    return (compute_metrics(G, set_nodes, **metric_options),
            cocitation_pairs(G, top=top, max_list=max_list),
            coupling_pairs(G, top=top, max_list=max_list), document_cohesion(G, listed))


def test_the_empty_graph_has_no_rows(spark):
    frames = engine.frames_from_rows(spark, [], [], set(), {})
    result = engine.compute_spark_metrics(spark, frames)
    assert list(result.metric_rows()) == [] and result.cocitations == []


def bulk_file(path, db_path, per_source=3):
    """A synthetic citing,referenced file: each resolved source cites synthetic PMIDs and is
    cited by one, and one pair touches no source at all."""
    import sqlite3

    from litgraph.stub.synthetic import synthetic_pmid

    pmids = [r[0] for r in sqlite3.connect(db_path).execute(
        "select pmid from sources where pmid is not null and status = 'resolved' order by id")]
    lines = ["citing,referenced"]
    n = 0
    for pmid in pmids:
        for _ in range(per_source):
            n += 1
            lines.append(f"{pmid},{synthetic_pmid(n)}")
        n += 1
        lines.append(f"{synthetic_pmid(n)},{pmid}")
    lines.append(f"{synthetic_pmid(n + 1)},{synthetic_pmid(n + 2)}")  # outside the neighbourhood
    path.write_text("\n".join(lines) + "\n")
    return len(pmids)


def graph_tables(db_path):
    import sqlite3

    conn = sqlite3.connect(db_path)
    return {
        "nodes": conn.execute("select id, kind, pmid from nodes order by id").fetchall(),
        "links": conn.execute("select citing_id, cited_id, origin from links "
                              "order by 1, 2, 3").fetchall(),
        "metrics": conn.execute("select node_id, in_degree, out_degree, in_degree_set, "
                                "out_degree_set, component, pagerank, engine from metrics "
                                "order by node_id").fetchall(),
        "cocitations": conn.execute("select * from cocitations order by 1, 2").fetchall(),
        "couplings": conn.execute("select * from couplings order by 1, 2").fetchall(),
        "cohesion": conn.execute("select * from document_cohesion order by 1").fetchall(),
    }


def test_both_engines_store_the_same_graph_of_the_demo_with_bulk_links(built_project, spark):
    from click.testing import CliRunner

    from litgraph.cli import cli

    db_path = built_project / "db" / "litgraph.db"
    links_file = built_project / "links.csv"
    sources = bulk_file(links_file, db_path)
    assert sources > 10
    runner = CliRunner()
    tables = {}
    modes = {}
    for engine_name, mode in (("networkx", "auto"), ("spark", "auto"), ("spark", "distributed")):
        result = runner.invoke(cli, ["graph", "--offline", "--db", str(db_path), "--cache",
                                     str(built_project / "db" / "http-cache.sqlite"), "--engine",
                                     engine_name, "--spark-master", "local[2]", "--spark-mode", mode,
                                     "--links-from", str(links_file), "--json", "-q"])
        assert result.exit_code == 0, result.output
        name = engine_name if mode == "auto" else mode
        tables[name] = graph_tables(db_path)
        modes[name] = json.loads(result.output)["counts"].get("spark_mode")
    assert modes == {"networkx": None, "spark": "driver", "distributed": "distributed"}
    networkx_tables, spark_tables = tables["networkx"], tables["spark"]
    for name in ("nodes", "links", "cocitations", "couplings", "cohesion"):
        assert spark_tables[name] == networkx_tables[name], name
        assert tables["distributed"][name] == networkx_tables[name], name
    for ours, theirs in zip(tables["distributed"]["metrics"], networkx_tables["metrics"]):
        assert ours[:6] == theirs[:6] and abs(ours[6] - theirs[6]) < 1e-6
    bulk = [link for link in spark_tables["links"] if link[2] == "bulk"]
    assert len(bulk) == 4 * sources  # three cited and one citing per source; the far pair left out
    assert len(spark_tables["metrics"]) == len(networkx_tables["metrics"])
    for ours, theirs in zip(spark_tables["metrics"], networkx_tables["metrics"]):
        assert ours[:6] == theirs[:6]
        assert abs(ours[6] - theirs[6]) < 1e-6
        assert (ours[7], theirs[7]) == ("spark; degrees, pagerank, components scipy; betweenness networkx-scipy", "networkx")


def reference_graph():
    from litgraph.graph import ReferenceGraph

    g = ReferenceGraph()
    g.nodes["miller-2010"] = {"id": "miller-2010", "kind": "source"}
    g.pmid_nodes["900000001"] = "miller-2010"
    return g


@pytest.mark.parametrize("scope", ["neighbourhood", "all"])
def test_spark_reads_a_bulk_file_into_the_rows_the_python_reader_gives(spark, tmp_path, scope):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from litgraph.graph.bulk import add_bulk_links, read_bulk_pairs
    from litgraph.graph.spark_build import bulk_frames

    pairs = [(900000002, 900000001), (900000001, 900000003), (900000004, 900000005),
             (900000002, 900000001), (900000006, 900000006), (900000001, 900000001),
             (900000005, 900000004)]
    path = tmp_path / "links.parquet"
    pq.write_table(pa.table({"citing_pmid": [a for a, _ in pairs],
                             "referenced": [b for _, b in pairs]}), path)
    python_graph = reference_graph()
    added = add_bulk_links(python_graph, read_bulk_pairs(path), scope=scope)
    new_nodes, links = bulk_frames(spark, reference_graph(), path, scope)
    assert sorted((r["id"], r["pmid"]) for r in new_nodes.collect()) == sorted(
        (node, row["pmid"]) for node, row in python_graph.nodes.items() if node != "miller-2010")
    assert sorted((r["citing"], r["cited"], "bulk") for r in links.collect()) == \
        sorted(python_graph.links)
    assert links.count() == added == (2 if scope == "neighbourhood" else 4)


def test_spark_refuses_a_bulk_row_that_is_not_a_pmid(spark, tmp_path):
    from litgraph.errors import InputError
    from litgraph.graph.bulk import read_bulk_frame

    path = tmp_path / "links.csv"
    path.write_text("citing,referenced\n900000002,900000001\n900000003,abc\n0900000004,1\n")
    with pytest.raises(InputError, match=r"links\.csv: 2 row\(s\) are not citing/referenced PMID "
                                         r"pairs, the first '900000003', 'abc'"):
        read_bulk_frame(spark, path)
    path.write_text("from,to\n1,2\n")
    with pytest.raises(InputError, match="needs a 'citing' and a 'referenced' column"):
        read_bulk_frame(spark, path)
