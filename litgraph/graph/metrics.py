"""Metrics of the citation graph: pure functions of a NetworkX directed graph.

Nothing here reads the database or the network.  Every function takes a
``networkx.DiGraph`` whose edges point from the citing work to the cited work
and returns plain rows (dicts) ready to be stored.  Work that would be slow in
pure Python on a large graph (a million edges) is done on a SciPy sparse
adjacency matrix instead, and cross-checked against NetworkX in the tests.

>>> import networkx as nx
>>> G = nx.DiGraph([("review", "trial"), ("review", "cohort"), ("letter", "trial"),
...                 ("letter", "cohort")])
>>> cocitation_pairs(G)
[{'source_a': 'cohort', 'source_b': 'trial', 'count': 2}]
>>> coupling_pairs(G)
[{'source_a': 'letter', 'source_b': 'review', 'strength': 2}]
"""

import random
import time
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ..errors import InputError

BETWEENNESS_EXACT = "exact"

# PageRank, the same on every engine: NetworkX's damping, and iteration until the L1 change of
# the whole vector is under PAGERANK_TOLERANCE.  (NetworkX's own default stops when the change is
# under N x 1e-6, which from about a million nodes accepts the first step from uniform.)
PAGERANK_ALPHA = 0.85
PAGERANK_TOLERANCE = 1e-6
PAGERANK_MAX_ITERATIONS = 200  # the change shrinks by at least alpha a step: 90 always suffice
PAIR_CHUNK_PRODUCTS = 1_000_000  # products of M @ M.T one chunk of rows may make (~16 bytes each)
PAIR_MAX_LIST = 2000  # the longest list pairs are counted over (cocitation_pairs, coupling_pairs)


def node_order(G) -> list:
    """The nodes of ``G`` in the order every metric uses (sorted by id, as text)."""
    return sorted(G.nodes(), key=str)


def adjacency_matrix(G, nodelist=None) -> sp.csr_array:
    """A 0/1 CSR matrix with ``A[i, j] == 1`` when node ``i`` cites node ``j``.

    Parallel edges of a multigraph (one per origin) count once.
    """
    nodelist = node_order(G) if nodelist is None else nodelist
    n = len(nodelist)
    if n == 0:
        return sp.csr_array((0, 0), dtype=np.float64)
    index = {node: i for i, node in enumerate(nodelist)}
    m = sum(len(neighbours) for _node, neighbours in G.adjacency())  # parallel edges once
    rows = np.empty(m, dtype=np.int64)
    cols = np.empty(m, dtype=np.int64)
    filled = 0
    for node, neighbours in G.adjacency():
        if neighbours:
            rows[filled:filled + len(neighbours)] = index[node]
            cols[filled:filled + len(neighbours)] = [index[v] for v in neighbours]
            filled += len(neighbours)
    return adjacency_from_arrays(rows, cols, n)


