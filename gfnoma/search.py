"""Direct finite-alphabet search minimising ``CC_weighted`` (a strong non-learned baseline),
and the choice of chip phases that minimises it for given chip magnitudes.

Coordinate descent over the alphabet with random restarts: one coordinate is one chip
``s_n(k)`` of one user, whose ``(2Q+1)^2`` values are all evaluated exactly; the best value is
kept, sweeping over all users and chips until a full sweep changes nothing. The weighted
Welch bound (:func:`gfnoma.weighted_welch_bound`) is the limit no set can beat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from gfnoma._descent import coordinate_descent, weighted_correlation_sum
from gfnoma._validation import check_activation, check_int
from gfnoma.metrics import WelchBound, cc_weighted, weighted_welch_bound
from gfnoma.signatures import P_ASY, Signatures

__all__ = ["SearchResult", "choose_phases", "search_signatures"]


@dataclass
class SearchResult:
    """Result of :func:`search_signatures` or :func:`choose_phases`.

    Attributes
    ----------
    signatures : Signatures
        Best set found (finite alphabet ``{-q..q}``), named ``"CC-search"`` (or the input's
        name with ``" (phases)"`` for :func:`choose_phases`).
    cc : float
        Its ``CC_weighted`` (eq. 29).
    welch_bound : WelchBound
        The weighted Welch bound for the activation profile and length.
    cc_per_restart : numpy.ndarray
        Final ``CC_weighted`` of every restart.
    sweeps : int
        Total number of coordinate sweeps.
    evaluations : int
        Number of candidate chip values evaluated.
    """

    signatures: Signatures
    cc: float
    welch_bound: WelchBound
    cc_per_restart: np.ndarray
    sweeps: int
    evaluations: int

    @property
    def gap(self) -> float:
        """Relative distance to the Welch bound, ``cc / bound - 1``."""
        return self.cc / self.welch_bound.cc - 1.0


def _best_of_starts(
    starts: Iterable[np.ndarray],
    p: np.ndarray,
    values: np.ndarray | Callable[[int, int], np.ndarray],
    max_sweeps: int,
) -> tuple[np.ndarray, list[float], int, int]:
    """Coordinate descent from every start; the best final set and the bookkeeping."""
    n = p.size
    best_raw: np.ndarray | None = None
    best_cc = np.inf
    finals: list[float] = []
    sweeps = evaluations = 0
    for start in starts:
        raw, nsw, nev = coordinate_descent(start, p, values, max_sweeps=max_sweeps)
        sweeps += nsw
        evaluations += nev
        cc = weighted_correlation_sum(raw, p) / (n * (n - 1))
        finals.append(cc)
        if cc < best_cc:
            best_cc, best_raw = cc, raw.copy()
    return best_raw, finals, sweeps, evaluations


def search_signatures(
    activation: Sequence[float] | np.ndarray = P_ASY,
    length: int = 4,
    *,
    q: int = 2,
    restarts: int = 50,
    seed: int = 0,
    init: Signatures | None = None,
    max_sweeps: int = 100,
    progress: bool = False,
) -> SearchResult:
    """Minimise ``CC_weighted`` over finite-alphabet signatures by coordinate descent.

    Parameters
    ----------
    activation : array_like, shape (N,)
        Activation profile ``p`` (weights of eq. 29); ``N >= 2``.
    length : int
        Spreading length ``H``.
    q : int
        Alphabet ``{-q..q}`` for real and imaginary parts.
    restarts : int
        Number of starts; each start is an i.i.d. uniform random alphabet matrix (seeded),
        except the first when ``init`` is given.
    seed : int
        Seed of the starts.
    init : Signatures, optional
        A finite-alphabet set with the same ``N``, ``H`` and ``q`` used as the first start.
    max_sweeps : int
        Cap on sweeps per start.
    progress : bool
        Show a tqdm bar over the restarts.

    Returns
    -------
    SearchResult

    Notes
    -----
    A sweep visits every (user, chip) and replaces the chip by the alphabet value that gives
    the lowest ``CC_weighted`` (only user ``n``'s ``2 p_n sum_m p_m |rho_nm|^2 / (N(N-1))``
    changes). Each accepted move strictly lowers ``CC_weighted``, so every start terminates.
    With ``p_asy``, ``H = 4``, ``q = 2`` the default reaches about 0.0284 (weighted Welch bound
    0.0280; the paper's QNN signatures 0.0308).

    Examples
    --------
    >>> from gfnoma import search_signatures
    >>> res = search_signatures(restarts=20, seed=0)
    >>> res.cc <= 0.0290, res.cc >= res.welch_bound.cc
    (True, True)
    """
    p = check_activation(activation)
    h = check_int(length, "length", minimum=1)
    q = check_int(q, "q", minimum=1)
    restarts = check_int(restarts, "restarts", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    max_sweeps = check_int(max_sweeps, "max_sweeps", minimum=1)
    n = p.size
    if n < 2:
        raise ValueError("activation: the search needs at least two users")
    if init is not None:
        if not isinstance(init, Signatures):
            raise TypeError(f"init must be a Signatures object, got {type(init).__name__}")
        if (init.n_users, init.length) != (n, h) or init.q is None or init.q > q:
            raise ValueError(
                f"init must be a finite-alphabet set with N={n}, H={h} and q <= {q}; got {init!r}"
            )
    bound = weighted_welch_bound(p, h)
    levels = np.arange(-q, q + 1)
    values = (levels[:, None] + 1j * levels[None, :]).ravel()  # (2q+1)^2 chip values
    rng = np.random.default_rng(seed)

    def starts() -> Iterator[np.ndarray]:
        for r in tqdm(range(restarts), desc="CC search", disable=not progress):
            if r == 0 and init is not None:
                yield init.alphabet.copy()
                continue
            raw = rng.choice(values, size=(h, n))
            while np.any(np.all(raw == 0, axis=0)):
                raw = rng.choice(values, size=(h, n))
            yield raw

    best_raw, finals, sweeps, evaluations = _best_of_starts(starts(), p, values, max_sweeps)
    sig = Signatures(best_raw, p, q=q, name="CC-search")
    return SearchResult(
        signatures=sig,
        cc=cc_weighted(sig),
        welch_bound=bound,
        cc_per_restart=np.array(finals),
        sweeps=sweeps,
        evaluations=evaluations,
    )


def choose_phases(
    signatures: Signatures,
    *,
    restarts: int = 50,
    seed: int = 0,
    max_sweeps: int = 100,
) -> SearchResult:
    """Phases of a finite-alphabet set that minimise ``CC_weighted`` with its chip magnitudes kept.

    Every chip ``s_n(k) = a + jb`` may be replaced by any alphabet point with the same
    magnitude ``a^2 + b^2`` (its rotations by ``j^m``, their conjugates and, e.g. for
    ``|s|^2 = 5``, the points ``+-1 +-2j``). Under the paper's per-chip Rayleigh fading (eq. 5)
    such a change leaves the law of ``(y, diag(h_n) s_n)`` and hence the error rate of every
    receiver that decides from ``y`` and the effective channels unchanged
    (``docs/gfnoma_appendix.md``, decision 5; all of :mod:`gfnoma`'s receivers, but not a
    neural decoder trained with ``channel_input="raw"``), while the correlations
    ``rho_ij`` of eq. (29) — which matter under flat fading and for the interference model of
    :func:`gfnoma.interference_model` — do change. This picks, among the sets a per-chip-fading
    link cannot tell apart, the one with the lowest ``CC_weighted``.

    Parameters
    ----------
    signatures : Signatures
        A finite-alphabet set (``q`` not None), e.g. trained QNN signatures.
    restarts : int
        Starts of the coordinate descent: the given phases first, then random phase choices.
    seed : int
        Seed of the random starts.
    max_sweeps : int
        Cap on sweeps per start.

    Returns
    -------
    SearchResult
        ``signatures`` has the input's name with ``" (phases)"`` appended, the same activation
        profile, alphabet and chip magnitudes, and a ``CC_weighted`` no higher than the input's.

    Raises
    ------
    TypeError
        ``signatures`` is not a :class:`Signatures` object.
    ValueError
        A continuous (``q=None``) set, fewer than two users, or ``restarts`` / ``seed`` /
        ``max_sweeps`` out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from gfnoma import Signatures, choose_phases, cc_weighted
    >>> same = Signatures(np.ones((4, 6)), [0.8] * 3 + [0.4] * 3, q=2)  # one sequence for all
    >>> res = choose_phases(same, restarts=5)
    >>> round(cc_weighted(same), 4), round(res.cc, 4)
    (0.352, 0.032)
    >>> bool(np.array_equal(np.abs(res.signatures.alphabet), np.abs(same.alphabet)))
    True
    """
    if not isinstance(signatures, Signatures):
        raise TypeError(f"signatures must be a Signatures object, got {type(signatures).__name__}")
    if signatures.q is None:
        raise ValueError("signatures: choose_phases needs a finite-alphabet set (q is None)")
    if signatures.n_users < 2:
        raise ValueError("signatures: choose_phases needs at least two users")
    restarts = check_int(restarts, "restarts", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    max_sweeps = check_int(max_sweeps, "max_sweeps", minimum=1)
    q = signatures.q
    p = signatures.activation
    h, n = signatures.length, signatures.n_users
    levels = np.arange(-q, q + 1)
    points = (levels[:, None] + 1j * levels[None, :]).ravel()
    energy = np.rint(points.real**2 + points.imag**2).astype(int)
    start = signatures.alphabet.astype(np.complex128)
    chip_energy = np.rint(start.real**2 + start.imag**2).astype(int)
    options = {e: points[energy == e] for e in np.unique(chip_energy)}

    def candidates(chip: int, user: int) -> np.ndarray:
        return options[chip_energy[chip, user]]

    rng = np.random.default_rng(seed)

    def starts() -> Iterator[np.ndarray]:
        yield start.copy()
        for _ in range(restarts - 1):
            yield np.array([[rng.choice(candidates(k, u)) for u in range(n)] for k in range(h)])

    best_raw, finals, sweeps, evaluations = _best_of_starts(starts(), p, candidates, max_sweeps)
    sig = Signatures(best_raw, p, q=q, name=f"{signatures.name} (phases)")
    return SearchResult(
        signatures=sig,
        cc=cc_weighted(sig),
        welch_bound=weighted_welch_bound(p, h),
        cc_per_restart=np.array(finals),
        sweeps=sweeps,
        evaluations=evaluations,
    )
