"""Large-scale channel of 3GPP TR 38.901 (V16/V17): path loss, LOS probability, shadowing.

The two outdoor street-level scenarios a planner meets most, UMi - Street Canyon and
UMa, for outdoor users (no outdoor-to-indoor penetration loss):

- path loss, Table 7.4.1-1 (LOS with its breakpoint; NLOS as the larger of the LOS value
  and the NLOS formula, as the table defines it);
- LOS probability, Table 7.4.2-1;
- log-normal shadow fading with the standard deviations of Table 7.4.1-1.

Units: carrier frequency ``carrier_ghz`` in GHz, distances and heights in metres, path loss
and shadowing in dB. The base-station heights are the table's (10 m UMi, 25 m UMa).

Rules where the table leaves a choice, in one place:

- **Effective environment height** ``h_E = 1 m`` in the breakpoint distance of both
  scenarios. For UMi the table fixes it; for UMa it is 1 m with probability
  ``1 / (1 + C(d_2D, h_UT))`` and ``C = 0`` for ``h_UT < 13 m``, so it is exactly 1 m
  there. UMa user heights of 13 m or more (where ``h_E`` would be drawn) are refused.
- **Distances.** The table covers ``10 m <= d_2D <= 5 km``. A user nearer than 10 m is
  evaluated at ``d_2D = 10 m`` (clipped: its path loss is that of the table's nearest
  point, a finite and slightly pessimistic value); a user beyond 5 km is refused
  (the formulas are not fitted there and such a distance is usually a unit mistake).
- **Carrier frequency** ``0.5 <= f_c <= 100`` GHz (the range of Table 7.4.1-1); outside
  it is refused. **User height** ``1.5 <= h_UT <= 22.5`` m (UMi), ``1.5 <= h_UT < 13`` m
  (UMa).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._units import real_array

__all__ = [
    "PATH_LOSS_MODELS",
    "breakpoint_distance",
    "los_probability",
    "path_loss_db",
    "shadowing_db",
]

#: The 3GPP scenarios implemented here (TR 38.901 Table 7.4.1-1).
PATH_LOSS_MODELS = ("umi", "uma")
#: Base-station antenna height in metres per scenario (Table 7.4.1-1: h_BS).
BS_HEIGHT_M = {"umi": 10.0, "uma": 25.0}
#: Default user-terminal height in metres (the lower end of Table 7.4.1-1's range).
DEFAULT_UT_HEIGHT_M = 1.5
#: Allowed user heights in metres, ``(low, high, high included)``; see the module notes.
UT_HEIGHT_RANGE_M = {"umi": (1.5, 22.5, True), "uma": (1.5, 13.0, False)}
#: Shadow-fading standard deviation in dB, ``{model: (LOS, NLOS)}`` (Table 7.4.1-1).
SHADOWING_STD_DB = {"umi": (4.0, 7.82), "uma": (4.0, 6.0)}
#: Validity range of the 2-D distance in metres (Table 7.4.1-1); below it is clipped.
DISTANCE_2D_RANGE_M = (10.0, 5000.0)
#: Carrier frequencies accepted, in GHz (Table 7.4.1-1: 0.5 to 100 GHz).
CARRIER_RANGE_GHZ = (0.5, 100.0)
#: Effective environment height h_E in metres (Table 7.4.1-1, note 1); see the notes.
ENVIRONMENT_HEIGHT_M = 1.0
#: Propagation velocity in free space used by the breakpoint distance (m/s, note 1).
SPEED_OF_LIGHT = 3.0e8


def check_model(model: Any) -> str:
    """``model`` if it is one of :data:`PATH_LOSS_MODELS`, else a clear error."""
    if not isinstance(model, str):
        raise TypeError(f"model must be a string, got {type(model).__name__}")
    if model not in PATH_LOSS_MODELS:
        raise ValueError(f"model must be one of {', '.join(PATH_LOSS_MODELS)}, got {model!r}")
    return model


def check_carrier(carrier_ghz: Any) -> float:
    """The carrier frequency in GHz, refused outside :data:`CARRIER_RANGE_GHZ`."""
    if isinstance(carrier_ghz, bool) or not isinstance(carrier_ghz, numbers.Real):
        raise TypeError(
            f"carrier_ghz must be a real number of GHz, got {type(carrier_ghz).__name__}"
        )
    value = float(carrier_ghz)
    low, high = CARRIER_RANGE_GHZ
    if not low <= value <= high:
        raise ValueError(
            f"carrier_ghz must be in [{low:g}, {high:g}] GHz (TR 38.901 Table 7.4.1-1), got "
            f"{value!r}; the carrier frequency is in GHz, not Hz"
        )
    return value


def check_ut_height(ut_height: Any, model: str) -> np.ndarray:
    """User heights in metres as an array, refused outside the model's range."""
    height = real_array(ut_height, "ut_height")
    low, high, high_included = UT_HEIGHT_RANGE_M[model]
    inside = (height >= low) & ((height <= high) if high_included else (height < high))
    if not np.all(inside):
        bad = height[~inside].ravel()[0]
        closing = "]" if high_included else ")"
        hint = (
            " (from 13 m the table draws the environment height h_E at random; only h_E = "
            "1 m is implemented)"
            if model == "uma"
            else ""
        )
        raise ValueError(
            f"ut_height must be in [{low:g}, {high:g}{closing} m for {model!r}, got "
            f"{float(bad)!r}{hint}"
        )
    return height


