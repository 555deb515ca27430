"""Paired sweeps: many channel drops x the values of one parameter x algorithms, local or
on Dask.

:func:`sweep` runs every registered algorithm (:data:`~scma_alloc.ALGORITHMS`) over a
list of power budgets; :func:`sweep_parameter` over the values of any other parameter
of :data:`SWEEP_PARAMETERS` (subcarriers K, users J, the load J/K, the cell radius, ...)
or over an option of one algorithm (``"max-min:n_polish"``). Both use the same channel
drops: drop ``d`` is drawn from the child seed
``numpy.random.SeedSequence(seed).spawn(n_drops)[d]`` (:func:`drop_scenario`) at every
value and for every algorithm, so comparisons are paired. Results go to a
:class:`~scma_alloc.ResultStore` (SQLite) as each point finishes, so a sweep resumes
where it stopped, and a stored sweep can grow (more drops, more values after its last
one) without recomputing what is stored; :func:`summarize_sweep` and
:func:`compare_algorithms` turn the tidy table into means with confidence intervals and
paired comparisons, per value of the swept parameter.

A task that raises is recorded with ``status="error"`` and its message, and the sweep
goes on; a solver failure is recorded with the solver's own status. Nothing is ever
redrawn (the authors' script redraws failed drops, which biases the statistics).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import math
import multiprocessing
import numbers
import os
import signal
import threading
import time
import types
import warnings
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._arguments import usable_cpus
from ._registry import ALGORITHMS, get_algorithm
from ._result import STATUS_ERROR, STATUS_FLOORS_NOT_MET
from ._scenario import Scenario, random_scenario
from ._store import ResultStore, encode_assignment, release_inherited_locks, results_frame
from ._units import DEFAULT_BANDWIDTH, real_array

__all__ = [
    "DEFAULT_ALGORITHMS",
    "PAPER_BUDGETS_DBM",
    "SWEEP_PARAMETERS",
    "SweepConfig",
    "compare_algorithms",
    "drop_scenario",
    "summarize_sweep",
    "sweep",
    "sweep_parameter",
]

#: The paper's power budgets (§IV): 3..10 dBm in 8 points.
PAPER_BUDGETS_DBM = (3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0)
#: Algorithms of a default sweep: the two solvers and the four baselines.
DEFAULT_ALGORITHMS = ("max-sr", "max-min", "b0", "b1", "b2", "b3")
#: Seconds to wait for a Dask scheduler given by address.
DASK_CONNECT_TIMEOUT = 10.0
#: The three metrics of a sweep.
METRICS = ("sum_rate", "min_rate", "jain_index")

_SCENARIO_DEFAULTS: dict[str, Any] = {
    "n_resources": 4,
    "n_users": 6,
    "n_per_user": 2,
    "users_per_resource": 3,
    "radius": 300.0,
    "path_loss_exponent": 4.0,
    "bandwidth": DEFAULT_BANDWIDTH,
    "noise": "paper",
}
_INT_OPTIONS = ("n_resources", "n_users", "n_per_user", "users_per_resource")
#: The budget of every point of a sweep over another parameter: the paper's largest.
DEFAULT_BUDGET_DBM = 10.0

#: The parameters a sweep can vary, each with the words (and unit) of its axis. An
#: option of one algorithm is a parameter too, named ``"ALGORITHM:OPTION"``
#: (``"max-min:n_polish"``).
SWEEP_PARAMETERS: Mapping[str, str] = types.MappingProxyType(
    {
        "budget_dbm": "per-user power budget (dBm)",
        "n_resources": "subcarriers K",
        "n_users": "users J",
        "load": "load J/K (overloading factor, K fixed)",
        "radius": "cell radius (m)",
        "path_loss_exponent": "path-loss exponent",
        "n_per_user": "subcarriers per user N",
        "users_per_resource": "users per subcarrier d_f",
        "bandwidth": "subcarrier bandwidth (Hz)",
    }
)
#: Short column headers of the parameters in text tables.
_SYMBOLS = {
    "budget_dbm": "dBm",
    "n_resources": "K",
    "n_users": "J",
    "load": "J/K",
    "radius": "m",
    "path_loss_exponent": "exp",
    "n_per_user": "N",
    "users_per_resource": "d_f",
    "bandwidth": "Hz",
}
#: Parameters whose value is a unit (printed after the number in tables).
_UNITS = {"budget_dbm": "dBm", "radius": "m", "bandwidth": "Hz"}


def parameter_label(name: str) -> str:
    """The words (and unit) of a swept parameter, for axis labels and table titles.

    Examples
    --------
    >>> parameter_label("radius"), parameter_label("max-min:n_polish")
    ('cell radius (m)', 'Max-Min: n_polish')
    """
    if name in SWEEP_PARAMETERS:
        return SWEEP_PARAMETERS[name]
    algorithm, _, option = name.partition(":")
    label = ALGORITHMS[algorithm].label if algorithm in ALGORITHMS else algorithm
    return f"{label}: {option}"


def parameter_symbol(name: str) -> str:
    """A short column header for a swept parameter (``"dBm"``, ``"K"``, an option's name)."""
    return _SYMBOLS.get(name, name.partition(":")[2] or name)


def parameter_unit(name: str) -> str:
    """The unit printed after a value of ``name`` in tables (``"dBm"``, ``"m"``, or ``""``)."""
    return _UNITS.get(name, "")


def is_integer_parameter(name: str) -> bool:
    """Whether the values of ``name`` are counts (K, J, N, d_f)."""
    return name in _INT_OPTIONS


# --------------------------------------------------------------------------- drops
def drop_scenario(
    drop: int, budget_dbm: float | ArrayLike, *, seed: int = 0, **scenario_options: Any
) -> Scenario:
    """The channel drop ``drop`` of a sweep with ``seed``, at ``budget_dbm``.

    The generator is seeded with ``SeedSequence(seed, spawn_key=(drop,))``, which is
    ``SeedSequence(seed).spawn(n)[drop]`` for any ``n > drop``; the gains do not depend
    on the budget. Use it to reproduce one row of a sweep.

    Parameters
    ----------
    drop : int
        Drop index (>= 0).
    budget_dbm : float or array_like
        Per-user power budget in dBm.
    seed : int
        The sweep's seed (>= 0).
    **scenario_options
        Keyword arguments of :func:`~scma_alloc.random_scenario` (``n_resources``,
        ``n_users``, ``n_per_user``, ``users_per_resource``, ``radius``,
        ``path_loss_exponent``, ``bandwidth``, ``noise``).

    Returns
    -------
    Scenario

    Examples
    --------
    >>> a = drop_scenario(3, 3.0, seed=7)
    >>> b = drop_scenario(3, 10.0, seed=7)
    >>> bool((a.gains == b.gains).all())
    True
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(int(drop),)))
    options = {**_SCENARIO_DEFAULTS, **scenario_options}
    n_resources = options.pop("n_resources")
    n_users = options.pop("n_users")
    return random_scenario(n_resources, n_users, power_budget_dbm=budget_dbm, rng=rng, **options)


# --------------------------------------------------------------------------- configuration
def _integer(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _axis_values(values: Any, argument: str, name: str) -> tuple[Any, ...]:
    """The values of the swept parameter ``name``: finite, strictly increasing numbers;
    counts for K, J, N and d_f (ints), numbers as given for an algorithm option, floats
    otherwise. ``argument`` names the argument in messages (``budgets_dbm``, ``values``)."""
    what = "numbers in dBm" if name == "budget_dbm" else "numbers"
    if isinstance(values, str):
        raise ValueError(f"{argument} must be {what}, got the string {values!r}")
    try:
        array = np.atleast_1d(real_array(values, argument))
        kind = np.asarray(values).dtype.kind
    except TypeError:
        raise ValueError(f"{argument} must be {what}, got {values!r}") from None
    if kind == "b":
        raise ValueError(f"{argument} must be {what}, got booleans {values!r}")
    if array.ndim != 1:
        raise ValueError(f"{argument} must be a flat list of {what}, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(
            f"{argument} is empty; give at least one "
            + ("power budget in dBm" if name == "budget_dbm" else f"value of {name}")
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{argument} must be finite, got {array.tolist()}")
    steps = np.diff(array)
    if np.any(steps == 0):
        duplicates = sorted({float(v) for v in array[1:][steps == 0]})
        raise ValueError(f"{argument} has duplicate values {duplicates}")
    if np.any(steps < 0):
        raise ValueError(f"{argument} must be sorted in increasing order, got {array.tolist()}")
    if is_integer_parameter(name):
        if kind not in "iu":
            raise ValueError(f"{argument}: {name} takes whole numbers, got {array.tolist()}")
        return tuple(int(v) for v in np.atleast_1d(values))
    if ":" in name:  # an algorithm option: ints stay ints (counts), floats floats
        return tuple(np.atleast_1d(np.asarray(values)).tolist())
    return tuple(float(v) for v in array)


def _algorithms(algorithms: Any) -> tuple[str, ...]:
    names = (algorithms,) if isinstance(algorithms, str) else tuple(algorithms)
    if not names:
        raise ValueError("algorithms is empty; give at least one of: " + ", ".join(ALGORITHMS))
    unknown = [n for n in names if n not in ALGORITHMS]
    if unknown:
        raise ValueError(
            f"algorithms: unknown name(s) {unknown}; valid names: {', '.join(ALGORITHMS)}"
        )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"algorithms lists {duplicates} more than once")
    return names


def _parameter(name: Any, algorithms: Sequence[str]) -> str:
    """Check the name of a swept parameter: a key of SWEEP_PARAMETERS or ALGORITHM:OPTION
    with ALGORITHM among the sweep's algorithms."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a parameter name (a string), got {name!r}")
    if name in SWEEP_PARAMETERS:
        return name
    algorithm, colon, option = name.partition(":")
    if not colon:
        raise ValueError(
            f"name: cannot sweep {name!r}; sweep one of {', '.join(SWEEP_PARAMETERS)} or an "
            "algorithm option as ALGORITHM:OPTION (e.g. 'max-min:n_polish')"
        )
    if algorithm not in algorithms:
        raise ValueError(
            f"name {name!r}: the algorithm {algorithm!r} is not among the algorithms "
            f"{list(algorithms)}"
        )
    if not option.isidentifier():
        raise ValueError(f"name {name!r}: {option!r} is not an option name")
    return name


def _load_users(load: float, n_resources: int) -> int:
    """J = load x K users, refused unless it is a whole number (the x axis must be the load
    the users see)."""
    users = load * n_resources
    n_users = round(users)
    if n_users < 1 or abs(users - n_users) > 1e-6:
        raise ValueError(
            f"values: load {load:g} at K = {n_resources} subcarriers gives {users:g} users; "
            f"give multiples of 1/K = {1 / n_resources:g} (J = load x K)"
        )
    return int(n_users)


def _json_value(value: Any, where: str) -> Any:
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        raise ValueError(
            f"{where} = {value!r} cannot be recorded in the sweep's configuration; "
            "sweeps accept only JSON values (numbers, strings, lists, dicts) as options"
        ) from None


@dataclass(frozen=True)
class SweepConfig:
    """A validated sweep configuration: what is recorded in (and checked against) a store.

    Build it with :meth:`create` (a power-budget sweep) or :meth:`for_parameter` (any
    parameter); :func:`sweep` and :func:`sweep_parameter` do so from their arguments.

    Attributes
    ----------
    values : tuple
        Strictly increasing values of the swept parameter, one sweep point each (the
        store's ``budget_index`` is the index of a point in ``values``).
    n_drops : int
    algorithms : tuple of str
        Registry names, in table and legend order.
    seed : int
    scenario : dict
        The fixed keyword arguments of :func:`drop_scenario` (sizes, geometry, noise
        preset; ``budget_dbm`` unless the budget is swept); the swept one is left out
        (with ``n_users`` for a sweep over the load).
    algorithm_options : dict
        Fixed options per algorithm name (JSON values only).
    vary : str
        The swept parameter: a key of :data:`SWEEP_PARAMETERS` or ``"ALGORITHM:OPTION"``.
    """

    values: tuple[Any, ...]
    n_drops: int
    algorithms: tuple[str, ...]
    seed: int
    scenario: dict[str, Any] = field(default_factory=dict)
    algorithm_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    vary: str = "budget_dbm"

    @classmethod
    def create(
        cls,
        budgets_dbm: Any = PAPER_BUDGETS_DBM,
        n_drops: Any = 30,
        algorithms: Any = DEFAULT_ALGORITHMS,
        *,
        seed: Any = 0,
        algorithm_options: Mapping[str, Mapping[str, Any]] | None = None,
        **scenario_options: Any,
    ) -> SweepConfig:
        """Validate the arguments of a power-budget sweep (clear ``ValueError`` naming the
        argument).

        Raises
        ------
        ValueError
            Empty, unsorted or duplicate budgets; ``n_drops < 1``; unknown or duplicate
            algorithms; a negative seed; invalid scenario or algorithm options.
        TypeError
            Unknown scenario option, or options an algorithm does not accept.
        """
        return cls._build(
            "budget_dbm",
            budgets_dbm,
            "budgets_dbm",
            n_drops,
            algorithms,
            seed,
            None,
            algorithm_options,
            scenario_options,
        )

    @classmethod
    def for_parameter(
        cls,
        name: str,
        values: Any,
        n_drops: Any = 30,
        algorithms: Any = DEFAULT_ALGORITHMS,
        *,
        budget_dbm: Any = None,
        seed: Any = 0,
        algorithm_options: Mapping[str, Mapping[str, Any]] | None = None,
        **scenario_options: Any,
    ) -> SweepConfig:
        """Validate the arguments of a sweep over ``name`` (see :func:`sweep_parameter`).

        Raises
        ------
        ValueError
            An unknown parameter; empty, unsorted, duplicate or non-integer values (K, J,
            N, d_f); a load that does not give a whole number of users; the swept
            parameter also given as a fixed option; anything :meth:`create` refuses.
        TypeError
            Unknown scenario option, or options an algorithm does not accept.
        """
        return cls._build(
            name,
            values,
            "values",
            n_drops,
            algorithms,
            seed,
            budget_dbm,
            algorithm_options,
            scenario_options,
        )

    @classmethod
    def _build(
        cls,
        name: Any,
        values: Any,
        argument: str,
        n_drops: Any,
        algorithms: Any,
        seed: Any,
        budget_dbm: Any,
        algorithm_options: Mapping[str, Mapping[str, Any]] | None,
        scenario_options: dict[str, Any],
    ) -> SweepConfig:
        names = _algorithms(algorithms)
        name = _parameter(name, names)
        values = _axis_values(values, argument, name)
        n_drops = _integer(n_drops, "n_drops", 1)
        seed = _integer(seed, "seed", 0)
        unknown = sorted(set(scenario_options) - set(_SCENARIO_DEFAULTS))
        if unknown:
            raise TypeError(
                f"unknown scenario option(s) {unknown}; accepted: {sorted(_SCENARIO_DEFAULTS)}"
            )
        if name in scenario_options:
            raise ValueError(
                f"{name} is the swept parameter: give its values in values, not "
                f"{name}={scenario_options[name]!r}"
            )
        if name == "load" and "n_users" in scenario_options:
            raise ValueError(
                "n_users follows from the swept load (J = load x K); do not give n_users"
            )
        scenario = {**_SCENARIO_DEFAULTS, **scenario_options}
        for option in _INT_OPTIONS:
            scenario[option] = _integer(scenario[option], option, 1)
        for option in ("radius", "path_loss_exponent", "bandwidth"):
            value = scenario[option]
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"{option} must be a number, got {value!r}")
            scenario[option] = float(value)
        if name == "budget_dbm":
            if budget_dbm is not None:
                raise ValueError(
                    "budget_dbm is the swept parameter: give the budgets as values, not "
                    f"budget_dbm={budget_dbm!r}"
                )
        else:
            budget = DEFAULT_BUDGET_DBM if budget_dbm is None else budget_dbm
            if isinstance(budget, bool) or not isinstance(budget, numbers.Real):
                raise ValueError(f"budget_dbm must be one number in dBm, got {budget!r}")
            if not math.isfinite(budget):
                raise ValueError(f"budget_dbm must be finite, got {budget!r}")
            scenario["budget_dbm"] = float(budget)
        scenario.pop(name, None)
        if name == "load":
            scenario.pop("n_users")
        options: dict[str, dict[str, Any]] = {}
        for algorithm, opts in (algorithm_options or {}).items():
            if algorithm not in names:
                raise ValueError(
                    f"algorithm_options has options for {algorithm!r}, which is not among the "
                    f"algorithms {list(names)}"
                )
            if not isinstance(opts, Mapping):
                raise ValueError(f"algorithm_options[{algorithm!r}] must be a dict of options")
            if opts:
                options[algorithm] = {
                    str(k): _json_value(v, f"algorithm_options[{algorithm!r}][{k!r}]")
                    for k, v in opts.items()
                }
        swept_algorithm, _, swept_option = name.partition(":")
        if swept_option in options.get(swept_algorithm, {}):
            raise ValueError(
                f"algorithm_options[{swept_algorithm!r}][{swept_option!r}] is the swept "
                "parameter: give its values in values"
            )
        config = cls(values, n_drops, names, seed, scenario, options, name)
        # Every point's scenario and every algorithm's options are checked before any
        # work (cheap: one drawn channel and one validation per point and algorithm).
        for point in range(len(values)):
            probe = config.scenario_for(0, point)
            for algorithm in names:
                get_algorithm(algorithm).check_options(probe, config.options_for(algorithm, point))
        return config

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SweepConfig:
        """Inverse of :meth:`as_dict` (e.g. the configuration read from a store)."""
        vary = str(data.get("vary", "budget_dbm"))
        if "vary" in data:
            values: tuple[Any, ...] = tuple(data["values"])
        else:
            values = tuple(data["budgets_dbm"])
        if is_integer_parameter(vary):
            values = tuple(int(v) for v in values)
        elif ":" not in vary:
            values = tuple(float(v) for v in values)
        return cls(
            values,
            int(data["n_drops"]),
            tuple(data["algorithms"]),
            int(data["seed"]),
            dict(data["scenario"]),
            {k: dict(v) for k, v in data.get("algorithm_options", {}).items()},
            vary,
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict. A budget sweep keeps the layout it always had
        (``budgets_dbm``, no ``vary``), so its hash, and the stores made before other
        parameters could be swept, stay valid."""
        if self.vary == "budget_dbm":
            head: dict[str, Any] = {"budgets_dbm": list(self.values)}
        else:
            head = {"vary": self.vary, "values": list(self.values)}
        return {
            **head,
            "n_drops": self.n_drops,
            "algorithms": list(self.algorithms),
            "seed": self.seed,
            "scenario": dict(self.scenario),
            "algorithm_options": {k: dict(v) for k, v in self.algorithm_options.items()},
        }

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, no spaces): equal configurations, equal text."""
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))

    @property
    def hash(self) -> str:
        """First 16 hex digits of the SHA-256 of :meth:`to_json`."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:16]

    @property
    def n_points(self) -> int:
        """Values of the swept parameter."""
        return len(self.values)

    @property
    def n_tasks(self) -> int:
        """drops x points x algorithms."""
        return self.n_drops * self.n_points * len(self.algorithms)

    @property
    def budgets_dbm(self) -> tuple[float, ...]:
        """The per-user budget of each point (the values of a budget sweep; the one fixed
        budget, repeated, otherwise)."""
        if self.vary == "budget_dbm":
            return tuple(float(v) for v in self.values)
        return (float(self.scenario["budget_dbm"]),) * self.n_points

    def options_for(self, algorithm: str, point: int | None = None) -> dict[str, Any]:
        """Options passed to ``algorithm`` at ``point`` (with the swept option's value when
        the swept parameter is an option of ``algorithm``; without it when ``point`` is
        None)."""
        options = dict(self.algorithm_options.get(algorithm, {}))
        swept_algorithm, _, swept_option = self.vary.partition(":")
        if point is not None and swept_option and swept_algorithm == algorithm:
            options[swept_option] = self.values[point]
        return options

    def drop_options(self, point: int) -> dict[str, Any]:
        """Keyword arguments of :func:`drop_scenario` (``budget_dbm`` included, ``seed``
        not) at ``point``: the fixed scenario with the swept value put in."""
        options = dict(self.scenario)
        value = self.values[point]
        if self.vary == "load":
            options["n_users"] = _load_users(value, options["n_resources"])
        elif self.vary in SWEEP_PARAMETERS:
            options[self.vary] = value
        return options

    def scenario_for(self, drop: int, point: int) -> Scenario:
        """The scenario of one sweep point (see :func:`drop_scenario`)."""
        options = self.drop_options(point)
        budget = options.pop("budget_dbm")
        return drop_scenario(drop, budget, seed=self.seed, **options)

    def points(self) -> Iterator[tuple[int, int]]:
        """Every ``(drop, point)``, drop-major (a partial sweep has whole drops)."""
        for drop in range(self.n_drops):
            for point in range(self.n_points):
                yield drop, point

    def is_extension_of(self, stored: Mapping[str, Any]) -> bool:
        """Whether this sweep is the ``stored`` one grown, so that its store can be reused.

        True when ``n_drops`` is larger and/or values were appended after the stored
        ones (the stored values are the first ones of ``values``), everything else
        being equal. Every stored task then keeps its key ``(drop, point, algorithm)``.
        False for the same sweep, for a smaller one and for any other change.
        """
        try:
            old = SweepConfig.from_dict(stored)
        except (KeyError, TypeError, ValueError):
            return False
        if self.n_drops < old.n_drops or self.values[: old.n_points] != old.values:
            return False
        grown = dataclasses.replace(old, n_drops=self.n_drops, values=self.values)
        return grown == self and old != self


# --------------------------------------------------------------------------- tasks
def _run_task(scenario: Scenario, config: SweepConfig, drop: int, point: int, name: str) -> dict:
    row: dict[str, Any] = {
        "drop": drop,
        "budget_index": point,
        "budget_dbm": config.budgets_dbm[point],
        "algorithm": name,
    }
    start = time.perf_counter()
    try:
        result = ALGORITHMS[name](scenario, **config.options_for(name, point))
    except Exception as exc:  # recorded, never redrawn; the sweep goes on
        row.update(
            status=STATUS_ERROR,
            message=f"{type(exc).__name__}: {exc}",
            task_time=time.perf_counter() - start,
            finished_at=time.time(),
        )
        return row
    row.update(
        status=str(result.status),
        sum_rate=float(result.sum_rate),
        min_rate=float(result.min_rate),
        jain_index=float(result.jain_index),
        user_rates=np.asarray(result.user_rates, dtype=float),
        n_outer=int(result.get("n_outer", 0)),
        n_inner=int(result.get("n_inner", 0)),
        converged=bool(result.get("converged", False)),
        solve_time=float(result.solve_time),
        task_time=time.perf_counter() - start,
        solver=str(result.get("solver", "")),
        message=str(result.get("message", "")),
        assignment=encode_assignment(result.assignment),
        power=np.asarray(result.power, dtype=float).ravel(),
        finished_at=time.time(),
    )
    return row


def run_point(config: SweepConfig, drop: int, point: int, algorithms: Sequence[str]):
    """Run ``algorithms`` on one drop at one point; the unit of work sent to a worker.

    Returns
    -------
    list of dict
        One stored row per algorithm (``budget_index`` is the point's index).
    """
    scenario = config.scenario_for(drop, point)
    return [_run_task(scenario, config, drop, point, name) for name in algorithms]


# --------------------------------------------------------------------------- executors
def _check_jobs(n_jobs: Any) -> int:
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
        raise ValueError(f"n_jobs must be a positive integer or -1 (all CPUs), got {n_jobs!r}")
    if n_jobs == -1:
        return usable_cpus()
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive integer or -1 (all CPUs), got {n_jobs}")
    return int(n_jobs)


def _exit_with_parent(parent: int, interval: float = 0.5) -> None:
    # A worker blocked on the task queue never sees EOF when the parent is killed
    # (its siblings hold the queue's write end too): leave when the parent is gone.
    while True:
        time.sleep(interval)
        if os.getppid() != parent:
            os._exit(1)


def _worker_init() -> None:
    # Workers finish their point on Ctrl-C; the parent stores it and stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A forked worker must not keep a store's lock alive after the parent dies.
    release_inherited_locks()
    threading.Thread(
        target=_exit_with_parent, args=(os.getppid(),), name="exit-with-parent", daemon=True
    ).start()


def _pool_context() -> multiprocessing.context.BaseContext:
    """``fork`` when this process has a single thread, else ``forkserver`` / ``spawn``.

    A forked worker inherits the package exactly as the parent loaded it (no import,
    no dependence on ``sys.path`` or the working folder) and starts at once; forking a
    process with several threads (Jupyter, a Dask client) is unsafe, so those get
    ``forkserver`` (Unix) or ``spawn``, whose workers import the package afresh.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


def _start_pool(n_workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers are already running (started before any thread,
    e.g. the progress bar's, exists in this process)."""
    pool = ProcessPoolExecutor(
        max_workers=n_workers, mp_context=_pool_context(), initializer=_worker_init
    )
    for future in [pool.submit(int) for _ in range(n_workers)]:
        future.result()
    return pool


_Work = tuple[int, int, tuple[str, ...]]


def _serial(config: SweepConfig, work: Sequence[_Work]) -> Iterator[list[dict]]:
    for drop, b, names in work:
        yield run_point(config, drop, b, names)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:  # idle workers exit anyway; stop any still busy
        with contextlib.suppress(Exception):
            if process.is_alive():
                process.terminate()


def _process_pool(
    config: SweepConfig,
    work: Sequence[_Work],
    pool: ProcessPoolExecutor,
    n_workers: int,
    grace: float,
) -> Iterator[list[dict]]:
    queue = iter(work)
    in_flight: set = set()
    window = 2 * n_workers + 2
    try:
        for item in queue:
            in_flight.add(pool.submit(run_point, config, *item))
            if len(in_flight) < window:
                continue
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
        while in_flight:
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    except KeyboardInterrupt:
        # Keep what the workers finish within the grace period, then stop.
        for future in in_flight:
            future.cancel()
        with contextlib.suppress(KeyboardInterrupt):
            done, _ = wait(in_flight, timeout=grace)
            for future in done:
                if not future.cancelled() and future.exception() is None:
                    yield future.result()
        raise


def _dask_client(scheduler: Any, n_workers: int):
    try:
        import distributed
    except ImportError:  # pragma: no cover - optional dependency
        raise ImportError(
            "scheduler=... needs Dask distributed: pip install 'noma-alloc[dask]'"
        ) from None
    if isinstance(scheduler, distributed.Client):
        return scheduler, None
    if scheduler == "local":
        cluster = distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        return distributed.Client(cluster), cluster
    try:
        return distributed.Client(scheduler, timeout=f"{DASK_CONNECT_TIMEOUT}s"), None
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(
            f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); check the address "
            "(e.g. tcp://host:8786) or use scheduler='local'"
        ) from None


def _dask(
    config: SweepConfig, work: Sequence[_Work], client: Any, grace: float
) -> Iterator[list[dict]]:
    import distributed

    n_threads = max(1, sum(client.nthreads().values()))
    window = 2 * n_threads + 2
    queue = iter(work)
    futures = distributed.as_completed()
    live: set = set()

    def submit(item: _Work) -> None:
        future = client.submit(run_point, config, *item, pure=False)
        live.add(future)
        futures.add(future)

    try:
        for item in queue:
            submit(item)
            if len(live) >= window:
                break
        for future in futures:
            live.discard(future)
            yield future.result()
            item = next(queue, None)
            if item is not None:
                submit(item)
    except KeyboardInterrupt:
        with contextlib.suppress(KeyboardInterrupt):
            distributed.wait(list(live), timeout=grace)
            for future in list(live):
                if future.status == "finished":
                    yield future.result()
        raise
    finally:
        for future in live:
            future.cancel()


# --------------------------------------------------------------------------- in memory
class _MemorySink:
    """The store interface, in memory (``store=None``)."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.config: dict | None = None

    def bind(self, config: Mapping[str, Any], config_hash: str | None = None) -> None:
        self.config = dict(config)

    def replace_config(self, config: Mapping[str, Any], config_hash: str | None = None) -> None:
        self.config = dict(config)

    def finished(self) -> set:
        return set()

    def write(self, rows: Sequence[dict]) -> None:
        self.rows.extend(rows)

    def start_run(self, backend: str, n_workers: int) -> None:
        pass

    def finish_run(self, state: str, tasks_done: int) -> None:
        pass

    def frame(self) -> pd.DataFrame:
        return results_frame(self.rows, self.config)

    def close(self) -> None:
        pass


# --------------------------------------------------------------------------- the sweep
def bind_config(sink: Any, config: SweepConfig) -> dict[str, Any] | None:
    """Record ``config`` in a store (``sink``), or check that the store holds it.

    A store holding this sweep with fewer drops or fewer values (see
    :meth:`SweepConfig.is_extension_of`) gets the grown configuration, and keeps every
    stored task.

    Returns
    -------
    dict or None
        The configuration the store held before it grew; None when it did not grow.

    Raises
    ------
    ConfigMismatchError
        The store holds another sweep (the message names the differing fields).
    """
    stored = sink.config
    if stored is not None and config.is_extension_of(stored):
        sink.replace_config(config.as_dict(), config.hash)
        return stored
    sink.bind(config.as_dict(), config.hash)
    return None


def run_sweep(
    config: SweepConfig,
    *,
    n_jobs: int | None = 1,
    scheduler: Any = None,
    store: str | os.PathLike[str] | ResultStore | None = None,
    progress: bool = False,
    grace: float = 30.0,
) -> pd.DataFrame:
    """Run the sweep ``config`` (:func:`sweep` and :func:`sweep_parameter` build it; the
    other arguments are theirs) and return its tidy table."""
    n_workers = _check_jobs(n_jobs)
    if not (isinstance(grace, numbers.Real) and grace >= 0):
        raise ValueError(f"grace must be a number of seconds >= 0, got {grace!r}")
    if scheduler is not None and isinstance(scheduler, str) and not scheduler.strip():
        raise ValueError("scheduler must be 'local', a scheduler address or a Client")
    if store is None:
        sink: Any = _MemorySink()
    elif isinstance(store, ResultStore):
        sink = store
    else:
        sink = ResultStore(store, mode="a")
    try:
        bind_config(sink, config)
        return _run(config, sink, n_workers, scheduler, progress, float(grace))
    finally:
        if sink is not store:
            sink.close()


def sweep(
    budgets_dbm: Sequence[float] = PAPER_BUDGETS_DBM,
    n_drops: int = 30,
    algorithms: Sequence[str] | str = DEFAULT_ALGORITHMS,
    *,
    seed: int = 0,
    n_resources: int = 4,
    n_users: int = 6,
    n_per_user: int = 2,
    users_per_resource: int = 3,
    radius: float = 300.0,
    path_loss_exponent: float = 4.0,
    bandwidth: float = DEFAULT_BANDWIDTH,
    noise: str = "paper",
    algorithm_options: Mapping[str, Mapping[str, Any]] | None = None,
    n_jobs: int | None = 1,
    scheduler: Any = None,
    store: str | os.PathLike[str] | ResultStore | None = None,
    progress: bool = False,
    grace: float = 30.0,
) -> pd.DataFrame:
    """Run a paired power-budget sweep and return its tidy table.

    Every algorithm sees the same channel drops: drop ``d`` comes from
    ``SeedSequence(seed).spawn(n_drops)[d]`` (:func:`drop_scenario`) and is reused for
    every budget and algorithm. :func:`sweep_parameter` sweeps any other parameter the
    same way.

    Parameters
    ----------
    budgets_dbm : sequence of float
        Per-user power budgets in dBm, strictly increasing (default: the paper's
        3..10 dBm).
    n_drops : int
        Channel drops (>= 1).
    algorithms : sequence of str
        Names from :data:`~scma_alloc.ALGORITHMS` (default: Max-SR, Max-Min, B0-B3).
    seed : int
        Root seed of the drops (>= 0).
    n_resources, n_users, n_per_user, users_per_resource, radius, path_loss_exponent, \
bandwidth, noise
        Scenario options, see :func:`~scma_alloc.random_scenario`.
    algorithm_options : dict, optional
        ``{name: {option: value}}`` passed to the algorithms (JSON values only, since
        they are recorded with the results).
    n_jobs : int
        Local worker processes (``-1``: one per CPU). 1 runs in this process.
    scheduler : str or distributed.Client, optional
        Run on Dask instead: ``"local"`` starts a ``LocalCluster`` with ``n_jobs``
        single-threaded worker processes; any other string is a scheduler address
        (``"tcp://host:8786"``); a ``Client`` is used as is. Results are always written
        by this process.
    store : path or ResultStore, optional
        Results store (SQLite file). Every finished point is committed at once;
        running the same sweep again skips what is stored, and running it with more
        drops or more budgets (above the stored ones) computes only the new tasks.
        ``None`` keeps results in memory only.
    progress : bool
        Show a progress bar with an ETA (tqdm, on stderr).
    grace : float
        On Ctrl-C, seconds to wait for the points in flight (they are stored).

    Returns
    -------
    pandas.DataFrame
        One row per drop x budget x algorithm (the whole store when resuming):
        ``drop``, ``budget_index``, ``budget_dbm``, ``algorithm``, ``status``,
        ``sum_rate``, ``min_rate``, ``jain_index`` (bit/s/Hz), ``user_rates`` (array),
        ``n_outer``, ``n_inner``, ``converged``, ``solve_time`` (the algorithm's own
        time), ``task_time`` (wall time of the call), ``solver``, ``message``,
        ``assignment`` (text, see :func:`!scma_alloc._store.decode_assignment`),
        ``power`` (K*J watts, row-major), ``finished_at``. ``frame.attrs["config"]``
        holds the configuration.

    Raises
    ------
    ValueError
        Invalid arguments (before any work), or a store holding another sweep
        (:class:`~scma_alloc.ConfigMismatchError`).
    StoreError
        The store is corrupt, locked by another process or read-only.
    KeyboardInterrupt
        After storing the points in flight; rerun the same call to resume.

    Examples
    --------
    >>> import scma_alloc as sa
    >>> table = sa.sweep([3.0, 10.0], n_drops=2, algorithms=["b0", "b2"], seed=1)
    >>> len(table), sorted(table.algorithm.unique())
    (8, ['b0', 'b2'])
    """
    config = SweepConfig.create(
        budgets_dbm,
        n_drops,
        algorithms,
        seed=seed,
        algorithm_options=algorithm_options,
        n_resources=n_resources,
        n_users=n_users,
        n_per_user=n_per_user,
        users_per_resource=users_per_resource,
        radius=radius,
        path_loss_exponent=path_loss_exponent,
        bandwidth=bandwidth,
        noise=noise,
    )
    return run_sweep(
        config, n_jobs=n_jobs, scheduler=scheduler, store=store, progress=progress, grace=grace
    )


def sweep_parameter(
    name: str,
    values: Sequence[float],
    n_drops: int = 30,
    algorithms: Sequence[str] | str = DEFAULT_ALGORITHMS,
    *,
    budget_dbm: float | None = None,
    seed: int = 0,
    algorithm_options: Mapping[str, Mapping[str, Any]] | None = None,
    n_jobs: int | None = 1,
    scheduler: Any = None,
    store: str | os.PathLike[str] | ResultStore | None = None,
    progress: bool = False,
    grace: float = 30.0,
    **scenario_options: Any,
) -> pd.DataFrame:
    """Run a paired sweep over the values of one parameter and return its tidy table.

    The same as :func:`sweep` (pairing, store, resume, growth, executors, failures) with
    another parameter than the budget on the x axis: a scenario parameter, the load, or
    an option of one algorithm.

    Parameters
    ----------
    name : str
        A key of :data:`SWEEP_PARAMETERS`: ``"budget_dbm"``, ``"n_resources"`` (K),
        ``"n_users"`` (J), ``"load"`` (J/K with K fixed: J = load x K users),
        ``"radius"`` (m), ``"path_loss_exponent"``, ``"n_per_user"`` (N),
        ``"users_per_resource"`` (d_f), ``"bandwidth"`` (Hz); or an option of one of
        the ``algorithms`` as ``"ALGORITHM:OPTION"`` (``"max-min:n_polish"``).
    values : sequence of numbers
        Strictly increasing; whole numbers for K, J, N and d_f; multiples of 1/K for the
        load. Each value is one point (the store's ``budget_index`` is its index).
    n_drops : int
        Channel drops (>= 1).
    algorithms : sequence of str
        Names from :data:`~scma_alloc.ALGORITHMS`.
    budget_dbm : float, optional
        The per-user budget of every point (default 10 dBm, the paper's largest); not
        with ``name="budget_dbm"``.
    seed : int
        Root seed of the drops (>= 0).
    algorithm_options : dict, optional
        Fixed options per algorithm (JSON values); not the swept option.
    n_jobs, scheduler, store, progress, grace
        As for :func:`sweep`. A store holding this sweep with fewer drops, or with the
        first of these values only, grows: only the new tasks are computed.
    **scenario_options
        The fixed scenario: ``n_resources``, ``n_users``, ``n_per_user``,
        ``users_per_resource``, ``radius``, ``path_loss_exponent``, ``bandwidth``,
        ``noise`` (defaults as in :func:`sweep`), never the swept one (nor ``n_users``
        when the load is swept).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`sweep` and one named ``name`` holding each row's value
        (``budget_dbm`` is the fixed budget). ``frame.attrs["config"]`` holds the
        configuration (``vary``: the parameter, ``values``).

    Raises
    ------
    ValueError
        Invalid arguments (before any work), or a store holding another sweep
        (:class:`~scma_alloc.ConfigMismatchError`).
    TypeError
        Unknown scenario option, or options an algorithm does not accept.

    Notes
    -----
    Drop ``d`` is drawn from ``SeedSequence(seed).spawn(n_drops)[d]`` at every value
    (:func:`drop_scenario` with the value put in), so:

    - the budget, the bandwidth, N, d_f and algorithm options leave the channel as it is
      (for the bandwidth the noise follows it);
    - the radius and the path-loss exponent keep each user's uniform draw and fading:
      the same users, moved out or attenuated (``d_j = radius * sqrt(U_j)``);
    - K, J and the load change the channel's size: user j keeps its distance (distances
      are drawn first), but the fading is drawn afresh for each size, so points of
      different sizes are different channels. The algorithms stay paired at each point.

    A point of a sweep over a scenario parameter is the drop of :func:`sweep` with that
    parameter fixed: ``sweep_parameter("radius", [200.0], ...)`` and
    ``sweep([10.0], ..., radius=200.0)`` compute the same numbers. For an algorithm
    option, the other algorithms run at every value too (their rows repeat, and keep the
    comparisons paired).

    Examples
    --------
    >>> import scma_alloc as sa
    >>> table = sa.sweep_parameter("n_users", [4, 6], 2, ["b0", "b2"], seed=1)
    >>> table.groupby("n_users")["user_rates"].first().map(len).tolist()
    [4, 6]
    """
    config = SweepConfig.for_parameter(
        name,
        values,
        n_drops,
        algorithms,
        budget_dbm=budget_dbm,
        seed=seed,
        algorithm_options=algorithm_options,
        **scenario_options,
    )
    return run_sweep(
        config, n_jobs=n_jobs, scheduler=scheduler, store=store, progress=progress, grace=grace
    )


def _run(
    config: SweepConfig, sink: Any, n_workers: int, scheduler: Any, progress: bool, grace: float
) -> pd.DataFrame:
    finished = sink.finished()
    work: list[_Work] = []
    n_done = 0
    for drop, b in config.points():
        names = tuple(n for n in config.algorithms if (drop, b, n) not in finished)
        n_done += len(config.algorithms) - len(names)
        if names:
            work.append((drop, b, names))
    pool = client = cluster = bar = None
    rows_iter: Iterator[list[dict]] = iter(())
    n_new = 0
    state = "failed"
    try:
        n_pool = min(n_workers, len(work))
        if scheduler is None and n_pool > 1:
            pool = _start_pool(n_pool)  # before the progress bar's thread exists
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(
                total=config.n_tasks,
                initial=n_done,
                unit="task",
                desc="sweep",
                dynamic_ncols=True,
                smoothing=0.05,
            )
        if not work:
            backend = "none"
        elif scheduler is not None:
            client, cluster = _dask_client(scheduler, n_workers)
            backend, rows_iter = f"dask:{scheduler}", _dask(config, work, client, grace)
        elif pool is not None:
            backend = f"processes:{n_pool}"
            rows_iter = _process_pool(config, work, pool, n_pool, grace)
        else:
            backend, rows_iter = "serial", _serial(config, work)
        sink.start_run(backend, n_workers)
        for rows in rows_iter:
            sink.write(rows)
            n_new += len(rows)
            if bar is not None:
                bar.update(len(rows))
        state = "finished"
    except KeyboardInterrupt:
        state = "interrupted"
        raise
    finally:
        close = getattr(rows_iter, "close", None)
        if close is not None:
            close()
        if pool is not None:
            _stop_pool(pool)
        if bar is not None:
            bar.close()
        with contextlib.suppress(Exception):
            sink.finish_run(state, n_new)
        if cluster is not None:
            with contextlib.suppress(Exception):
                client.close()
                cluster.close()
    return sink.frame()


# --------------------------------------------------------------------------- statistics
def _mean_only(values: np.ndarray) -> tuple[float, float, float] | None:
    """``(mean, nan, nan)`` when there are too few values for an interval (or none)."""
    if values.size == 0:
        return math.nan, math.nan, math.nan
    if values.size < 2:
        return float(values.mean()), math.nan, math.nan
    return None


def _t_interval(values: np.ndarray, confidence: float) -> tuple[float, float, float]:
    short = _mean_only(values)
    if short is not None:
        return short
    n, mean = values.size, float(values.mean())
    from scipy import stats

    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * values.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half


#: Fewer drops than this per point: the intervals say little, and summaries warn.
FEW_DROPS = 10


def _bootstrap_interval(
    values: np.ndarray, confidence: float, index: np.ndarray
) -> tuple[float, float, float]:
    """Mean and percentile-bootstrap interval of the mean over the resamples ``index``
    (rows of drop positions); it lies inside ``[min, max]`` of the values, so inside the
    metric's range."""
    short = _mean_only(values)
    if short is not None:
        return short
    mean = float(values.mean())
    alpha = (1 - confidence) / 2
    low, high = np.quantile(values[index].mean(axis=1), [alpha, 1 - alpha])
    return mean, float(low), float(high)


def _check_confidence(confidence: float) -> float:
    if not (isinstance(confidence, numbers.Real) and 0 < confidence < 1):
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    return float(confidence)


def sweep_axis(frame: pd.DataFrame) -> str:
    """The column of ``frame`` holding the swept parameter: the configuration's ``vary``
    (``"budget_dbm"`` for a budget sweep, or a table without its configuration).

    Raises
    ------
    ValueError
        If ``frame`` has no such column.
    """
    config = frame.attrs.get("config") or {}
    axis = str(config.get("vary", "budget_dbm"))
    if axis not in frame.columns:
        raise ValueError(
            f"frame has no column {axis!r} (the swept parameter); give a table from "
            "sweep(), sweep_parameter() or load_results(), or its summary"
        )
    return axis


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _algorithm_order(frame: pd.DataFrame) -> list[str]:
    config = frame.attrs.get("config") or {}
    present = list(dict.fromkeys(frame["algorithm"]))
    order = [a for a in config.get("algorithms", []) if a in present]
    return order + [a for a in present if a not in order]


def summarize_sweep(
    frame: pd.DataFrame,
    confidence: float = 0.95,
    *,
    n_bootstrap: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Mean and confidence interval of each metric per algorithm and swept value.

    The intervals are percentile-bootstrap intervals of the mean over drops: they lie
    inside the range the values span, so a minimum rate never gets a negative bound
    and Jain's index never one above 1 (t-intervals do both on few drops). With fewer
    than ``FEW_DROPS`` (10) drops at a point a :class:`UserWarning` says the intervals
    mean little. Rows with ``status="error"`` have no metrics and are counted in
    ``n_error``; solver failures (a feasible allocation with
    ``status="solver_failed"``) are included and counted in ``n_solver_failed``, and
    allocations that miss a rate floor (``status="floors_not_met"``, the closest found)
    are included and counted in ``n_floors_not_met``.

    These intervals are per algorithm. Algorithms of one sweep run on common drops, so
    their differences are better judged paired: see :func:`compare_algorithms`.

    Parameters
    ----------
    frame : pandas.DataFrame
        A sweep table (:func:`sweep`, :func:`~scma_alloc.load_results`).
    confidence : float
        Two-sided level of the intervals.
    n_bootstrap : int
        Bootstrap resamples (>= 100).
    seed : int
        Seed of the bootstrap: every point is resampled from this seed, so a summary is
        deterministic and equal values get equal intervals.

    Returns
    -------
    pandas.DataFrame
        Columns ``algorithm``, the swept parameter (``budget_dbm`` for a budget sweep,
        else the configuration's ``vary``: ``radius``, ``n_users``, ...), ``n``,
        ``n_error``, ``n_solver_failed``, ``n_floors_not_met``, then ``<metric>``,
        ``<metric>_low``, ``<metric>_high`` for ``sum_rate``, ``min_rate`` and ``jain_index``, and
        ``solve_time`` (mean s). ``attrs["config"]`` is the sweep's.
    """
    confidence = _check_confidence(confidence)
    n_bootstrap = _integer(n_bootstrap, "n_bootstrap", 100)
    axis = sweep_axis(frame)
    records = []
    for algorithm in _algorithm_order(frame):
        part = frame[frame["algorithm"] == algorithm]
        for value, group in part.groupby(axis, sort=True):
            ok = group[group["status"] != STATUS_ERROR]
            record: dict[str, Any] = {
                "algorithm": algorithm,
                axis: float(value) if axis == "budget_dbm" else _scalar(value),
                "n": len(ok),
                "n_error": int((group["status"] == STATUS_ERROR).sum()),
                "n_solver_failed": int((group["status"] == "solver_failed").sum()),
                "n_floors_not_met": int((group["status"] == STATUS_FLOORS_NOT_MET).sum()),
            }
            # The same resamples of the drops for every metric and every point: equal
            # data get equal intervals, whatever else is in the table.
            rng = np.random.default_rng(seed)
            index = rng.integers(0, max(len(ok), 1), size=(n_bootstrap, len(ok)))
            for metric in METRICS:
                values = ok[metric].to_numpy(dtype=float)
                mean, low, high = _bootstrap_interval(values, confidence, index)
                record.update({metric: mean, f"{metric}_low": low, f"{metric}_high": high})
            record["solve_time"] = float(ok["solve_time"].mean()) if len(ok) else math.nan
            records.append(record)
    summary = pd.DataFrame.from_records(records)
    if frame.attrs.get("config"):
        summary.attrs["config"] = dict(frame.attrs["config"])
    if len(summary) and summary["n"].min() < FEW_DROPS:
        warnings.warn(
            f"only {int(summary['n'].min())} drop(s) at some points: intervals from fewer "
            f"than {FEW_DROPS} drops say little about the mean",
            UserWarning,
            stacklevel=2,
        )
    return summary


def compare_algorithms(
    frame: pd.DataFrame,
    algorithm: str,
    baseline: str,
    metric: str = "sum_rate",
    *,
    confidence: float = 0.95,
    n_bootstrap: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Paired comparison of two algorithms on the same drops, per swept value.

    For each value (budget, radius, ...), only drops where both algorithms have a result
    (no ``"error"``) are used. The ratio of means ``mean(a) / mean(b)`` gets a paired
    percentile bootstrap interval (drops resampled together); the mean paired difference
    ``mean(a - b)`` gets a t-interval. The ratio of means is used rather than the
    mean of per-drop ratios, which is unstable when the baseline's value is near
    zero (min-rates often are).

    Parameters
    ----------
    frame : pandas.DataFrame
        A sweep table.
    algorithm, baseline : str
        Algorithm names present in ``frame``.
    metric : {"sum_rate", "min_rate", "jain_index"}
    confidence : float
        Two-sided level of both intervals.
    n_bootstrap : int
        Bootstrap resamples (>= 100).
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per value of the swept parameter: that value (column ``budget_dbm`` for
        a budget sweep, else named after the parameter), ``n_pairs``,
        ``mean_algorithm``, ``mean_baseline``, ``ratio``, ``ratio_low``,
        ``ratio_high``, ``difference``, ``difference_low``, ``difference_high``,
        ``win_rate`` (share of drops where the algorithm is better by more than 1e-9
        relative), ``tie_rate``.

    Raises
    ------
    ValueError
        Unknown metric or algorithm, bad confidence or bootstrap size.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    confidence = _check_confidence(confidence)
    n_bootstrap = _integer(n_bootstrap, "n_bootstrap", 100)
    present = set(frame["algorithm"])
    for name, label in ((algorithm, "algorithm"), (baseline, "baseline")):
        if name not in present:
            raise ValueError(f"{label} {name!r} is not in the table; it has {sorted(present)}")
    axis = sweep_axis(frame)
    rng = np.random.default_rng(seed)
    ok = frame[frame["status"] != STATUS_ERROR]
    table = ok.pivot_table(
        index=[axis, "drop"], columns="algorithm", values=metric, aggfunc="first"
    )
    records = []
    alpha = (1 - confidence) / 2
    for value, part in table.groupby(level=axis, sort=True):
        pairs = part[list(dict.fromkeys([algorithm, baseline]))].dropna()
        a = pairs[algorithm].to_numpy(dtype=float)
        b = pairs[baseline].to_numpy(dtype=float)
        n = a.size
        value = float(value) if axis == "budget_dbm" else _scalar(value)
        record: dict[str, Any] = {axis: value, "n_pairs": int(n)}
        if n == 0:
            records.append(record)
            continue
        mean_a, mean_b = float(a.mean()), float(b.mean())
        ratio = mean_a / mean_b if mean_b != 0 else math.nan
        low = high = math.nan
        if n >= 2 and mean_b != 0:
            index = rng.integers(0, n, size=(n_bootstrap, n))
            with np.errstate(divide="ignore", invalid="ignore"):
                boot = a[index].mean(axis=1) / b[index].mean(axis=1)
            low, high = (float(v) for v in np.nanquantile(boot, [alpha, 1 - alpha]))
        diff, diff_low, diff_high = _t_interval(a - b, confidence)
        tolerance = 1e-9 * np.maximum(np.abs(b), 1.0)
        record.update(
            mean_algorithm=mean_a,
            mean_baseline=mean_b,
            ratio=ratio,
            ratio_low=low,
            ratio_high=high,
            difference=diff,
            difference_low=diff_low,
            difference_high=diff_high,
            win_rate=float(np.mean(a - b > tolerance)),
            tie_rate=float(np.mean(np.abs(a - b) <= tolerance)),
        )
        records.append(record)
    comparison = pd.DataFrame.from_records(records)
    if frame.attrs.get("config"):
        comparison.attrs["config"] = dict(frame.attrs["config"])
    return comparison
