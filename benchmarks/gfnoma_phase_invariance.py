"""Under independent per-chip Rayleigh fading the BER depends on the signatures only through
the chip magnitudes |s_n(k)|: printed evidence for docs/gfnoma_appendix.md, decision 5.

Run from the repository root (~2 min)::

    python benchmarks/gfnoma_phase_invariance.py

``h_nk e^{j phi}`` has the law of ``h_nk ~ CN(0, 1)``, so two sets with equal chip
magnitudes give the same distribution of the effective channels ``g_n = diag(h_n) s_n`` and of
``y``: every receiver that uses ``(y, g)`` has the same BER. Compared here at 10 and 20 dB
(p_asy, N=6, H=4; MMSE-SIC and exact MAP; 2000 bit errors or 10^6 channel uses per point;
*different* seeds per set, so the agreement is not forced by shared samples): WBE
(CC_weighted 0.0367), all six users on the same sequence [1, 1, 1, 1] (0.352), random
phases of modulus 1/2 (about 0.1), and for contrast the chip magnitudes of the CC-search set.
"""

from __future__ import annotations

import math
import time

import _gfnoma_results as R
import numpy as np

import gfnoma as gf


def main() -> None:
    kw = R.setup()
    kw = {**kw, "target_errors": 2000, "batch_size": 10_000}
    p = gf.P_ASY
    rng = np.random.default_rng(0)
    sets = [
        gf.wbe(p, 4),
        gf.Signatures(np.ones((4, 6)), p, q=1, name="all users identical"),
        gf.Signatures(np.exp(2j * np.pi * rng.random((4, 6))) / 2, p, name="random phases"),
        gf.search_signatures(p, 4, q=2, seed=0).signatures,
    ]
    print(f"# phase invariance, {time.strftime('%Y-%m-%d %H:%M')}")
    for s in sets:
        e = np.round(np.abs(s.matrix) ** 2, 3)
        print(f"{s.name:22s} CC_weighted {gf.cc_weighted(s):.4f}  chip energies {e.tolist()}")
    rows = []
    for rx in ("mmse-sic", "map"):
        for i, s in enumerate(sets):
            t = gf.simulate_ber(s, rx, [10.0, 20.0], progress=False, **{**kw, "seed": 10 + i})
            rows.append(t.table)
    import pandas as pd

    table = pd.concat(rows, ignore_index=True)
    table["std_err"] = np.sqrt(table["ber"] * (1 - table["ber"]) / (table["bits"] / 2))
    cols = ["signatures", "receiver", "snr_db", "ber", "std_err", "bit_errors", "samples"]
    print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    for rx in ("MMSE-SIC", "MAP"):
        for snr in (10.0, 20.0):
            sub = table[(table["receiver"] == rx) & (table["snr_db"] == snr)]
            ref = sub.iloc[0]
            for _, r in sub.iloc[1:].iterrows():
                z = (r["ber"] - ref["ber"]) / math.hypot(r["std_err"], ref["std_err"])
                print(f"{rx:8s} {snr:4.0f} dB  {r['signatures']:22s} vs WBE: {z:+6.1f} sigma")


if __name__ == "__main__":
    main()
