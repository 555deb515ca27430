"""Why ``Scenario`` refuses users below -100 dB: the solvers against the exhaustive
optimum as the weakest user's received SNR falls.

Seeded 4 x 6 paper drops at 3 dBm have their gains scaled down by 10**-e. The limit
``MIN_USER_SNR`` is lifted for this measurement only. For each scale it prints the
weakest user's best received SNR at full budget and the default Max-SR and Max-Min
against their exhaustive references (ratio, or the error raised).

Run: ``python benchmarks/scma_low_snr.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import scma_alloc as sa  # noqa: E402
from scma_alloc import _scenario  # noqa: E402


def ratio(solve, reference, scenario, key: str) -> str:
    try:
        return f"{getattr(solve(scenario), key) / getattr(reference(scenario), key):.6f}"
    except (RuntimeError, ZeroDivisionError, ValueError) as exc:
        return f"{type(exc).__name__}"


def main() -> int:
    _scenario.MIN_USER_SNR = 0.0  # lifted to measure below it
    print("seed  scale  weakest-user SNR   Max-SR/optimum  Max-Min/reference")
    for seed in range(3):
        base = sa.random_scenario(rng=seed, power_budget_dbm=3.0)
        for e in range(0, 18, 2):
            s = sa.Scenario(base.gains * 10.0**-e, base.power_budget, base.noise_power)
            weakest = s.snr_at_budget.max(axis=0).min()
            sr = ratio(sa.solve_max_sr, sa.exhaustive_max_sr, s, "sum_rate")
            mm = ratio(sa.solve_max_min, sa.exhaustive_max_min, s, "min_rate")
            print(f"{seed:4d}  1e-{e:02d}  {weakest:16.1e}   {sr:>14s}  {mm:>17s}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
