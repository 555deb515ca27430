"""Uplink SCMA scenario: channel gains, budgets, noise and the factor-graph sizes.

A :class:`Scenario` is an immutable, validated container; :func:`random_scenario`
draws the paper's channel (users uniform in a disc, Rayleigh fading, path loss
``1 + d**alpha``).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._units import DEFAULT_BANDWIDTH, dbm_to_watt, noise_power, real_array, watt_to_dbm

__all__ = ["Scenario", "random_scenario"]

#: Largest per-user budget accepted, in watts (90 dBm): far above any radio, so a larger
#: value is a unit mistake (a dBm figure passed as watts, say).
MAX_POWER_BUDGET_W = 1e6
#: Smallest received SNR at full budget that each user must reach on its best resource
#: (-100 dB). Below it a user's rate is under 1.5e-10 bit/s/Hz, below the solvers'
#: tolerances: they lost up to 0.9 % against the exhaustive optimum there.
MIN_USER_SNR = 1e-10


def _check_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_positive_float(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


def _per_resource(value: Any, name: str, n_resources: int, *, positive: bool) -> Any:
    """A scalar (float) or a (K,) array of finite values, positive or non-negative."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a real number or an array of them, got bool")
    array = real_array(value, name)
    if array.ndim == 0:
        if positive:
            return _check_positive_float(float(array), name)
        out = float(array)
    else:
        if array.shape != (n_resources,):
            raise ValueError(
                f"{name} must be a scalar or have shape ({n_resources},) (one value per "
                f"resource; interference that differs between users on one resource is not "
                f"supported), got shape {array.shape}"
            )
        out = array
    bad = ~np.isfinite(out) | ((np.asarray(out) <= 0) if positive else (np.asarray(out) < 0))
    if np.any(bad):
        kind = "positive" if positive else "non-negative"
        raise ValueError(f"{name} must be {kind} and finite on every resource")
    return out


