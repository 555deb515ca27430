"""Every method on the table of reference problems (``reference_problems.py``).

A new method is one more entry of ``METHODS``: it is then checked on every problem for
feasibility, for rates that recompute under the problem's model, against the known
optimum (never above it; exact methods reach it) and against brute force (local methods
come within the table's tolerance of the best grid point, or beat it).
"""

from __future__ import annotations

import numpy as np
import pytest
from reference_problems import references

import scma_alloc as sa

#: name -> (solver call, exact for the sum-rate under SIC, accepts a coupling)
METHODS = {
    "alternating": (lambda ref, **kw: _solve(ref, "alternating", **kw), True, True),
    "exhaustive": (lambda ref, **kw: _solve(ref, "exhaustive", **kw), True, True),
    "paper": (lambda ref, **kw: _solve(ref, "paper", **kw), False, False),
}


def _solve(ref, method, **kw):
    solve = sa.solve_max_sr if ref.objective == "sum_rate" else sa.solve_max_min
    return solve(ref.scenario, method=method, interference=ref.coupling, **kw)


CASES = [
    pytest.param(ref, name, id=f"{ref.name}-{name}") for ref in references() for name in METHODS
]


@pytest.mark.parametrize(("ref", "method"), CASES)
def test_method_on_reference_problem(ref, method):
    solve, exact, coupled = METHODS[method]
    if ref.coupling is not None and not coupled:
        with pytest.raises(ValueError, match="interference"):
            solve(ref)
        return
    result = solve(ref)
    scenario = ref.scenario
    assert result.success
    assert sa.allocation_violations(scenario, result.assignment, result.power) == []
    rates = sa.user_rates(scenario, result.assignment, result.power, coupling=ref.coupling)
    np.testing.assert_allclose(result.user_rates, rates, rtol=1e-12)
    value = result.sum_rate if ref.objective == "sum_rate" else result.min_rate
    if ref.exact:
        assert value <= ref.value * (1 + ref.rtol)  # nothing beats the optimum
        if exact and ref.coupling is None:
            assert value >= ref.value * (1 - ref.rtol), (value, ref.value)
    elif method != "paper":  # the paper's algorithm is a local method of the paper's
        assert value >= ref.value * (1 - ref.rtol), (value, ref.value)
