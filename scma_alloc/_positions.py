"""A planner's scenario from user positions: path loss, shadowing, fading, noise.

:func:`scenario_from_positions` turns user coordinates around one base station into a
:class:`~scma_alloc.Scenario` with a 3GPP TR 38.901 large-scale channel (UMi - Street
Canyon or UMa, see :mod:`scma_alloc._pathloss`) or the paper's ``1 + d**alpha`` (model
``"disc"``), and Rayleigh fading independent per (resource, user) as in
:func:`~scma_alloc.random_scenario`. :func:`random_positions` draws users uniformly in a
disc or a ring. Every default is in :data:`PLANNING_DEFAULTS`.
"""

from __future__ import annotations

import math
import numbers
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._pathloss import (
    DEFAULT_UT_HEIGHT_M,
    PATH_LOSS_MODELS,
    check_carrier,
    check_distance,
    check_ut_height,
    los_probability,
    path_loss_db,
    shadowing_db,
)
from ._scenario import Scenario, _check_int, _check_positive_float
from ._units import DEFAULT_BANDWIDTH, dbm_to_watt, noise_power, real_array

__all__ = ["PLANNING_DEFAULTS", "SCENARIO_MODELS", "random_positions", "scenario_from_positions"]

#: Channel models of :func:`scenario_from_positions`: the two 3GPP ones and the paper's.
SCENARIO_MODELS = (*PATH_LOSS_MODELS, "disc")

#: Every default of :func:`scenario_from_positions`, in one place (read-only).
#:
#: - ``model="umi"``: UMi - Street Canyon, the denser deployment of TR 38.901;
#: - ``carrier_ghz=3.5``: the middle of the 3.3-3.8 GHz band (NR band n78);
#: - ``power_budget_dbm=23.0``: a power-class-3 handset (TS 38.101-1), per user;
#: - ``bandwidth=180e3``: one subcarrier (resource) of the paper, in Hz;
#: - ``noise="thermal"`` and ``noise_figure_db=5.0``: kTB at 290 K plus the base-station
#:   noise figure of the TR 38.901 calibration (Table 7.8-1), the receiver in the uplink;
#: - ``ut_height=1.5`` m; the base station is at the table's height (10 m / 25 m);
#: - ``n_resources=None``: the fewest resources that fit, ``max(N, ceil(J N / d_f))``
#:   (4 for the paper's 6 users, N = 2, d_f = 3);
#: - ``n_per_user=2``, ``users_per_resource=3``: the paper's N and d_f;
#: - ``path_loss_exponent=4.0``: alpha of the ``"disc"`` model (the paper's);
#: - ``los=None``: drawn per user from the LOS probability of Table 7.4.2-1;
#: - ``shadowing=None``: on for the 3GPP models, off for ``"disc"`` (the paper has none);
#: - ``fading="rayleigh"``: ``|g|**2`` with ``g ~ CN(0, 1)``, independent per (resource, user).
PLANNING_DEFAULTS = MappingProxyType(
    {
        "model": "umi",
        "carrier_ghz": 3.5,
        "power_budget_dbm": 23.0,
        "bandwidth": DEFAULT_BANDWIDTH,
        "noise": "thermal",
        "noise_figure_db": 5.0,
        "ut_height": DEFAULT_UT_HEIGHT_M,
        "n_resources": None,
        "n_per_user": 2,
        "users_per_resource": 3,
        "path_loss_exponent": 4.0,
        "los": None,
        "shadowing": None,
        "fading": "rayleigh",
    }
)

#: Options that only some models use: giving one to another model is refused.
_THREEGPP_ONLY = ("carrier_ghz", "ut_height", "los")
_DISC_ONLY = ("path_loss_exponent",)


def check_positions(positions: Any, name: str = "positions") -> np.ndarray:
    """User coordinates ``(x, y)`` in metres, shape (J, 2), finite."""
    array = real_array(positions, name)
    if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] < 1:
        raise ValueError(
            f"{name} must have shape (n_users, 2): one (x, y) pair in metres per user, "
            f"got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (found NaN or inf)")
    return array