class Scenario:
    """One uplink SCMA drop: K resources (subcarriers), J users.

    Parameters
    ----------
    gains : array_like, shape (K, J)
        Channel power gains ``|h[k, j]|**2`` (watts received per watt sent) of user
        ``j`` on resource ``k``. Finite and non-negative; every user needs a
        positive gain on at least one resource.
    power_budget : float or array_like, shape (J,)
        Per-user power budget ``Pmax_j`` in watts (paper eq. 14: the power a user
        spreads over its N subcarriers).
    noise_power : float or array_like, shape (K,), default 1.0
        Noise power ``sigma**2`` in watts per subcarrier: one value for every
        subcarrier, or one per subcarrier.
    n_per_user : int, default 2
        N, the number of resources each user occupies (non-zeros of a codeword).
    users_per_resource : int, default 3
        d_f, the maximum number of users sharing one resource.
    interference_power : array_like, shape (K,), optional
        External interference in watts per subcarrier (from neighbouring cells, as
        measured at the base station), added to the noise: every rate, solver,
        baseline and reference sees ``noise_power + interference_power`` on
        subcarrier k. It is the same for every user decoded on that subcarrier (a
        K x J array is refused: see Notes).

    Raises
    ------
    ValueError
        On a wrong shape, NaN/inf/negative gains, a user with zero gain
        everywhere, a non-positive budget or noise, a budget above
        ``MAX_POWER_BUDGET_W`` (1e6 W, 90 dBm), a user whose best received SNR at full
        budget is below ``MIN_USER_SNR`` (1e-10, -100 dB), ``N > K`` or ``J*N > K*d_f``.
    TypeError
        On non-numeric input (complex values and strings included: nothing is
        coerced).

    Notes
    -----
    The rate of user j on subcarrier k is ``log2(1 + P g / (N_k + I_k + sum_weaker P g))``
    (paper eq. 11-12 with the noise ``N_k + I_k`` of that subcarrier), so dividing by it
    gives the normalised form every kernel uses. Interference that differs between users
    on one subcarrier would break that normalisation (and the concavity of a graph's
    sum-rate in the powers) and is not supported.

    Solvers work with the normalised gains ``gamma = gains / noise_power`` and with
    ``snr_at_budget = gamma * Pmax`` (the received SNR if a user put its whole
    budget on one resource); powers are handled internally as fractions of each
    user's budget, so gains spanning ``1e-3 .. 1e12`` are well conditioned.

    The SIC decoding order (paper §II, eq. 11-12) ranks users by ascending total gain
    ``sum_k gains[k, j]``: the base station decodes the strongest user first, so a
    user is interfered only by weaker users. Ties are broken by user index.

    Examples
    --------
    >>> import numpy as np
    >>> s = Scenario(np.ones((4, 6)), power_budget=0.01)
    >>> s.n_resources, s.n_users, s.overloading
    (4, 6, 1.5)
    """

    def __init__(
        self,
        gains: ArrayLike,
        power_budget: float | ArrayLike,
        noise_power: float | ArrayLike = 1.0,
        n_per_user: int = 2,
        users_per_resource: int = 3,
        *,
        interference_power: ArrayLike | None = None,
    ) -> None:
        gains = real_array(gains, "gains")
        if gains.ndim != 2 or gains.shape[0] < 1 or gains.shape[1] < 1:
            raise ValueError(
                "gains must be a 2-D array of shape (n_resources, n_users), "
                f"got shape {gains.shape}"
            )
        if not np.all(np.isfinite(gains)):
            raise ValueError("gains must be finite (found NaN or inf)")
        if np.any(gains < 0):
            raise ValueError("gains must be non-negative (they are |h|^2)")
        n_resources, n_users = gains.shape
        dead = np.flatnonzero(~np.any(gains > 0, axis=0))
        if dead.size:
            raise ValueError(
                f"gains: user(s) {dead.tolist()} have zero gain on every resource and can "
                "never be served; remove them or check the channel"
            )
        budget = real_array(power_budget, "power_budget")
        if budget.ndim == 0:
            budget = np.full(n_users, float(budget))
        if budget.shape != (n_users,):
            raise ValueError(
                f"power_budget must be a scalar or have shape ({n_users},), "
                f"got shape {budget.shape}"
            )
        if not np.all(np.isfinite(budget)) or np.any(budget <= 0):
            raise ValueError("power_budget must be positive and finite for every user")
        if np.any(budget > MAX_POWER_BUDGET_W):
            worst = float(budget.max())
            raise ValueError(
                f"power_budget {worst:.3g} W ({watt_to_dbm(worst):.0f} dBm) exceeds "
                f"{MAX_POWER_BUDGET_W:.0e} W ({watt_to_dbm(MAX_POWER_BUDGET_W):.0f} dBm), more "
                "than any radio transmits; power_budget is in watts (dbm_to_watt converts dBm)"
            )
        noise = _per_resource(noise_power, "noise_power", n_resources, positive=True)
        if interference_power is None:
            interference = None
        else:
            interference = _per_resource(
                interference_power, "interference_power", n_resources, positive=False
            )
            if interference.ndim == 0:
                interference = np.full(n_resources, float(interference))
        floor = noise if interference is None else noise + interference  # scalar or (K,)
        n_per_user = _check_int(n_per_user, "n_per_user")
        users_per_resource = _check_int(users_per_resource, "users_per_resource")
        if n_per_user > n_resources:
            raise ValueError(
                f"n_per_user (N={n_per_user}) cannot exceed the number of resources "
                f"(K={n_resources})"
            )
        if n_users * n_per_user > n_resources * users_per_resource:
            raise ValueError(
                f"infeasible sizes: J*N = {n_users}*{n_per_user} = {n_users * n_per_user} "
                f"exceeds K*d_f = {n_resources}*{users_per_resource} = "
                f"{n_resources * users_per_resource} (n_users*n_per_user must not exceed "
                "n_resources*users_per_resource)"
            )
        gamma = gains / (floor if np.ndim(floor) == 0 else floor[:, None])
        snr_at_budget = gamma * budget[None, :]
        if not np.all(np.isfinite(snr_at_budget)):
            raise ValueError("gains * power_budget / noise_power overflows; rescale the inputs")
        best = snr_at_budget.max(axis=0)
        weak = np.flatnonzero(best < MIN_USER_SNR)
        if weak.size:
            raise ValueError(
                f"user(s) {weak.tolist()} reach a received SNR of at most "
                f"{10 * np.log10(best[weak].min()):.0f} dB at full budget (gains * "
                f"power_budget / noise_power below {MIN_USER_SNR:.0e} on every resource): "
                "their rates cannot be resolved in double precision; check the units of "
                "gains, power_budget and noise_power"
            )
        # Ascending total gain; stable sort so that ties keep user order.
        order = np.argsort(gains.sum(axis=0), kind="stable")
        rank = np.empty(n_users, dtype=np.intp)
        rank[order] = np.arange(n_users)
        for array in (gains, budget, gamma, snr_at_budget, order, rank, noise, interference):
            if isinstance(array, np.ndarray):
                array.setflags(write=False)
        self._gains = gains
        self._budget = budget
        self._noise = float(noise) if np.ndim(noise) == 0 else noise
        self._interference = interference
        self._n_per_user = n_per_user
        self._users_per_resource = users_per_resource
        self._gamma = gamma
        self._snr_at_budget = snr_at_budget
        self._order = order
        self._rank = rank

    # -- stored settings ---------------------------------------------------------------
    @property
    def gains(self) -> np.ndarray:
        """Channel power gains ``|h[k, j]|**2``, shape (K, J) (read-only)."""
        return self._gains

    @property
    def power_budget(self) -> np.ndarray:
        """Per-user power budgets in watts, shape (J,) (read-only)."""
        return self._budget

    @property
    def interference_power(self) -> np.ndarray | None:
        """External interference per resource in watts, shape (K,), or None."""
        return self._interference

    @property
    def noise_per_resource(self) -> np.ndarray:
        """Noise plus external interference on each resource in watts, shape (K,)."""
        noise = np.broadcast_to(np.asarray(self._noise, dtype=float), (self.n_resources,))
        return noise if self._interference is None else noise + self._interference

    @property
    def noise_power(self) -> float | np.ndarray:
        """Noise power per resource in watts."""
        return self._noise

    @property
    def n_per_user(self) -> int:
        """N: resources per user."""
        return self._n_per_user

    @property
    def users_per_resource(self) -> int:
        """d_f: maximum users per resource."""
        return self._users_per_resource

    # -- derived -----------------------------------------------------------------------
    @property
    def n_resources(self) -> int:
        """K: number of resources (subcarriers)."""
        return self._gains.shape[0]

    @property
    def n_users(self) -> int:
        """J: number of users."""
        return self._gains.shape[1]

    @property
    def shape(self) -> tuple[int, int]:
        """``(K, J)``."""
        return self._gains.shape

    @property
    def sizes(self) -> tuple[int, int, int, int]:
        """``(K, J, N, d_f)``: resources, users, resources per user, users per resource."""
        return (self.n_resources, self.n_users, self.n_per_user, self.users_per_resource)

    @property
    def overloading(self) -> float:
        """Overloading factor J/K."""
        return self.n_users / self.n_resources

    @property
    def snr_gain(self) -> np.ndarray:
        """Normalised gains ``gamma = gains / noise_power`` (per watt), shape (K, J)."""
        return self._gamma

    @property
    def snr_at_budget(self) -> np.ndarray:
        """``gamma[k, j] * Pmax_j``: received SNR of user j's full budget on resource k."""
        return self._snr_at_budget

    @property
    def decoding_order(self) -> np.ndarray:
        """Users sorted by ascending total gain (weakest first); SIC decodes in reverse."""
        return self._order

    @property
    def user_rank(self) -> np.ndarray:
        """Rank of each user in :attr:`decoding_order` (0 = weakest)."""
        return self._rank

    def with_budget(self, power_budget: float | ArrayLike) -> Scenario:
        """The same channel with another power budget (watts); for paired sweeps."""
        return Scenario(
            self._gains,
            power_budget,
            noise_power=self._noise,
            n_per_user=self._n_per_user,
            users_per_resource=self._users_per_resource,
            interference_power=self._interference,
        )

    def __repr__(self) -> str:
        budget = self._budget
        budget_text = (
            f"{budget[0]:.4g} W" if np.all(budget == budget[0]) else f"{budget.tolist()!r} W"
        )
        noise = self._noise
        noise_text = (
            f"{noise:.4g} W"
            if np.ndim(noise) == 0
            else "[" + ", ".join(f"{v:.4g}" for v in noise) + "] W"
        )
        extra = (
            ""
            if self._interference is None
            else ", interference_power=["
            + ", ".join(f"{v:.4g}" for v in self._interference)
            + "] W"
        )
        return (
            f"Scenario(K={self.n_resources}, J={self.n_users}, N={self.n_per_user}, "
            f"d_f={self.users_per_resource}, power_budget={budget_text}, "
            f"noise_power={noise_text}{extra})"
        )


