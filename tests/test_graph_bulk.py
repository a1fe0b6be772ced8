"""Bulk citation links (litgraph graph --links-from): CSV and Parquet files of citing/referenced PMIDs."""

import pytest

from litgraph.graph import ReferenceGraph
from litgraph.graph.bulk import add_bulk_links


def test_the_neighbourhood_keeps_pairs_touching_the_set_and_all_keeps_every_pair():
    def graph():
        g = ReferenceGraph()
        g.nodes["miller-2010"] = {"id": "miller-2010", "kind": "source"}
        g.pmid_nodes["900000001"] = "miller-2010"
        return g

    pairs = [("900000002", "900000001"), ("900000001", "900000003"),
             ("900000004", "900000005"), ("900000002", "900000001")]
    near = graph()
    assert add_bulk_links(near, pairs) == 2
    assert sorted(near.links) == [("miller-2010", "pmid:900000003", "bulk"),
                                  ("pmid:900000002", "miller-2010", "bulk")]
    assert near.nodes["pmid:900000003"]["kind"] == "external"
    everything = graph()
    assert add_bulk_links(everything, pairs, scope="all") == 3
    assert ("pmid:900000004", "pmid:900000005", "bulk") in everything.links


def test_a_bulk_row_that_is_not_a_pmid_names_the_file_and_line(tmp_path):
    from litgraph.errors import InputError
    from litgraph.graph.bulk import read_bulk_pairs

    path = tmp_path / "links.csv"
    path.write_text("citing,referenced\n900000002,900000001\n900000003,abc\n")
    with pytest.raises(InputError, match=r"links\.csv:3: 'abc' is not a PMID"):
        list(read_bulk_pairs(path))
    path.write_text("from,to\n1,2\n")
    with pytest.raises(InputError, match="needs a 'citing' and a 'referenced' column"):
        list(read_bulk_pairs(path))


def test_a_parquet_bulk_file_reads_like_the_csv(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from litgraph.graph.bulk import read_bulk_pairs

    pq.write_table(pa.table({"citing": [900000002, 900000003], "referenced": [900000001, 900000001]}),
                   tmp_path / "links.parquet")
    (tmp_path / "links.csv").write_text("citing,referenced\n900000002,900000001\n"
                                        "900000003,900000001\n")
    assert list(read_bulk_pairs(tmp_path / "links.parquet")) == \
        list(read_bulk_pairs(tmp_path / "links.csv"))
