"""The Spark engine's co-citation and bibliographic-coupling pairs: ``A Aᵀ`` over Spark tasks.

The costly metric of a citation graph with a heavy-tailed in-degree: every
pair of works that share a citing (or cited) work.  ``top_pairs`` broadcasts
the items x lists matrix, deals row chunks of equal work to Spark tasks, lets
each keep its best ``top`` pairs and keeps the best ``top`` of those, which
is exactly ``metrics._top_pairs`` over the whole product (the ranking is a
total order).  The tasks run Python (NumPy, SciPy).
"""

import uuid

from ..errors import InputError


def _pair_matrix(A, max_list, transpose):
    """Items x lists (0/1, float32, CSR): the matrix whose ``M @ M.T`` counts shared lists.

    As ``metrics._pair_rows``: co-citation (``transpose``) has cited works as
    items and citing works' reference lists as lists; coupling the other way
    round.  A list longer than ``max_list`` is left out.
    """
    import numpy as np
    import scipy.sparse as sp

    if transpose:
        lengths, M = np.diff(A.indptr), sp.csr_array(A.T)
    else:
        lengths, M = np.bincount(A.indices, minlength=A.shape[1]), A
    M = sp.csr_array(M @ sp.diags_array((lengths <= max_list).astype(np.float32)))
    M.eliminate_zeros()
    return M.astype(np.float32)


_WORKER_MATRICES = {}  # key of a broadcast -> (M, M.T), kept by a Python worker between its tasks
# Both are CSR: SciPy converts the right operand of a sparse product to the
# left one's format, so a CSC ``M.T`` would be converted (a pass over every
# link) once per chunk.


def _rows_top(M, MT, chunks, top):
    """The ``top`` best (i, j, shared) with ``i < j`` in ``M @ M.T``, over row ``chunks``.

    Once ``top`` entries are kept, a block's entries below the ``top``-th
    best value so far cannot enter, and are dropped before the exact sort.
    """
    import numpy as np
    import scipy.sparse as sp

    from .metrics import _rank

    best = [np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0, np.float32)]
    floor = 0.0
    for start, stop in chunks:
        block = sp.coo_array(M[start:stop] @ MT)
        keep = (block.col > block.row + start) & (block.data >= floor)
        v = block.data[keep]
        if v.size > top:  # only entries as good as the top-th of this block can enter
            keep[keep] = v >= np.partition(v, v.size - top)[v.size - top]
            v = block.data[keep]
        best = [np.concatenate([best[0], block.row[keep].astype(np.int64) + start]),
                np.concatenate([best[1], block.col[keep].astype(np.int64)]),
                np.concatenate([best[2], v])]
        if best[2].size > top:
            order = _rank(*best)[:top]
            best = [column[order] for column in best]
            floor = float(best[2][-1])
    order = _rank(*best)[:top]
    return [column[order] for column in best]


def _worker_matrices(key, matrix):
    """``(M, M.T)`` from the broadcast, built once per Python worker (module state, by reference)."""
    import numpy as np
    import scipy.sparse as sp

    if key not in _WORKER_MATRICES:
        indptr, indices, shape = matrix.value
        M = sp.csr_array((np.ones(len(indices), dtype=np.float32), indices, indptr), shape=shape)
        _WORKER_MATRICES.clear()
        _WORKER_MATRICES[key] = (M, sp.csr_array(M.T))
    return _WORKER_MATRICES[key]


def _pair_task(matrix, key, top):
    """The function each Spark task runs over its lists of row chunks (``mapPartitions``)."""

    def run(tasks):
        import numpy as np

        M, MT = _worker_matrices(key, matrix)
        for chunks in tasks:
            i, j, v = _rows_top(M, MT, chunks, top)
            yield i, j, np.rint(v).astype(np.int64)

    return run


def _chunks(M, tasks, chunk_work=4_000_000):
    """Row chunks of about ``chunk_work`` products each, dealt into ``tasks`` lists of equal work.

    A row's work in ``M @ M.T`` is the summed length of its columns; with a
    heavy-tailed degree a few rows carry most of it, so equal row counts
    would leave one task with nearly everything.
    """
    import numpy as np

    lengths = np.bincount(M.indices, minlength=M.shape[1]).astype(np.float64)
    summed = np.concatenate([[0.0], np.cumsum(lengths[M.indices])])
    work = summed[M.indptr[1:]] - summed[M.indptr[:-1]]
    total = np.cumsum(work + 1.0)
    cuts = np.searchsorted(total, np.arange(chunk_work, total[-1], chunk_work))
    bounds = np.unique(np.concatenate([[0], cuts + 1, [M.shape[0]]]).clip(0, M.shape[0]))
    chunks = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    ends = total[np.array([b for _a, b in chunks]) - 1]
    share = np.minimum((ends - 1e-9) * tasks // total[-1], tasks - 1).astype(int)
    dealt = [[] for _ in range(tasks)]
    for chunk, task in zip(chunks, share):
        dealt[task].append(chunk)
    return [chunk_list for chunk_list in dealt if chunk_list]


def top_pairs(spark, A, transpose: bool, top: int, max_list: int):
    """The ``top`` pairs of items that share the most lists, as (i, j, count) arrays.

    The items x lists matrix goes to every executor once (a broadcast); each
    Spark task multiplies a range of its rows by its transpose in chunks and
    keeps its own best ``top``; the driver keeps the best ``top`` of those.
    The ranking (count descending, then i, then j) is a total order, so the
    result is exactly ``metrics._top_pairs`` over the whole product.
    """
    import numpy as np

    from .metrics import _rank

    if top < 0 or max_list < 1:
        raise InputError("top must be >= 0 and max_list >= 1")
    if top == 0 or A.shape[0] < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    M = _pair_matrix(A, max_list, transpose)
    matrix = spark.sparkContext.broadcast((M.indptr, M.indices, M.shape))
    try:
        dealt = _chunks(M, max(1, 4 * spark.sparkContext.defaultParallelism))
        found = (spark.sparkContext.parallelize(dealt, len(dealt))
                 .mapPartitions(_pair_task(matrix, uuid.uuid4().hex, top)).collect())
    finally:
        matrix.unpersist()
    i, j, v = (np.concatenate([part[c] for part in found]) for c in range(3))
    keep = _rank(i, j, v.astype(np.float64))[:top]
    return i[keep], j[keep], v[keep]