def check_scenario(scenario: Any) -> Scenario:
    """``scenario`` itself if it is a :class:`Scenario`, else a ``TypeError`` naming it."""
    if not isinstance(scenario, Scenario):
        raise TypeError(
            f"scenario must be a scma_alloc.Scenario, got {type(scenario).__name__}; "
            "build one with Scenario(gains, power_budget, ...) or random_scenario(...)"
        )
    return scenario


def random_scenario(
    n_resources: int = 4,
    n_users: int = 6,
    *,
    power_budget_dbm: float | ArrayLike = 10.0,
    n_per_user: int = 2,
    users_per_resource: int = 3,
    radius: float = 300.0,
    path_loss_exponent: float = 4.0,
    bandwidth: float = DEFAULT_BANDWIDTH,
    noise: str = "paper",
    rng: int | np.random.Generator | None = None,
) -> Scenario:
    """Draw one drop of the paper's channel (paper §IV; ``docs/scma_alloc.md`` §1).

    Users are uniform in a disc of radius ``radius`` around the base station
    (``d_j = radius * sqrt(U)``); small-scale fading is Rayleigh, independent per
    (resource, user); path loss is ``1 + d**alpha`` (finite at ``d = 0``):
    ``gains[k, j] = |g[k, j]|**2 / (1 + d_j**alpha)`` with ``g ~ CN(0, 1)``.

    Parameters
    ----------
    n_resources, n_users : int
        K and J (paper: 4 and 6).
    power_budget_dbm : float or array_like
        Per-user budget in dBm (paper sweeps 3..10 dBm).
    n_per_user, users_per_resource : int
        N and d_f (paper: 2 and 3).
    radius : float
        Cell radius in metres (paper: 300).
    path_loss_exponent : float
        alpha (paper: 4).
    bandwidth : float
        Subcarrier bandwidth in Hz (paper: 180 kHz).
    noise : {"paper", "thermal"}
        Noise preset, see :func:`scma_alloc.noise_power`. ``"paper"`` reproduces the
        authors' numbers (30 dB above thermal).
    rng : int, numpy.random.Generator or None
        Seed or generator. Draw order: distances first, then fading.

    Returns
    -------
    Scenario

    Examples
    --------
    >>> s = random_scenario(rng=1)
    >>> s.shape
    (4, 6)
    """
    n_resources = _check_int(n_resources, "n_resources")
    n_users = _check_int(n_users, "n_users")
    radius = _check_positive_float(radius, "radius")
    alpha = _check_positive_float(path_loss_exponent, "path_loss_exponent")
    noise_watt = noise_power(bandwidth, noise)
    budget_dbm = real_array(power_budget_dbm, "power_budget_dbm")
    if not np.all(np.isfinite(budget_dbm)):
        raise ValueError("power_budget_dbm must be finite")
    generator = np.random.default_rng(rng)
    distance = radius * np.sqrt(generator.random(n_users))
    fading = (
        generator.standard_normal((n_resources, n_users))
        + 1j * generator.standard_normal((n_resources, n_users))
    ) / np.sqrt(2.0)
    gains = np.abs(fading) ** 2 / (1.0 + distance[None, :] ** alpha)
    return Scenario(
        gains,
        dbm_to_watt(budget_dbm),
        noise_power=noise_watt,
        n_per_user=n_per_user,
        users_per_resource=users_per_resource,
    )
