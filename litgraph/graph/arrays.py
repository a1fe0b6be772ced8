"""The NetworkX engine's rows for the graph stage, from one SciPy adjacency and no NetworkX graph.

``litgraph.graph.metrics`` documents its functions on a ``networkx.DiGraph``.  The
graph stage already holds its nodes and links as sorted rows, so ``networkx_rows``
builds the 0/1 adjacency once from them and gives it to every step: the same
rows as ``to_networkx`` then ``compute_metrics``, ``cocitation_pairs``,
``coupling_pairs`` and ``document_cohesion`` (PageRank computed as
``networkx.pagerank`` computes it on that graph), without a graph of one dict per
node and edge, or an adjacency per step.
"""

from operator import itemgetter

import numpy as np
import scipy.sparse as sp

from ..errors import InputError

from .metrics import (PAGERANK_ALPHA, PAGERANK_MAX_ITERATIONS, PAGERANK_TOLERANCE, PAIR_MAX_LIST,
                      Laps, adjacency_from_arrays, check_metric_settings, metric_rows, pair_rows)


def adjacency_of(nodelist, links):
    """The adjacency of (citing, cited, origin) ``links`` between the nodes of ``nodelist``."""
    index = {node: i for i, node in enumerate(nodelist)}
    rows = np.fromiter(map(index.__getitem__, map(itemgetter(0), links)), dtype=np.int64,
                       count=len(links))
    cols = np.fromiter(map(index.__getitem__, map(itemgetter(1), links)), dtype=np.int64,
                       count=len(links))
    return adjacency_from_arrays(rows, cols, len(nodelist))


def pagerank(A, alpha=PAGERANK_ALPHA, tol=PAGERANK_TOLERANCE, max_iter=PAGERANK_MAX_ITERATIONS):
    """PageRank per row of the 0/1 adjacency ``A``, and the iterations it took: the very numbers
    ``networkx.pagerank(G, alpha, tol=tol / N)`` gives (what ``compute_metrics`` asks) when
    ``A`` is G's adjacency in G's node order.  The NetworkX engine's graph stage and the
    Spark engine's driver path both use it; tests hold it to NetworkX's.

    Each step makes the same floating-point operations in the same order as
    NetworkX's SciPy iteration (rows scaled by out-degree, dangling rank spread
    evenly, the L1 change against N times its tolerance), so the results agree
    to the last bit.  Raises InputError when it does not converge in ``max_iter``.
    """
    n = A.shape[0]
    scale = np.asarray(A.sum(axis=1), dtype=np.float64).ravel()
    scale[scale != 0] = 1.0 / scale[scale != 0]
    W = sp.dia_array((scale, 0), shape=A.shape).tocsr() @ A
    x = np.repeat(1.0 / n, n)
    even = np.repeat(1.0 / n, n)
    dangling = np.where(scale == 0)[0]
    limit = n * (tol / n)  # compute_metrics hands NetworkX tol / N, which it multiplies by N
    for iteration in range(1, max_iter + 1):
        last = x
        x = alpha * (x @ W + sum(x[dangling]) * even) + (1 - alpha) * even
        if np.absolute(x - last).sum() < limit:
            return x, iteration
    raise InputError(f"PageRank did not converge in {max_iter} iterations")


def cohesion_rows(A, index, documents) -> list:
    """``metrics.document_cohesion`` from the adjacency; ``index`` maps node id to row."""
    rows = []
    for document_id in sorted(documents):
        members = np.array(sorted({index[n] for n in documents[document_id] if n in index}),
                           dtype=np.int64)
        size = len(members)
        pairs = 0
        if size:
            block = A[members][:, members]
            pairs = int(block.nnz - np.count_nonzero(block.diagonal()))  # a self-link is no pair
        rows.append({"document_id": document_id, "sources": size, "citing_pairs": pairs,
                     "density": pairs / (size * (size - 1)) if size > 1 else None})
    return rows


def networkx_rows(nodes, links, set_nodes, documents, betweenness_exact_max, sample_k, top):
    """(metrics, cocitations, couplings, cohesion, edges) of node rows sorted by id and
    (citing, cited, origin) links between them, as the NetworkX engine stores them."""
    check_metric_settings(betweenness_exact_max, sample_k)
    nodelist = [row["id"] for row in nodes]
    A = adjacency_of(nodelist, links)
    metrics = []
    if nodelist:
        metrics = metric_rows(A, nodelist, [row.get("kind") for row in nodes], set_nodes,
                              pagerank(A)[0].tolist(), nodelist,
                              (betweenness_exact_max, sample_k, 0), Laps({}))
    cocitations = pair_rows(A, nodelist, top, PAIR_MAX_LIST, "count", transpose=True)
    couplings = pair_rows(A, nodelist, top, PAIR_MAX_LIST, "strength", transpose=False)
    cohesion = cohesion_rows(A, {node: i for i, node in enumerate(nodelist)}, documents)
    return metrics, cocitations, couplings, cohesion, int(A.nnz)
