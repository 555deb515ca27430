"""Fig. 6 of the paper: BER vs SNR of the QNN signatures (Q=2), MUSA-like and WBE under
MMSE-SIC and MF, for p_asy, p_high and p_low (N=6, H=4), with the CC-search set as an extra.

Run from the repository root (~10 min)::

    python benchmarks/gfnoma_fig6.py            # pretrained QNN sets from gfnoma/data
    python benchmarks/gfnoma_fig6.py --quick    # smoke run, few samples

The QNN sets are the shipped ones (our ``fast-lmmse`` recipe; for p_asy also
``n6h4-asy-cc``, trained with the correlation term of decision 17); if the paper-recipe runs of
``benchmarks/gfnoma_train_runs.py`` exist (``results/gfnoma_train/qnn_*``), their sets are
added with MMSE-SIC as "QNN (paper recipe)". Each point: 1000 bit errors or 10^6 channel uses,
seed 0 (paired across curves). Writes
``docs/figures/gfnoma_fig6_ber_profiles.png`` and prints BER with the bit-error counts.
"""

from __future__ import annotations

import argparse
import time

import _gfnoma_results as R

import gfnoma as gf

PROFILES = (
    ("p_asy", gf.P_ASY, "n6h4-asy", "qnn_asy"),
    ("p_high", gf.P_HIGH, "n6h4-high", "qnn_high"),
    ("p_low", gf.P_LOW, "n6h4-low", "qnn_low"),
)
#: shipped sets trained with the correlation term (decision 17), one per profile that has one
WITH_CORRELATION_TERM = {"p_asy": "n6h4-asy-cc"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    kw = R.setup(args.quick)
    t0 = time.perf_counter()
    print(f"# Fig. 6, {time.strftime('%Y-%m-%d %H:%M')}, {kw}")
    fig, axes = R.figure(3, 5.2)
    for ax, (label, p, name, paper_run) in zip(axes, PROFILES, strict=True):
        sets = [
            gf.pretrained_signatures(name).with_name("QNN"),
            gf.musa_like(p, 4),
            gf.wbe(p, 4),
            gf.search_signatures(p, 4, q=2, seed=0).signatures,
        ]
        if label in WITH_CORRELATION_TERM:
            extra = gf.pretrained_signatures(WITH_CORRELATION_TERM[label])
            sets.insert(1, extra.with_name("QNN + corr. term"))
        pairs = [(s, rx) for rx in ("mmse-sic", "mf") for s in sets]
        paper_set = R.RESULTS / paper_run / "signatures.json"
        if paper_set.is_file():
            qnn_paper = gf.Signatures.load(paper_set).with_name("QNN (paper recipe)")
            pairs.append((qnn_paper, "mmse-sic"))
        else:
            print(f"{paper_set.relative_to(R.ROOT)} not found: paper-recipe curve left out")
        table = R.sweep(pairs, kw)
        R.report(table, f"Fig. 6, {label}")
        gf.plot_ber(table, ax=ax, title=f"N=6, H=4, {label}")
    R.save(fig, "gfnoma_fig6_ber_profiles.png")
    print(f"# total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
