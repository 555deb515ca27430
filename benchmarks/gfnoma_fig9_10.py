"""Fig. 9 (N=12, H=8 vs N=6, H=4) and Fig. 10 (with and without the fairness loss: Jain's
index and BER) of the paper.

Run from the repository root after ``benchmarks/gfnoma_train_runs.py`` (~15 min)::

    python benchmarks/gfnoma_fig9_10.py
    python benchmarks/gfnoma_fig9_10.py --quick

Our recipe (``fast-lmmse`` runs) unless marked "paper recipe". Fig. 9: SICNN + QNN and
MMSE-SIC with QNN, WBE and MUSA-like for N=12, H=8 (p = 0.8 x6, 0.4 x6) and N=6, H=4
(p_asy): the same overloading factor 1.5. Fig. 10: the autoencoder trained without the
fairness term (eq. 10), with it (eq. 12) and with the gap on ``MSE_n / p_n`` (ours), each
with its own signatures and SICNN, plus the two paper-recipe runs: Jain's index over the
users' BER (eq. 30) and the average BER. Each
point: 1000 bit errors or 10^6 channel uses, seed 0. Writes
``docs/figures/gfnoma_fig9_n12_h8.png`` and ``gfnoma_fig10_fairness.png``.
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
    print(f"# Fig. 9 and 10, {time.strftime('%Y-%m-%d %H:%M')}, {kw}")
    q12, sic12 = R.trained("lmmse_n12h8", "QNN N=12 H=8")
    q6, sic6 = R.trained("lmmse_asy", "QNN N=6 H=4")
    pairs = [
        (q12, sic12),
        (q12, "mmse-sic"),
        (gf.wbe(R.P_N12, 8).with_name("WBE N=12 H=8"), "mmse-sic"),
        (gf.musa_like(R.P_N12, 8).with_name("MUSA-like N=12 H=8"), "mmse-sic"),
        (q6, sic6),
        (q6, "mmse-sic"),
        (gf.wbe(gf.P_ASY, 4).with_name("WBE N=6 H=4"), "mmse-sic"),
    ]
    t9 = R.sweep(pairs, kw)
    R.report(t9, "Fig. 9")
    print(
        f"CC_weighted: QNN N=12 {gf.cc_weighted(q12):.6f}, WBE N=12 "
        f"{gf.cc_weighted(gf.wbe(R.P_N12, 8)):.6f}, bound "
        f"{gf.weighted_welch_bound(R.P_N12, 8).cc:.6f}"
    )
    fig, axes = R.figure(1, 7.5)
    gf.plot_ber(t9, ax=axes[0], title="Fig. 9: N=12, H=8 vs N=6, H=4 (overloading 1.5)")
    R.save(fig, "gfnoma_fig9_n12_h8.png")

    plain, rx_plain = R.trained("lmmse_asy", "without fairness loss")
    fair, rx_fair = R.trained("lmmse_fair", "with fairness loss")
    norm, rx_norm = R.trained("lmmse_fairnorm", "fairness on MSE_n/p_n")
    paper_fair, rx_paper_fair = R.trained("qnn_asy", "with fairness, paper recipe")
    paper_plain, rx_paper_plain = R.trained("nofair_asy", "without fairness, paper recipe")
    t10 = R.sweep(
        [
            (plain, rx_plain),
            (fair, rx_fair),
            (norm, rx_norm),
            (plain, "mmse-sic"),
            (fair, "mmse-sic"),
            (norm, "mmse-sic"),
            (paper_fair, rx_paper_fair),
            (paper_plain, rx_paper_plain),
        ],
        kw,
    )
    R.report(t10, "Fig. 10")
    users = [c for c in t10.columns if c.startswith("ber_user")]
    print("per-user BER at 10, 15, 20 dB:")
    sel = t10[t10["snr_db"] >= 10][["signatures", "receiver", "snr_db", *users]]
    print(sel.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    fig, axes = R.figure(2)
    gf.plot_ber(
        t10,
        ax=axes[0],
        column="jain",
        ylabel="Jain's index over users' BER (eq. 30)",
        title="Fig. 10(a): fairness",
    )
    axes[0].set_yscale("linear")
    gf.plot_ber(t10, ax=axes[1], title="Fig. 10(b): average BER")
    R.save(fig, "gfnoma_fig10_fairness.png")
    print(f"# total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
