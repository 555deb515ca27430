"""Fig. 7 (quantized vs full-precision signatures) and Fig. 8 (SICNN + QNN vs conventional
schemes) of the paper, p_asy, N=6, H=4.

Run from the repository root after ``benchmarks/gfnoma_train_runs.py`` (~15 min)::

    python benchmarks/gfnoma_fig7_8.py
    python benchmarks/gfnoma_fig7_8.py --quick

Our recipe (``fast-lmmse`` runs) unless marked "paper recipe" (``fast`` runs). Fig. 7: QNN
(Q=2) and full-precision (FP) signatures, each with its own trained SICNN and with MMSE-SIC.
Fig. 8: SICNN + QNN (the autoencoder; both recipes), MMSE-SIC with QNN / MUSA-like / WBE,
the SICNN trained for fixed WBE (both recipes), oracle-LS with WBE (the paper's benchmark),
exact MAP with WBE and with both QNN sets (our upper benchmark). Each point: 1000 bit
errors or 10^6 channel uses, seed 0. Writes ``docs/figures/gfnoma_fig7_quantized_vs_fp.png`` and
``gfnoma_fig8_receivers.png``.
"""

from __future__ import annotations

import argparse
import time

import _gfnoma_results as R

import gfnoma as gf


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    kw = R.setup(args.quick)
    t0 = time.perf_counter()
    print(f"# Fig. 7 and 8, {time.strftime('%Y-%m-%d %H:%M')}, {kw}")
    qnn, sicnn = R.trained("lmmse_asy", "QNN")
    fp, sicnn_fp = R.trained("lmmse_fp", "FP")
    wbe_sig, sicnn_wbe = R.trained("lmmse_wbe", "WBE")
    qnn_paper, sicnn_paper = R.trained("qnn_asy", "QNN (paper recipe)")
    wbe_paper, sicnn_wbe_paper = R.trained("wbe_asy", "WBE (paper recipe)")
    for s in (qnn, fp):
        print(f"{s.name}: CC_weighted {gf.cc_weighted(s):.6f}")
    t7 = R.sweep([(qnn, sicnn), (fp, sicnn_fp), (qnn, "mmse-sic"), (fp, "mmse-sic")], kw)
    R.report(t7, "Fig. 7, p_asy")
    fig, axes = R.figure(1)
    gf.plot_ber(t7, ax=axes[0], title="Fig. 7: quantized (Q=2) vs full precision, p_asy")
    R.save(fig, "gfnoma_fig7_quantized_vs_fp.png")

    musa = gf.musa_like(gf.P_ASY, 4)
    pairs = [
        (qnn, sicnn),
        (qnn, "mmse-sic"),
        (wbe_sig, "mmse-sic"),
        (musa, "mmse-sic"),
        (wbe_sig, sicnn_wbe),
        (wbe_sig, "oracle-ls"),
        (wbe_sig, "map"),
        (qnn, "map"),
        (qnn_paper, sicnn_paper),
        (qnn_paper, "map"),
        (wbe_paper, sicnn_wbe_paper),
    ]
    kw8 = {**kw, "batch_size": min(kw["batch_size"], 4000)}
    t8 = R.sweep(pairs, kw8)
    R.report(t8, "Fig. 8, p_asy")
    fig, axes = R.figure(1, 7.5)
    gf.plot_ber(t8, ax=axes[0], title="Fig. 8: SICNN vs conventional receivers, p_asy")
    R.save(fig, "gfnoma_fig8_receivers.png")
    print(f"# total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
