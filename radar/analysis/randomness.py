"""The radar's one default seed for its Monte Carlo computations.

Every random draw of the radar (the emerging-movement scan's replications, the Gi* permutations
of the clusters and of the trends, the Monte Carlo Fisher test of the insights) starts from a
seed, this one unless told otherwise, so that the same data always give the same results. The
site overrides it with the ``RADAR_RANDOM_SEED`` setting; the results report the seed used.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

DEFAULT_SEED = 20261127

_GLOBAL_STATE_LOCK = threading.Lock()


@contextmanager
def private_global_random_state() -> Iterator[None]:
    """Run code that seeds and draws from NumPy's *global* generator (esda's permutations do,
    without numba: ``np.random.seed(seed)`` then ``np.random.choice``) as if it had its own.

    Two such computations in two threads (radar.reports.cache's background recomputations)
    would otherwise interleave their draws on the one global state, and a seeded result would depend
    on timing. The lock makes them take turns, and the global state is put back afterwards so
    that nothing else sees it reseeded.
    """
    with _GLOBAL_STATE_LOCK:
        state = np.random.get_state()
        try:
            yield
        finally:
            np.random.set_state(state)
