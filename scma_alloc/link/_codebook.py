"""SCMA codebooks: the :class:`Codebook` object, its normalisation and its properties.

A codebook set holds, for each of J users (layers), M codewords on K resources:
``codewords[j, k, m]`` (complex). A user occupies the resources where its entries are not
all zero; those 0/1 patterns form the codebook's factor graph (K x J, the layout of
:attr:`scma_alloc.AllocationResult.assignment`).

Normalisation (the one applied on load, :meth:`Codebook.normalized`): the superposed signal
has unit mean power per resource element,
``sum_j mean_m sum_k |codewords[j, k, m]|**2 / K = 1``, with codewords equally likely. The
published tables are shipped that way (to their printed digits); Es/N0 of a simulation is
then the inverse of the noise variance per resource element.

Properties (definitions in :meth:`Codebook.min_distance`,
:meth:`Codebook.min_product_distance` and :meth:`Codebook.distinct_points`): minimum
Euclidean distance between the codewords of one user or between superposed codewords,
minimum product distance, number of distinct points per dimension.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["MAX_SUPERPOSED_HYPOTHESES", "POINT_TOLERANCE", "Codebook"]

#: Largest number of joint hypotheses M**J for which the superposed distances are computed.
MAX_SUPERPOSED_HYPOTHESES = 1 << 16
#: Two constellation points closer than this (after normalisation) count as one point.
POINT_TOLERANCE = 1e-6


class Codebook:
    """A set of SCMA codebooks: M codewords per user on K resources.

    Parameters
    ----------
    codewords : array_like of complex, shape (J, K, M)
        ``codewords[j, k, m]``: entry on resource ``k`` of codeword ``m`` of user ``j``.
        Finite; every user needs a non-zero entry; M a power of two (>= 2), so a codeword
        carries ``log2(M)`` bits.
    name : str, optional
        A label ("CS1", a file name).
    source : str, optional
        Where the table comes from (shown in reprs and figure captions).

    Raises
    ------
    TypeError
        If ``codewords`` is not numeric.
    ValueError
        On a wrong shape, NaN or infinite entries, an all-zero user, or M not a power of
        two.

    Notes
    -----
    The object is immutable; the array is stored read-only as complex128. The constructor
    does not normalise: :func:`scma_alloc.link.load_codebook` does, and
    :meth:`normalized` returns a normalised copy.

    Examples
    --------
    >>> from scma_alloc.link import load_codebook
    >>> cb = load_codebook("CS1")
    >>> cb.n_users, cb.n_resources, cb.order, cb.bits_per_codeword
    (6, 4, 4, 2)
    >>> cb.factor_graph
    array([[0, 1, 1, 0, 1, 0],
           [1, 0, 1, 0, 0, 1],
           [0, 1, 0, 1, 0, 1],
           [1, 0, 0, 1, 1, 0]], dtype=int8)
    """

    def __init__(self, codewords: ArrayLike, name: str = "", source: str = "") -> None:
        try:
            array = np.asarray(codewords)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"codewords must be a numeric array: {exc}") from None
        if array.dtype.kind not in "biufc":
            raise TypeError(f"codewords must be a numeric array, got dtype {array.dtype}")
        array = array.astype(np.complex128)
        if array.ndim != 3 or 0 in array.shape:
            raise ValueError(
                "codewords must have shape (n_users J, n_resources K, order M), got shape "
                f"{array.shape}"
            )
        if not np.all(np.isfinite(array)):
            raise ValueError("codewords must be finite (found NaN or inf)")
        order = array.shape[2]
        if order < 2 or order & (order - 1):
            raise ValueError(
                f"the order M (codewords per user) must be a power of two >= 2, got {order}"
            )
        silent = np.flatnonzero(~np.any(array != 0, axis=(1, 2)))
        if silent.size:
            raise ValueError(f"codewords: user(s) {silent.tolist()} have only zero entries")
        array.setflags(write=False)
        self._codewords = array
        self._name = str(name)
        self._source = str(source)
        graph = np.any(array != 0, axis=2).T.astype(np.int8)
        graph.setflags(write=False)
        self._graph = graph

    # -- basic attributes -------------------------------------------------------------
    @property
    def codewords(self) -> np.ndarray:
        """The table, shape (J, K, M), complex128 (read-only)."""
        return self._codewords

    @property
    def name(self) -> str:
        """A label: the set's name ("CS1") or the file it was read from."""
        return self._name

    @property
    def source(self) -> str:
        """Where the table comes from."""
        return self._source

    @property
    def n_users(self) -> int:
        """J, the number of users (layers)."""
        return self._codewords.shape[0]

    @property
    def n_resources(self) -> int:
        """K, the number of resources (resource elements of one block)."""
        return self._codewords.shape[1]

    @property
    def order(self) -> int:
        """M, the number of codewords of each user."""
        return self._codewords.shape[2]

    @property
    def bits_per_codeword(self) -> int:
        """``log2(M)``, the bits one codeword carries."""
        return self.order.bit_length() - 1

    @property
    def bits_per_resource_element(self) -> float:
        """``J log2(M) / K`` (3 for the 6 x 4, M = 4 sets): Eb/N0 = Es/N0 / this."""
        return self.n_users * self.bits_per_codeword / self.n_resources

    @property
    def factor_graph(self) -> np.ndarray:
        """(K, J) 0/1 int8 array: 1 where user j has a non-zero entry on resource k."""
        return self._graph

    @property
    def users_per_resource(self) -> np.ndarray:
        """Number of users on each resource, shape (K,) (``d_f`` per resource)."""
        return self._graph.sum(axis=1).astype(int)

    @property
    def resources_per_user(self) -> np.ndarray:
        """Number of resources of each user, shape (J,) (N per user)."""
        return self._graph.sum(axis=0).astype(int)

    def mean_power_per_resource_element(self) -> float:
        """Mean power of the superposed signal per resource element.

        ``sum_j mean_m sum_k |codewords[j, k, m]|**2 / K`` with equally likely codewords
        (1 after :meth:`normalized`).
        """
        return float(np.sum(np.abs(self._codewords) ** 2) / self.order / self.n_resources)

    def normalized(self) -> Codebook:
        """A copy scaled to unit mean power per resource element of the superposed signal."""
        scale = 1.0 / math.sqrt(self.mean_power_per_resource_element())
        return Codebook(self._codewords * scale, name=self._name, source=self._source)

    def user_resources(self, user: int) -> np.ndarray:
        """The resources user ``user`` occupies, ascending."""
        return np.flatnonzero(self._graph[:, user])

    # -- distances ----------------------------------------------------------------------
    def min_distance(self, kind: str = "superposed") -> float:
        """Minimum Euclidean distance of the codebook.

        Parameters
        ----------
        kind : {"superposed", "user"}
            ``"user"``: the smallest distance between two codewords of one user,
            ``min_j min_{m != m'} ||codewords[j, :, m] - codewords[j, :, m']||`` (over the K
            resources). ``"superposed"``: the smallest distance between the superposed
            signals of two joint hypotheses (one codeword per user) that differ in at
            least one user, ``min ||sum_j (codewords[j, :, m_j] - codewords[j, :, m'_j])||``
            over ``(m_1..m_J) != (m'_1..m'_J)`` — what a joint detector in AWGN sees.

        Returns
        -------
        float
            The distance (0 when two hypotheses superpose to the same signal).

        Raises
        ------
        ValueError
            On an unknown ``kind``, or ``kind="superposed"`` with more than
            ``MAX_SUPERPOSED_HYPOTHESES`` (65536) joint hypotheses M**J.
        """
        kind = _check_kind(kind)
        if kind == "user":
            best = math.inf
            for user in range(self.n_users):
                diff = self._codewords[user][:, :, None] - self._codewords[user][:, None, :]
                dist = np.sqrt(np.sum(np.abs(diff) ** 2, axis=0))
                best = min(best, float(dist[~np.eye(self.order, dtype=bool)].min()))
            return best
        points = self._superposed_points()
        best = math.inf
        for start in range(0, len(points), 512):
            block = points[start : start + 512]
            dist = np.sqrt(np.sum(np.abs(block[:, None, :] - points[None, :, :]) ** 2, axis=2))
            rows = np.arange(len(block))
            dist[rows, start + rows] = np.inf
            best = min(best, float(dist.min()))
        return best

    def min_product_distance(self, per_user: bool = False) -> float | np.ndarray:
        """Minimum product distance of the users' codebooks (the diversity measure for fading).

        For user ``j`` on resources ``R_j``: ``min_{m != m'} prod_{k in R_j}
        |codewords[j, k, m] - codewords[j, k, m']|``.

        Parameters
        ----------
        per_user : bool
            Return the value of every user (shape (J,)) instead of the smallest.

        Returns
        -------
        float or numpy.ndarray
        """
        values = np.empty(self.n_users)
        off_diagonal = ~np.eye(self.order, dtype=bool)
        for user in range(self.n_users):
            rows = self._codewords[user][self.user_resources(user)]
            diff = np.abs(rows[:, :, None] - rows[:, None, :])
            values[user] = np.prod(diff, axis=0)[off_diagonal].min()
        return values if per_user else float(values.min())

    def distinct_points(self, kind: str = "user") -> np.ndarray:
        """Number of distinct constellation points per dimension.

        Parameters
        ----------
        kind : {"user", "superposed"}
            ``"user"``: shape (K, J), the number of distinct values among the M entries of
            user j on resource k (0 off the factor graph). ``"superposed"``: shape (K,),
            the number of distinct sums on resource k over the joint codewords of its
            users (at most ``M**d_f``). Points closer than ``POINT_TOLERANCE`` count once.

        Returns
        -------
        numpy.ndarray of int
        """
        kind = _check_kind(kind)
        if kind == "user":
            counts = np.zeros((self.n_resources, self.n_users), dtype=int)
            for k, j in zip(*np.nonzero(self._graph), strict=True):
                counts[k, j] = _count_distinct(self._codewords[j, k])
            return counts
        counts = np.zeros(self.n_resources, dtype=int)
        for k in range(self.n_resources):
            sums = np.zeros(1, dtype=complex)
            for j in np.flatnonzero(self._graph[k]):
                sums = (sums[:, None] + self._codewords[j, k][None, :]).ravel()
            counts[k] = _count_distinct(sums)
        return counts

    def _superposed_points(self) -> np.ndarray:
        n_hyp = self.order**self.n_users
        if n_hyp > MAX_SUPERPOSED_HYPOTHESES:
            raise ValueError(
                f"min_distance(kind='superposed'): M**J = {self.order}**{self.n_users} = {n_hyp} "
                f"joint hypotheses exceed {MAX_SUPERPOSED_HYPOTHESES}; use kind='user'"
            )
        points = np.zeros((1, self.n_resources), dtype=complex)
        for user in range(self.n_users):
            cw = self._codewords[user].T  # (M, K)
            points = (points[:, None, :] + cw[None, :, :]).reshape(-1, self.n_resources)
        return points

    # -- comparison and display ---------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Codebook):
            return NotImplemented
        return self._codewords.shape == other._codewords.shape and bool(
            np.array_equal(self._codewords, other._codewords)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        label = f"{self._name!r}, " if self._name else ""
        return (
            f"Codebook({label}J={self.n_users}, K={self.n_resources}, M={self.order}, "
            f"d_f={int(self.users_per_resource.max())}, "
            f"power per resource element {self.mean_power_per_resource_element():.4g})"
        )

    def __getstate__(self) -> dict[str, Any]:
        return {"codewords": np.array(self._codewords), "name": self._name, "source": self._source}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["codewords"], state["name"], state["source"])  # type: ignore[misc]


def _check_kind(kind: Any) -> str:
    if kind not in ("user", "superposed"):
        raise ValueError(f"kind must be 'user' or 'superposed', got {kind!r}")
    return kind


def _count_distinct(points: np.ndarray) -> int:
    """Number of points of a 1-D complex array, points closer than POINT_TOLERANCE merged."""
    kept = np.empty(0, dtype=complex)
    for point in points:
        if kept.size == 0 or np.abs(kept - point).min() >= POINT_TOLERANCE:
            kept = np.append(kept, point)
    return int(kept.size)
