"""Paired BER differences to WBE with MMSE-SIC, with standard errors over seeds (p_asy).

Run from the repository root (~2 min)::

    python benchmarks/gfnoma_paired_mmse_sic.py
    python benchmarks/gfnoma_paired_mmse_sic.py --seeds 4 --samples 20000   # quicker
    python benchmarks/gfnoma_paired_mmse_sic.py --only-files --signatures \
        results/gfnoma_train/lmmse_cc_s1/signatures.json \
        results/gfnoma_train/lmmse_cc_s2/signatures.json       # other trained sets

The Fig. 6 table compares BERs from one seed; differences of a few percent need an error
bar. For each seed ``1..S`` every set is simulated on the same bits, activity, fading and
noise (``gfnoma.ber_sweep`` pairs the curves at a point), and the BER difference to WBE is
taken per seed; the script prints the mean difference, its standard error over the seeds
(independent samples) and the per-seed values, for the shipped ``n6h4-asy`` (our recipe),
``n6h4-asy-cc`` (our recipe with the correlation term, ``docs/gfnoma_appendix.md`` decision
17), MUSA-like and the CC search, and for any ``--signatures`` files (p_asy, N=6, H=4; named
after their directory); ``--only-files`` leaves out the built-in sets.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

import gfnoma as gf


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=8, help="independent seeds (>= 2)")
    ap.add_argument("--samples", type=int, default=100_000, help="channel uses per seed")
    ap.add_argument("--snr", type=float, nargs="+", default=[10.0, 15.0, 20.0])
    ap.add_argument("--signatures", type=Path, nargs="*", default=[], help="extra JSON sets")
    ap.add_argument("--only-files", action="store_true", help="compare only --signatures")
    args = ap.parse_args()
    if args.seeds < 2:
        ap.error("--seeds must be >= 2 (a standard error needs two)")
    if args.samples < 1:
        ap.error("--samples must be >= 1")
    torch.set_num_threads(1)
    p = gf.P_ASY
    wbe = gf.wbe(p, 4)
    if args.only_files and not args.signatures:
        ap.error("--only-files needs --signatures")
    sets = []
    if not args.only_files:
        sets = [
            gf.pretrained_signatures("n6h4-asy").with_name("QNN (n6h4-asy)"),
            gf.pretrained_signatures("n6h4-asy-cc").with_name("QNN + corr. term (n6h4-asy-cc)"),
            gf.musa_like(p, 4),
            gf.search_signatures(p, 4, q=2, seed=0).signatures,
        ]
    for path in args.signatures:
        if not path.is_file():
            ap.error(f"--signatures: no such file: {path}")
        extra = gf.Signatures.load(path)
        if (extra.n_users, extra.length) != (6, 4) or tuple(extra.activation) != tuple(p):
            ap.error(f"--signatures: {path} is not a p_asy, N=6, H=4 set")
        sets.append(extra.with_name(path.parent.name or path.stem))
    print(
        f"# paired BER differences to WBE, MMSE-SIC, p_asy, N=6, H=4; {args.seeds} seeds x "
        f"{args.samples} channel uses; {time.strftime('%Y-%m-%d %H:%M')}"
    )
    t0 = time.perf_counter()
    for snr in args.snr:
        diffs = {s.name: [] for s in sets}
        wbe_ber = []
        for seed in range(1, args.seeds + 1):
            table = gf.ber_sweep(
                [wbe, *sets],
                ["mmse-sic"],
                [snr],
                target_errors=10**12,
                max_samples=args.samples,
                batch_size=min(args.samples, 20_000),
                seed=seed,
                progress=False,
            ).table
            ber = dict(zip(table["signatures"], table["ber"], strict=True))
            wbe_ber.append(ber[wbe.name])
            for s in sets:
                diffs[s.name].append(ber[s.name] - ber[wbe.name])
        print(f"\n## {snr:g} dB: WBE BER {np.mean(wbe_ber):.4f}")
        print(f"{'set':32s} {'BER - WBE':>10s} {'std. err.':>10s}  per seed")
        for name, d in diffs.items():
            d = np.array(d)
            se = d.std(ddof=1) / np.sqrt(d.size)
            per_seed = " ".join(f"{v:+.4f}" for v in d)
            print(f"{name:32s} {d.mean():+10.5f} {se:10.5f}  {per_seed}")
    print(f"\n# total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