def random_positions(
    n_users: int,
    radius: float = 300.0,
    *,
    min_distance: float = 0.0,
    rng: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Draw user positions uniformly (by area) in a disc or a ring around the base station.

    Parameters
    ----------
    n_users : int
        J.
    radius : float
        Outer radius in metres (the paper's cell: 300).
    min_distance : float
        Inner radius in metres (0: the whole disc, as :func:`~scma_alloc.random_scenario`
        draws its distances).
    rng : int, numpy.random.Generator or None
        Seed or generator. Draw order: the J distances, then the J angles.

    Returns
    -------
    numpy.ndarray, shape (J, 2)
        ``(x, y)`` in metres, the base station at the origin.

    Examples
    --------
    >>> import numpy as np
    >>> xy = random_positions(6, 300.0, min_distance=10.0, rng=1)
    >>> xy.shape, bool(np.all((np.hypot(*xy.T) >= 10) & (np.hypot(*xy.T) <= 300)))
    ((6, 2), True)
    """
    n_users = _check_int(n_users, "n_users")
    radius = _check_positive_float(radius, "radius")
    if isinstance(min_distance, bool) or not isinstance(min_distance, numbers.Real):
        raise TypeError(f"min_distance must be a real number, got {type(min_distance).__name__}")
    inner = float(min_distance)
    if not 0.0 <= inner < radius:
        raise ValueError(f"min_distance must be in [0, radius = {radius:g}) m, got {inner!r}")
    generator = np.random.default_rng(rng)
    distance = np.sqrt(inner**2 + generator.random(n_users) * (radius**2 - inner**2))
    angle = 2.0 * np.pi * generator.random(n_users)
    return np.column_stack((distance * np.cos(angle), distance * np.sin(angle)))


def _real(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def _check_los_argument(los: Any, n_users: int) -> np.ndarray | None:
    if los is None:
        return None
    array = np.asarray(los)
    if array.dtype != bool:
        raise TypeError(
            f"los must be None (drawn), True, False or J booleans, got dtype {array.dtype}"
        )
    if array.ndim == 0:
        return np.full(n_users, bool(array))
    if array.shape != (n_users,):
        raise ValueError(f"los must be a boolean or have shape ({n_users},), got {array.shape}")
    return array.copy()


def scenario_from_positions(
    positions: ArrayLike,
    *,
    model: str = PLANNING_DEFAULTS["model"],
    carrier_ghz: float | None = None,
    power_budget_dbm: float | ArrayLike = PLANNING_DEFAULTS["power_budget_dbm"],
    bandwidth: float = PLANNING_DEFAULTS["bandwidth"],
    noise: str = PLANNING_DEFAULTS["noise"],
    noise_figure_db: float = PLANNING_DEFAULTS["noise_figure_db"],
    ut_height: float | ArrayLike | None = None,
    n_resources: int | None = PLANNING_DEFAULTS["n_resources"],
    n_per_user: int = PLANNING_DEFAULTS["n_per_user"],
    users_per_resource: int = PLANNING_DEFAULTS["users_per_resource"],
    path_loss_exponent: float | None = None,
    los: bool | ArrayLike | None = PLANNING_DEFAULTS["los"],
    shadowing: bool | None = PLANNING_DEFAULTS["shadowing"],
    fading: str | None = PLANNING_DEFAULTS["fading"],
    rng: int | np.random.Generator | None = None,
) -> Scenario:
    """A scenario for users at given positions around one base station.

    ``gains[k, j] = |g[k, j]|**2 * 10**(-(PL_j + X_j) / 10)``: the path loss ``PL_j``
    and the shadowing ``X_j`` (dB) of user ``j`` are the same on every resource; the
    fading ``g[k, j] ~ CN(0, 1)`` is independent per (resource, user), as in
    :func:`~scma_alloc.random_scenario`.

    Parameters
    ----------
    positions : array_like, shape (J, 2)
        User coordinates ``(x, y)`` in metres, the base station at the origin; only the
        distance ``d_2D = hypot(x, y)`` matters.
    model : {"umi", "uma", "disc"}
        ``"umi"`` / ``"uma"``: TR 38.901 Table 7.4.1-1 (:func:`~scma_alloc.path_loss_db`;
        a user nearer than 10 m is evaluated at 10 m, beyond 5 km is refused).
        ``"disc"``: the paper's ``1 + d**alpha`` (linear, ``d`` in metres).
    carrier_ghz : float, optional
        Carrier frequency in GHz (3GPP models; default 3.5).
    power_budget_dbm : float or array_like, shape (J,)
        Per-user budget in dBm (default 23).
    bandwidth : float
        Bandwidth of one resource in Hz (default 180e3), for the noise power.
    noise : {"thermal", "paper"}
        Noise preset (:func:`~scma_alloc.noise_power`): ``"thermal"`` is kTB (default);
        ``"paper"`` the authors' value, 30 dB above it.
    noise_figure_db : float
        Receiver (base-station) noise figure in dB added to the preset (default 5).
    ut_height : float or array_like, optional
        User heights in metres (3GPP models; default 1.5).
    n_resources : int, optional
        K; default the fewest that fit, ``max(N, ceil(J * N / d_f))``.
    n_per_user, users_per_resource : int
        N and d_f (default 2 and 3).
    path_loss_exponent : float, optional
        alpha of ``"disc"`` (default 4).
    los : bool or array_like of bool, optional
        Line of sight per user (3GPP models); ``None`` draws it from the LOS probability
        of Table 7.4.2-1.
    shadowing : bool, optional
        Log-normal shadowing (Table 7.4.1-1's deviations); default on for the 3GPP
        models. ``"disc"`` has none (``True`` is refused).
    fading : {"rayleigh", None}
        ``None`` gives every resource the large-scale gain alone.
    rng : int, numpy.random.Generator or None
        Seed or generator. Draw order: LOS states (J uniforms, when drawn), shadowing
        (J normals), fading (real then imaginary parts, K x J normals each).

    Returns
    -------
    Scenario

    Raises
    ------
    ValueError
        Malformed positions, an unknown model or preset, a value out of its range, an
        option the model does not use (``carrier_ghz``, ``ut_height``, ``los`` with
        ``"disc"``; ``path_loss_exponent`` with a 3GPP model; ``shadowing=True`` with
        ``"disc"``), or a channel the :class:`~scma_alloc.Scenario` refuses (a user
        too weak to resolve, say). Every argument is checked before the first draw.
    TypeError
        Non-numeric input, or a ``los`` that is not boolean.

    Notes
    -----
    Every default is listed, with its reason, in :data:`PLANNING_DEFAULTS`. Users are
    outdoor (no penetration loss) and antennas have 0 dBi gain. With ``model="disc"``,
    ``noise="paper"`` and ``noise_figure_db=0``, users at the distances
    :func:`~scma_alloc.random_scenario` draws get its channel exactly.

    Examples
    --------
    >>> import scma_alloc as sa
    >>> xy = sa.random_positions(6, 200.0, min_distance=10.0, rng=1)
    >>> s = sa.scenario_from_positions(xy, model="umi", rng=2)
    >>> s.shape, round(sa.watt_to_dbm(s.noise_power), 1)  # kTB + 5 dB over 180 kHz
    ((4, 6), -116.4)
    """
    xy = check_positions(positions)
    n_users = xy.shape[0]
    if not isinstance(model, str) or model not in SCENARIO_MODELS:
        raise ValueError(f"model must be one of {', '.join(SCENARIO_MODELS)}, got {model!r}")
    given = {
        "carrier_ghz": carrier_ghz,
        "ut_height": ut_height,
        "los": los,
        "path_loss_exponent": path_loss_exponent,
    }
    unused = _DISC_ONLY if model != "disc" else _THREEGPP_ONLY
    wrong = [name for name in unused if given[name] is not None]
    if wrong:
        verb = "does" if len(wrong) == 1 else "do"
        raise ValueError(f"{', '.join(wrong)} {verb} not apply to model {model!r}; leave it out")
    if shadowing is not None and not isinstance(shadowing, bool):
        raise TypeError(f"shadowing must be True, False or None, got {type(shadowing).__name__}")
    if model == "disc" and shadowing:
        raise ValueError("shadowing does not apply to model 'disc' (the paper has none)")
    if not (fading is None or (isinstance(fading, str) and fading == "rayleigh")):
        raise ValueError(f"fading must be 'rayleigh' or None, got {fading!r}")
    distance = np.hypot(xy[:, 0], xy[:, 1])
    if model == "disc":
        alpha = _check_positive_float(
            PLANNING_DEFAULTS["path_loss_exponent"]
            if path_loss_exponent is None
            else path_loss_exponent,
            "path_loss_exponent",
        )
        line_of_sight = None
        use_shadowing = False
    else:
        fc = check_carrier(
            PLANNING_DEFAULTS["carrier_ghz"] if carrier_ghz is None else carrier_ghz
        )
        height = check_ut_height(
            PLANNING_DEFAULTS["ut_height"] if ut_height is None else ut_height, model
        )
        if height.ndim and height.shape != (n_users,):
            raise ValueError(
                f"ut_height must be a number or have shape ({n_users},), got {height.shape}"
            )
        check_distance(distance, "positions (distance to the base station)")
        line_of_sight = _check_los_argument(los, n_users)
        use_shadowing = True if shadowing is None else shadowing
    noise_figure = _real(noise_figure_db, "noise_figure_db")
    if noise_figure < 0:
        raise ValueError(f"noise_figure_db must be >= 0 dB, got {noise_figure!r}")
    noise_watt = noise_power(_real(bandwidth, "bandwidth"), noise) * 10.0 ** (noise_figure / 10.0)
    budget_dbm = real_array(power_budget_dbm, "power_budget_dbm")
    if not np.all(np.isfinite(budget_dbm)):
        raise ValueError("power_budget_dbm must be finite")
    if budget_dbm.ndim and budget_dbm.shape != (n_users,):
        raise ValueError(
            f"power_budget_dbm must be a number or have shape ({n_users},), got {budget_dbm.shape}"
        )
    n_per_user = _check_int(n_per_user, "n_per_user")
    users_per_resource = _check_int(users_per_resource, "users_per_resource")
    if n_resources is None:
        n_resources = max(n_per_user, -(-n_users * n_per_user // users_per_resource))
    n_resources = _check_int(n_resources, "n_resources")
    budget_watt = dbm_to_watt(budget_dbm)
    # The sizes and the budget are checked by the constructor itself, before any draw.
    Scenario(
        np.ones((n_resources, n_users)),
        budget_watt,
        noise_power=noise_watt,
        n_per_user=n_per_user,
        users_per_resource=users_per_resource,
    )

    generator = np.random.default_rng(rng)
    if model == "disc":
        loss = 1.0 + distance**alpha  # linear, as random_scenario divides by it
    else:
        if line_of_sight is None:
            line_of_sight = generator.random(n_users) < los_probability(distance, model=model)
        loss_db = path_loss_db(
            distance, model=model, los=line_of_sight, carrier_ghz=fc, ut_height=height
        )
        if use_shadowing:
            loss_db = loss_db + shadowing_db(line_of_sight, model=model, rng=generator)
        loss = 10.0 ** (loss_db / 10.0)
    if fading == "rayleigh":
        shape = (n_resources, n_users)
        g = (generator.standard_normal(shape) + 1j * generator.standard_normal(shape)) / np.sqrt(
            2.0
        )
        small_scale = np.abs(g) ** 2
    else:
        small_scale = np.ones((n_resources, n_users))
    return Scenario(
        small_scale / loss[None, :],
        budget_watt,
        noise_power=noise_watt,
        n_per_user=n_per_user,
        users_per_resource=users_per_resource,
    )