def check_distance(distance_2d: Any, name: str = "distance_2d") -> np.ndarray:
    """2-D distances in metres: finite, non-negative; refused beyond 5 km."""
    distance = real_array(distance_2d, name)
    if not np.all(np.isfinite(distance)):
        raise ValueError(f"{name} must be finite (found NaN or inf)")
    if np.any(distance < 0):
        raise ValueError(f"{name} must be non-negative metres, got {float(distance.min())!r}")
    high = DISTANCE_2D_RANGE_M[1]
    if np.any(distance > high):
        raise ValueError(
            f"{name}: {float(distance.max()):.6g} m is beyond the {high:g} m range of TR 38.901 "
            "Table 7.4.1-1; distances are in metres"
        )
    return distance


def _check_los(los: Any) -> np.ndarray:
    array = np.asarray(los)
    if array.dtype != bool:
        raise TypeError(f"los must be True, False or an array of booleans, got {array.dtype}")
    return array


def breakpoint_distance(
    carrier_ghz: float, *, model: str = "umi", ut_height: float | ArrayLike = DEFAULT_UT_HEIGHT_M
) -> float | np.ndarray:
    """Breakpoint distance ``d'_BP = 4 h'_BS h'_UT f_c / c`` in metres.

    TR 38.901 Table 7.4.1-1, note 1, with the effective heights ``h' = h - h_E`` and
    ``h_E = 1 m`` (see the module notes), ``f_c`` in Hz and ``c = 3.0e8`` m/s.

    Parameters
    ----------
    carrier_ghz : float
        Carrier frequency in GHz.
    model : {"umi", "uma"}
        Scenario (sets ``h_BS``: 10 m or 25 m).
    ut_height : float or array_like
        User height in metres.

    Returns
    -------
    float or numpy.ndarray
        ``d'_BP`` in metres (an array when ``ut_height`` is one).

    Examples
    --------
    >>> round(breakpoint_distance(3.5, model="umi"), 6)  # 4 * 9 * 0.5 * 3.5e9 / 3e8
    210.0
    """
    model = check_model(model)
    fc = check_carrier(carrier_ghz)
    height = check_ut_height(ut_height, model)
    value = (
        4.0
        * (BS_HEIGHT_M[model] - ENVIRONMENT_HEIGHT_M)
        * (height - ENVIRONMENT_HEIGHT_M)
        * fc
        * 1e9
        / SPEED_OF_LIGHT
    )
    return float(value) if value.ndim == 0 else value