def adjacency_from_arrays(rows, cols, n) -> sp.csr_array:
    """A 0/1 CSR matrix from parallel arrays of citing and cited node indexes."""
    A = sp.csr_array((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(n, n))
    A.sum_duplicates()
    A.data[:] = 1.0
    return A


def _gather(A, rows):
    """For CSR ``A`` and row indexes ``rows``: (position of each entry's row in ``rows``, column)."""
    starts = A.indptr[rows]
    lengths = A.indptr[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    owner = np.repeat(np.arange(len(rows)), lengths)
    offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return owner, A.indices[np.repeat(starts, lengths) + offsets]


def _dependencies(A, source, n):
    """Brandes' single-source step on an unweighted directed graph, vectorised by BFS level.

    Returns the dependency of ``source`` on every node (``delta`` in Brandes 2001).
    """
    dist = np.full(n, -1, dtype=np.int64)
    sigma = np.zeros(n)
    dist[source] = 0
    sigma[source] = 1.0
    levels = [np.array([source], dtype=np.int64)]
    while True:
        frontier = levels[-1]
        owner, reached = _gather(A, frontier)
        fresh = dist[reached] == -1
        reached, owner = reached[fresh], owner[fresh]
        if reached.size == 0:
            break
        sigma += np.bincount(reached, weights=sigma[frontier][owner], minlength=n)
        if reached.size * 16 < n:
            new = np.unique(reached)
        else:  # a large level: counting per node is cheaper than sorting it
            new = np.flatnonzero(np.bincount(reached, minlength=n))
        dist[new] = len(levels)
        levels.append(new)
    delta = np.zeros(n)
    for depth in range(len(levels) - 1, 0, -1):
        parents = levels[depth - 1]
        owner, child = _gather(A, parents)
        keep = dist[child] == depth
        owner, child = owner[keep], child[keep]
        share = np.bincount(owner, weights=(1.0 + delta[child]) / sigma[child],
                            minlength=len(parents))
        delta[parents] += sigma[parents] * share
    delta[source] = 0.0
    return delta


def betweenness_scores(A, sources=None) -> np.ndarray:
    """Normalised shortest-path betweenness of every node of adjacency matrix ``A``.

    With ``sources=None`` every node is a source (exact).  With a list of node
    indexes only those are, and the scores are rescaled the way
    ``networkx.betweenness_centrality(G, k=len(sources))`` rescales them, so the
    same sample gives the same numbers as NetworkX.
    """
    n = A.shape[0]
    scores = np.zeros(n)
    if n < 3:
        return scores
    chosen = range(n) if sources is None else sources
    for s in chosen:
        scores += _dependencies(A, int(s), n)
    if sources is None:
        return scores / ((n - 1) * (n - 2))
    k = len(sources)
    scale = np.full(n, 1.0 / (k * (n - 2)))
    if k > 1:
        scale[np.asarray(list(sources), dtype=np.int64)] = 1.0 / ((k - 1) * (n - 2))
    else:
        scale[np.asarray(list(sources), dtype=np.int64)] = np.nan
    return scores * scale


def _components(A) -> np.ndarray:
    """Weakly connected component of each node: 0 is the largest, ties by lowest node index."""
    n = A.shape[0]
    if n == 0:
        return np.empty(0, dtype=np.int64)
    _count, labels = connected_components(A, directed=True, connection="weak")
    sizes = np.bincount(labels)
    first = np.full(len(sizes), n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n))
    order = np.lexsort((first, -sizes))
    rank = np.empty(len(sizes), dtype=np.int64)
    rank[order] = np.arange(len(sizes))
    return rank[labels]


def compute_metrics(G, set_nodes, betweenness_exact_max=5000, sample_k=500, seed=0,
                    timings=None) -> list:
    """One row of metrics per node of the citation graph ``G``.

    Parameters
    ----------
    G : networkx.DiGraph
        Edges point from the citing work to the cited work.  A MultiDiGraph
        (one edge per origin) is counted as if each citing/cited pair were one edge.
    set_nodes : iterable
        The reference set (sources and documents); ``in_degree_set`` and
        ``out_degree_set`` count only edges from or to these nodes.
    betweenness_exact_max : int
        Up to this many nodes betweenness is exact; above it, it is estimated
        from ``sample_k`` source nodes drawn with ``random.Random(seed)``.
    sample_k, seed : int
        The sample size and its seed (the estimate is reproducible).
    timings : dict, optional
        Receives the seconds spent on each step (for benchmarks).

    Returns
    -------
    list of dict
        Keys ``node_id, kind, in_degree, out_degree, in_degree_set,
        out_degree_set, pagerank, betweenness, betweenness_method, component``,
        in node id order.  ``betweenness_method`` is ``"exact"`` or
        ``"sampled k=<k> seed=<seed>"``; ``component`` numbers the weakly
        connected components from 0 (the largest).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> [(r["node_id"], r["in_degree"], r["betweenness"]) for r in compute_metrics(G, {"a", "b"})]
    [('a', 0, 0.0), ('b', 1, 0.5), ('c', 1, 0.0)]
    """
    check_metric_settings(betweenness_exact_max, sample_k)
    lap = Laps({} if timings is None else timings)
    nodelist = node_order(G)
    if not nodelist:
        return []
    A = adjacency_matrix(G, nodelist)
    lap("adjacency")
    pagerank = nx.pagerank(nx.DiGraph(G) if G.is_multigraph() else G, alpha=PAGERANK_ALPHA,
                           tol=PAGERANK_TOLERANCE / len(nodelist),  # NetworkX's test: N x tol
                           max_iter=PAGERANK_MAX_ITERATIONS)
    lap("pagerank")
    kinds = G.nodes
    return metric_rows(A, nodelist, [kinds[node].get("kind") for node in nodelist], set_nodes,
                       [pagerank[node] for node in nodelist], list(G.nodes()),
                       (betweenness_exact_max, sample_k, seed), lap)


def check_metric_settings(betweenness_exact_max, sample_k) -> None:
    if betweenness_exact_max < 0 or sample_k < 1:
        raise InputError("betweenness_exact_max must be >= 0 and sample_k >= 1")


def metric_rows(A, nodelist, kinds, set_nodes, pagerank, sample_from, betweenness, lap) -> list:
    """``compute_metrics``' rows from the adjacency ``A`` of ``nodelist`` (node_order), each
    node's kind and PageRank in that order, the nodes a betweenness sample is drawn from
    (in the graph's own order) and ``betweenness``: (exact_max, sample_k, seed)."""
    degrees = _degrees(A, nodelist, set(set_nodes))
    lap("degrees")
    exact_max, sample_k, seed = betweenness
    if len(nodelist) <= exact_max:
        scores, method = betweenness_scores(A), BETWEENNESS_EXACT
    else:
        scores, method = sampled_betweenness(A, sample_from, sample_k, seed, order=nodelist)
    lap("betweenness")
    component = _components(A)
    lap("components")
    # whole columns to Python at once, not one NumPy scalar per node and column
    columns = zip(nodelist, kinds, degrees.in_degree.astype(np.int64).tolist(),
                  degrees.out_degree.astype(np.int64).tolist(),
                  degrees.in_degree_set.astype(np.int64).tolist(),
                  degrees.out_degree_set.astype(np.int64).tolist(), pagerank, scores.tolist(),
                  component.tolist())
    rows = [
        {"node_id": node, "kind": kind, "in_degree": d_in, "out_degree": d_out,
         "in_degree_set": s_in, "out_degree_set": s_out, "pagerank": float(rank),
         "betweenness": b, "betweenness_method": method, "component": c}
        for node, kind, d_in, d_out, s_in, s_out, rank, b, c in columns
    ]
    lap("rows")
    return rows


class Laps:
    """Adds the seconds since the last call to ``timings[step]`` (benchmarks read them)."""

    def __init__(self, timings: dict):
        self.timings, self.clock = timings, time.perf_counter()

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        self.timings[step] = round(self.timings.get(step, 0.0) + now - self.clock, 3)
        self.clock = now


@dataclass
class _Degrees:
    """Per node (in node order): edges in and out, and those from or to the reference set."""

    in_degree: np.ndarray
    out_degree: np.ndarray
    in_degree_set: np.ndarray
    out_degree_set: np.ndarray


def _degrees(A, nodelist, set_nodes: set) -> _Degrees:
    in_set = np.fromiter((node in set_nodes for node in nodelist), dtype=bool, count=len(nodelist))
    mask = in_set.astype(np.float64)
    return _Degrees(in_degree=np.asarray(A.sum(axis=0)).ravel(),
                    out_degree=np.asarray(A.sum(axis=1)).ravel(),
                    in_degree_set=A.T @ mask, out_degree_set=A @ mask)


def sampled_betweenness(A, nodes, sample_k, seed, order=None):
    """Betweenness from ``sample_k`` sources drawn by ``random.Random(seed).sample(nodes, k)``,
    and its method: the one draw every engine makes.  ``order`` is the node of each row of
    ``A`` (default: ``nodes``)."""
    k = min(sample_k, len(nodes))
    picked = random.Random(seed).sample(nodes, k)
    row = {node: i for i, node in enumerate(nodes if order is None else order)}
    return betweenness_scores(A, [row[node] for node in picked]), f"sampled k={k} seed={seed}"


def _top_pairs(M, top, chunk_products=None):
    """The ``top`` largest off-diagonal entries (i < j) of ``M @ M.T`` as (i, j, value) arrays.

    Computed in row chunks so that the full product never sits in memory: each
    chunk's rows make at most about ``chunk_products`` products (its entries
    can be no more), so a chunk of hub rows is short and one of sparse rows long.
    ``M.T`` is made CSR once: SciPy converts a product's right operand to the
    left one's format, which for a CSC ``M.T`` is a pass over M per chunk.
    """
    M = sp.csr_array(M)
    MT = sp.csr_array(M.T)
    best_i = np.empty(0, dtype=np.int64)
    best_j = np.empty(0, dtype=np.int64)
    best_v = np.empty(0, dtype=np.float64)
    budget = chunk_products or PAIR_CHUNK_PRODUCTS
    cut = -np.inf
    for start, stop in _row_chunks(M, np.diff(MT.indptr), budget):
        block = M[start:stop] @ MT
        # below the top-th value kept so far an entry can never make the top: drop it before
        # any row index is made (one int64 per entry kept, not three arrays per product)
        at = np.flatnonzero(block.data >= cut)
        i = np.searchsorted(block.indptr, at, side="right") - 1 + start
        j = block.indices[at].astype(np.int64)
        upper = j > i
        i, j, v = i[upper], j[upper], block.data[at[upper]]
        del block, at
        best_i = np.concatenate([best_i, i])
        best_j = np.concatenate([best_j, j])
        best_v = np.concatenate([best_v, v])
        if best_v.size > 2 * top:
            keep = _best(best_i, best_j, best_v, top)
            best_i, best_j, best_v = best_i[keep], best_j[keep], best_v[keep]
            cut = best_v[-1]
    keep = _best(best_i, best_j, best_v, top)
    return best_i[keep], best_j[keep], best_v[keep]


def _row_chunks(M, list_lengths, budget):
    """(start, stop) row ranges of ``M`` whose products with ``M.T`` number about ``budget``
    each: row ``i`` makes ``sum(list_lengths[k] for k in row i)`` of them (at least one row)."""
    products = np.cumsum(M @ list_lengths.astype(np.float64))
    start = 0
    while start < M.shape[0]:
        before = products[start - 1] if start else 0.0
        stop = int(np.searchsorted(products, before + budget, side="right"))
        stop = max(stop, start + 1)
        yield start, stop
        start = stop


def _rank(i, j, v):
    """Order: value descending, then i, then j (deterministic ties)."""
    return np.lexsort((j, i, -v))


def _best(i, j, v, top):
    """``_rank(i, j, v)[:top]``, sorting only the ``top`` entries that make it.

    A partition finds the ``top``-th value; of the entries tied at it, those with
    the lowest (i, j) are found by a partition on one key.  (A chunk holds up to a
    million entries; sorting them all by three keys was most of the pair time.)
    """
    if 0 < top < v.size:
        cut = np.partition(v, v.size - top)[v.size - top]
        above = np.flatnonzero(v > cut)
        tied = np.flatnonzero(v == cut)
        need = top - above.size
        if tied.size > need:
            key = i[tied] * (int(j[tied].max()) + 1) + j[tied]  # ordered as (i, j)
            tied = tied[np.argpartition(key, need - 1)[:need]]
        chosen = np.concatenate([above, tied])
        return chosen[_rank(i[chosen], j[chosen], v[chosen])]
    return _rank(i, j, v)[:top]


def _pair_rows(G, top, max_list, column, transpose):
    check_pair_settings(top, max_list)
    nodelist = node_order(G)
    if len(nodelist) < 2 or top == 0:
        return []
    return pair_rows(adjacency_matrix(G, nodelist), nodelist, top, max_list, column, transpose)


def check_pair_settings(top, max_list) -> None:
    if top < 0 or max_list < 1:
        raise InputError("top must be >= 0 and max_list >= 1")


def pair_rows(A, nodelist, top, max_list, column, transpose) -> list:
    """Co-citation (``transpose``) or coupling rows from the adjacency ``A`` of ``nodelist``."""
    if len(nodelist) < 2 or top == 0:
        return []
    # Pairs are counted over lists: the reference lists of citing works
    # (co-citation) or the citing lists of cited works (coupling).  A list
    # longer than max_list is left out so that one hub cannot create
    # millions of pairs.
    if transpose:  # co-citation: items are cited works, lists are citing works
        list_length = np.asarray(A.sum(axis=1)).ravel()
        M = A.T.tocsr() @ sp.diags_array((list_length <= max_list).astype(np.float64))
    else:  # coupling: items are citing works, lists are cited works
        list_length = np.asarray(A.sum(axis=0)).ravel()
        M = A @ sp.diags_array((list_length <= max_list).astype(np.float64))
    M = sp.csr_array(M)
    M.eliminate_zeros()
    i, j, v = _top_pairs(M, top)
    return [{"source_a": nodelist[a], "source_b": nodelist[b], column: int(round(c))}
            for a, b, c in zip(i.tolist(), j.tolist(), v.tolist())]


def cocitation_pairs(G, top=1000, max_list=PAIR_MAX_LIST) -> list:
    """Pairs of works cited together, with how many works cite both.

    Parameters
    ----------
    G : networkx.DiGraph
        Citing -> cited edges.
    top : int
        Keep the ``top`` pairs with the highest count (ties: lowest ids first).
    max_list : int
        A citing work listing more than this many references is not counted
        (the count is exact when no reference list is that long).

    Returns
    -------
    list of dict
        ``{"source_a", "source_b", "count"}`` with ``source_a < source_b``,
        highest count first.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("x", "a"), ("x", "b"), ("y", "a"), ("y", "b"), ("y", "c")])
    >>> cocitation_pairs(G, top=2)
    [{'source_a': 'a', 'source_b': 'b', 'count': 2}, {'source_a': 'a', 'source_b': 'c', 'count': 1}]
    """
    return _pair_rows(G, top, max_list, "count", transpose=True)


def coupling_pairs(G, top=1000, max_list=PAIR_MAX_LIST) -> list:
    """Pairs of works that cite the same works (bibliographic coupling), with how many they share.

    Parameters
    ----------
    G : networkx.DiGraph
        Citing -> cited edges.
    top : int
        Keep the ``top`` pairs with the highest strength (ties: lowest ids first).
    max_list : int
        A work cited by more than this many works is not counted (the strength
        is exact when no work is cited that often).

    Returns
    -------
    list of dict
        ``{"source_a", "source_b", "strength"}`` with ``source_a < source_b``,
        strongest first.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("x", "a"), ("x", "b"), ("y", "a"), ("y", "b"), ("z", "b")])
    >>> coupling_pairs(G)
    [{'source_a': 'x', 'source_b': 'y', 'strength': 2}, {'source_a': 'x', 'source_b': 'z', 'strength': 1}, {'source_a': 'y', 'source_b': 'z', 'strength': 1}]
    """
    return _pair_rows(G, top, max_list, "strength", transpose=False)


def document_cohesion(G, documents) -> list:
    """For each document, how many of the sources it lists cite one another.

    Parameters
    ----------
    G : networkx.DiGraph
        Citing -> cited edges.
    documents : dict
        Document id -> the node ids of the sources the document lists (its own
        node, when it is a publication, is not one of them).

    Returns
    -------
    list of dict
        ``{"document_id", "sources", "citing_pairs", "density"}`` by document
        id: ``sources`` the listed sources present in ``G``, ``citing_pairs``
        the ordered pairs (a, b) of them where a cites b, ``density`` that
        count over ``sources * (sources - 1)`` (None below two sources).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("doc", "a"), ("doc", "b"), ("doc", "c"), ("b", "a")])
    >>> document_cohesion(G, {"doc": ["a", "b", "c"]})
    [{'document_id': 'doc', 'sources': 3, 'citing_pairs': 1, 'density': 0.16666666666666666}]
    """
    rows = []
    for document_id in sorted(documents):
        members = {node for node in documents[document_id] if node in G}
        pairs = len({(u, v) for u, v in G.subgraph(members).edges() if u != v})
        size = len(members)
        rows.append({
            "document_id": document_id,
            "sources": size,
            "citing_pairs": pairs,
            "density": pairs / (size * (size - 1)) if size > 1 else None,
        })
    return rows
