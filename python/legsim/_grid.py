"""The grid of a sweep: its points in run order and which point is next to which (legsim.sweep's warm
starts come from grid neighbours)."""
from __future__ import annotations

import numpy as np


class _Grid:
    """The points of a sweep (index tuples, last axis fastest) and their neighbourhood."""

    def __init__(self, dims, coords, shape, points):
        self.dims, self.coords, self.shape, self.points = dims, coords, shape, points
        self.strides = [int(np.prod(shape[d + 1:])) for d in range(len(shape))]
        # Rank of each value along its axis: sorted order for numbers, the given order for categories.
        self.rank = []
        for d in dims:
            vals = coords[d]
            if all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in vals):
                order = sorted(range(len(vals)), key=lambda i: (vals[i], i))
                self.rank.append([order.index(i) for i in range(len(vals))])
            else:
                self.rank.append(list(range(len(vals))))

    def neighbour(self, k, step):
        """The grid point one step (−1 or +1) from k along the last axis where that exists, else
        along the nearest earlier axis; None at the grid's first (step −1) or last (step +1) point."""
        idx = self.points[k]
        for d in range(len(self.shape) - 1, -1, -1):
            if 0 <= idx[d] + step < self.shape[d]:
                return k + step * self.strides[d]
        return None

    def predecessors(self, k):
        """The points one index before k along each axis (the grid's lower set of k is these and
        theirs): once they have finished, every point before k along every axis has."""
        idx = self.points[k]
        return [k - self.strides[d] for d in range(len(idx)) if idx[d] > 0]

    def successors(self, k):
        """The points one index after k along each axis."""
        idx = self.points[k]
        return [k + self.strides[d] for d in range(len(idx)) if idx[d] + 1 < self.shape[d]]

    def below(self, k, candidates):
        """The candidates before k (or equal) along every axis, k itself excluded: the points a
        prediction at k may warm-start from. Every walk of the grid (in storage order, or in waves
        on Dask) has finished them before k, so the seed does not depend on the walk."""
        idx = self.points[k]
        return [j for j in candidates if j != k and all(a <= b for a, b in zip(self.points[j], idx))]

    def warm_seed(self, k, step, usable):
        """The warm start of point k in a pass that walks in direction −step (step −1: the forward
        pass, seeds from predecessors; +1: the backward pass, from successors): the first point j
        along k's chain of ``neighbour(·, step)`` with ``usable(j)`` true (converged), or None when
        no point of the chain is usable (a cold start). The chain stays on k's own grid line and the
        lines it branches from, so the seed does not depend on the order in which other parts of
        the grid ran: the local walk and the Dask one (legsim._dask) get the same seeds."""
        j = self.neighbour(k, step)
        while j is not None and not usable(j):
            j = self.neighbour(j, step)
        return j

    def nearest(self, k, candidates):
        """The candidate fewest grid steps (in ranks) from k; ties go to the one that differs from k
        along the later axis, then to the earlier point. None without candidates."""
        def key(j):
            a, b = self.points[k], self.points[j]
            steps = [abs(self.rank[d][a[d]] - self.rank[d][b[d]]) for d in range(len(a))]
            last_axis = max((d for d in range(len(a)) if steps[d]), default=-1)
            return sum(steps), -last_axis, j
        return min(candidates, key=key, default=None)

    def describe(self, j, k):
        """Point j by its coordinates that differ from point k's ("cadence=160")."""
        a, b = self.points[j], self.points[k]
        return ", ".join(f"{d}={self.coords[d][a[i]]}" for i, d in enumerate(self.dims) if a[i] != b[i])