def path_loss_db(
    distance_2d: ArrayLike,
    *,
    model: str = "umi",
    los: bool | ArrayLike = True,
    carrier_ghz: float = 3.5,
    ut_height: float | ArrayLike = DEFAULT_UT_HEIGHT_M,
) -> np.ndarray:
    """Path loss of TR 38.901 Table 7.4.1-1 (UMi - Street Canyon or UMa), in dB.

    Parameters
    ----------
    distance_2d : array_like
        Horizontal base-station-to-user distances ``d_2D`` in metres. Below 10 m a
        distance is evaluated at 10 m; beyond 5 km it is refused (module notes). The
        3-D distance is ``d_3D = sqrt(d_2D**2 + (h_BS - h_UT)**2)``.
    model : {"umi", "uma"}
        ``"umi"``: UMi - Street Canyon, ``h_BS = 10 m``; ``"uma"``: UMa, ``h_BS = 25 m``.
    los : bool or array_like of bool
        Line of sight (broadcast against ``distance_2d``).
    carrier_ghz : float
        Carrier frequency ``f_c`` in GHz, 0.5 to 100.
    ut_height : float or array_like
        User height ``h_UT`` in metres (1.5 to 22.5 for UMi, 1.5 to below 13 for UMa).

    Returns
    -------
    numpy.ndarray
        Path loss in dB, shape of ``distance_2d`` broadcast with ``los`` and ``ut_height``.

    Raises
    ------
    ValueError
        Unknown model, a distance that is negative, not finite or beyond 5 km, a carrier
        or user height outside its range, or a ``los`` shape that does not broadcast.
    TypeError
        Non-numeric distances or heights, or a ``los`` that is not boolean.

    Notes
    -----
    With ``f_c`` in GHz, distances in m and the breakpoint ``d'_BP`` of
    :func:`!breakpoint_distance`, Table 7.4.1-1 gives for UMi - Street Canyon

    - LOS: ``PL1 = 32.4 + 21 log10(d_3D) + 20 log10(f_c)`` for ``d_2D <= d'_BP``, else
      ``PL2 = 32.4 + 40 log10(d_3D) + 20 log10(f_c) - 9.5 log10(d'_BP**2 + (h_BS -
      h_UT)**2)``; shadowing 4 dB;
    - NLOS: ``max(PL_LOS, PL')`` with ``PL' = 35.3 log10(d_3D) + 22.4 + 21.3 log10(f_c)
      - 0.3 (h_UT - 1.5)``; shadowing 7.82 dB;

    and for UMa

    - LOS: ``PL1 = 28.0 + 22 log10(d_3D) + 20 log10(f_c)``, ``PL2 = 28.0 + 40
      log10(d_3D) + 20 log10(f_c) - 9 log10(d'_BP**2 + (h_BS - h_UT)**2)``; 4 dB;
    - NLOS: ``max(PL_LOS, PL')`` with ``PL' = 13.54 + 39.08 log10(d_3D) + 20 log10(f_c)
      - 0.6 (h_UT - 1.5)``; 6 dB.

    The optional (simplified) NLOS formulas of the table are not implemented.

    References
    ----------
    3GPP TR 38.901, "Study on channel model for frequencies from 0.5 to 100 GHz",
    V16.1.0 / V17.0.0, Table 7.4.1-1.

    Examples
    --------
    >>> import numpy as np
    >>> pl = path_loss_db([100.0], model="umi", los=True, carrier_ghz=3.5)
    >>> d3 = np.hypot(100.0, 10.0 - 1.5)
    >>> bool(np.isclose(pl[0], 32.4 + 21 * np.log10(d3) + 20 * np.log10(3.5)))
    True
    """
    model = check_model(model)
    fc = check_carrier(carrier_ghz)
    distance = check_distance(distance_2d)
    height = check_ut_height(ut_height, model)
    line_of_sight = _check_los(los)
    try:
        shape = np.broadcast_shapes(distance.shape, line_of_sight.shape, height.shape)
    except ValueError:
        raise ValueError(
            f"distance_2d (shape {distance.shape}), los (shape {line_of_sight.shape}) and "
            f"ut_height (shape {height.shape}) must broadcast to one shape"
        ) from None
    h_bs = BS_HEIGHT_M[model]
    d2 = np.broadcast_to(np.maximum(distance, DISTANCE_2D_RANGE_M[0]), shape)
    h_ut = np.broadcast_to(height, shape)
    d3 = np.sqrt(d2**2 + (h_bs - h_ut) ** 2)
    d_bp = breakpoint_distance(fc, model=model, ut_height=h_ut)
    log_d3 = np.log10(d3)
    log_fc = np.log10(fc)
    if model == "umi":
        near = 32.4 + 21.0 * log_d3 + 20.0 * log_fc
        far = 32.4 + 40.0 * log_d3 + 20.0 * log_fc - 9.5 * np.log10(d_bp**2 + (h_bs - h_ut) ** 2)
        nlos = 35.3 * log_d3 + 22.4 + 21.3 * log_fc - 0.3 * (h_ut - 1.5)
    else:
        near = 28.0 + 22.0 * log_d3 + 20.0 * log_fc
        far = 28.0 + 40.0 * log_d3 + 20.0 * log_fc - 9.0 * np.log10(d_bp**2 + (h_bs - h_ut) ** 2)
        nlos = 13.54 + 39.08 * log_d3 + 20.0 * log_fc - 0.6 * (h_ut - 1.5)
    pl_los = np.where(d2 <= d_bp, near, far)
    return np.where(np.broadcast_to(line_of_sight, shape), pl_los, np.maximum(pl_los, nlos))


