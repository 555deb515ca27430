"""Interference models: the coupling matrix of the rate model.

User ``j`` sees ``C[j, i]`` of user ``i``'s received power on a shared resource
(``../shared/spec/integration.md``)::

    R_j = sum_k log2(1 + q[k, j] / (1 + sum_i C[j, i] q[k, i]))

* SIC (the default, the paper's model): ``C[j, i] = 1`` iff ``i`` is weaker than ``j``;
  the user rates telescope to the concave sum-rate.
* Treat interference as noise (TIN): ``C = 1 - I``.
* Any user-supplied ``C`` with non-negative entries and a zero diagonal, e.g. the
  activation-weighted signature leakage built by :func:`gfnoma.interference_model`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .rates import sic_coupling
from .scenario import Scenario

__all__ = ["InterferenceModel"]


class InterferenceModel:
    """A J x J coupling matrix with a name.

    Parameters
    ----------
    coupling : array_like, shape (J, J)
        ``C[j, i] >= 0``: the fraction of user i's received power user j still sees.
        The diagonal must be zero.
    name : str
        Shown in results and plots.

    Raises
    ------
    ValueError
        Wrong shape, NaN/inf or negative entries, or a non-zero diagonal.

    Examples
    --------
    >>> import numpy as np
    >>> m = InterferenceModel.treat_interference_as_noise(3)
    >>> m.coupling
    array([[0., 1., 1.],
           [1., 0., 1.],
           [1., 1., 0.]])
    """

    def __init__(self, coupling: ArrayLike, name: str = "custom") -> None:
        try:
            c = np.array(coupling, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError("coupling must be a J x J array of real numbers") from exc
        if c.ndim != 2 or c.shape[0] != c.shape[1] or c.shape[0] < 1:
            raise ValueError(f"coupling must be a square J x J matrix, got shape {c.shape}")
        if not np.all(np.isfinite(c)):
            raise ValueError("coupling must be finite (found NaN or inf)")
        if np.any(c < 0):
            raise ValueError("coupling must be non-negative")
        if np.any(np.diag(c) != 0):
            raise ValueError(
                "coupling must have a zero diagonal (a user does not interfere with itself)"
            )
        c.setflags(write=False)
        self._coupling = c
        self.name = str(name)

    @property
    def coupling(self) -> np.ndarray:
        """The coupling matrix ``C`` (read-only)."""
        return self._coupling

    @property
    def n_users(self) -> int:
        """J."""
        return self._coupling.shape[0]

    @classmethod
    def sic(cls, scenario: Scenario) -> InterferenceModel:
        """The SIC model of ``scenario`` (ascending total gain decoding order)."""
        return cls(sic_coupling(scenario), name="sic")

    @classmethod
    def treat_interference_as_noise(cls, n_users: int) -> InterferenceModel:
        """``C = 1 - I``: every co-channel user is noise."""
        return cls(1.0 - np.eye(n_users), name="tin")

    def check(self, scenario: Scenario) -> None:
        """Raise ``ValueError`` (naming ``interference``) if the sizes do not match."""
        if self.n_users != scenario.n_users:
            raise ValueError(
                f"interference: the model has {self.n_users} users but the scenario has "
                f"{scenario.n_users}"
            )

    def is_sic_for(self, scenario: Scenario) -> bool:
        """True when this is exactly the SIC coupling of ``scenario``."""
        return self.n_users == scenario.n_users and np.array_equal(
            self._coupling, sic_coupling(scenario)
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form ``{"name": ..., "coupling": [[...], ...]}`` (floats round-trip exactly).

        This is the form sweeps record with their results: pass it as the ``interference``
        algorithm option of :func:`~scma_alloc.sweep`.
        """
        return {"name": self.name, "coupling": self._coupling.tolist()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InterferenceModel:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        TypeError
            ``data`` is not a mapping with a ``coupling`` entry.
        ValueError
            As the constructor.
        """
        if not isinstance(data, Mapping) or "coupling" not in data:
            raise TypeError(
                "an interference model as a dict needs a 'coupling' entry (and optionally "
                "a 'name'), as written by InterferenceModel.to_dict()"
            )
        unknown = sorted(set(data) - {"name", "coupling"})
        if unknown:
            raise ValueError(f"unknown interference model entries {unknown}")
        return cls(data["coupling"], name=data.get("name", "custom"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InterferenceModel):
            return NotImplemented
        return self.name == other.name and np.array_equal(self._coupling, other._coupling)

    __hash__ = None  # mutable name: not hashable

    def __repr__(self) -> str:
        return f"InterferenceModel(name={self.name!r}, n_users={self.n_users})"