def los_probability(distance_2d: ArrayLike, *, model: str = "umi") -> np.ndarray:
    """Probability of line of sight, TR 38.901 Table 7.4.2-1 (outdoor users).

    Parameters
    ----------
    distance_2d : array_like
        Horizontal distances ``d_2D`` in metres (finite, non-negative, at most 5 km).
    model : {"umi", "uma"}

    Returns
    -------
    numpy.ndarray
        ``Pr_LOS`` in [0, 1], shape of ``distance_2d``.

    Notes
    -----
    Both scenarios give 1 for ``d_2D <= 18 m``. Beyond,

    - UMi - Street Canyon: ``18 / d + exp(-d / 36) (1 - 18 / d)``;
    - UMa: ``(18 / d + exp(-d / 63) (1 - 18 / d)) (1 + C'(h_UT) 5/4 (d / 100)**3
      exp(-d / 150))`` with ``C'(h_UT) = 0`` for ``h_UT <= 13 m``, the only heights
      accepted here, so the second factor is 1.

    Examples
    --------
    >>> import numpy as np
    >>> p = los_probability([10.0, 36.0], model="umi")
    >>> bool(np.allclose(p, [1.0, 0.5 + 0.5 * np.exp(-1.0)]))
    True
    """
    model = check_model(model)
    distance = check_distance(distance_2d)
    scale = 36.0 if model == "umi" else 63.0
    d = np.maximum(distance, 18.0)
    probability = 18.0 / d + np.exp(-d / scale) * (1.0 - 18.0 / d)
    return np.where(distance <= 18.0, 1.0, probability)


def shadowing_db(
    los: bool | ArrayLike,
    *,
    model: str = "umi",
    rng: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Draw log-normal shadow fading in dB, zero mean, Table 7.4.1-1's deviations.

    Parameters
    ----------
    los : bool or array_like of bool
        Line of sight of each link; one draw per entry.
    model : {"umi", "uma"}
        Standard deviation: UMi 4 dB (LOS) / 7.82 dB (NLOS); UMa 4 dB / 6 dB.
    rng : int, numpy.random.Generator or None
        Seed or generator; one standard normal per entry of ``los``.

    Returns
    -------
    numpy.ndarray
        Shadowing ``X`` in dB, shape of ``los``; the received power is multiplied by
        ``10**(-X / 10)`` (a positive ``X`` is extra loss).

    Examples
    --------
    >>> x = shadowing_db([True, False], model="uma", rng=0)
    >>> x.shape
    (2,)
    """
    model = check_model(model)
    line_of_sight = _check_los(los)
    sigma_los, sigma_nlos = SHADOWING_STD_DB[model]
    sigma = np.where(line_of_sight, sigma_los, sigma_nlos)
    generator = np.random.default_rng(rng)
    return sigma * generator.standard_normal(line_of_sight.shape)
