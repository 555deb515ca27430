"""Joint training: the SoftSICNN trained together with its QNN set, against MMSE-SIC.

The paper's Fig. 8 ordering: QNN + SICNN (trained jointly) below WBE + MMSE-SIC and below
QNN + MMSE-SIC at 10, 15 and 20 dB (p_asy, p_high or p_low with N = 6, H = 4, or
N = 12, H = 8; per-chip Rayleigh, QPSK). Every
receiver decides activity itself and is scored by one rule (``gfnoma.count_errors``); all
see the same channel uses (``simulate_ber`` seeds 0..S-1, paired), and each ratio is the
pooled BER of the jointly trained pair over that of the comparison, per seed and pooled.

Compared: WBE + MMSE-SIC; the starting QNN set (``n6h4-<profile>``) + MMSE-SIC; the learnt set
+ MMSE-SIC (how much of the gain is the set alone); the jointly trained pair.

    PYTHONPATH=. python benchmarks/gfnoma_joint_detector.py                  # p_asy, ~1 min
    PYTHONPATH=. python benchmarks/gfnoma_joint_detector.py --profile high
    PYTHONPATH=. python benchmarks/gfnoma_joint_detector.py --detector FILE.pt
    PYTHONPATH=. python benchmarks/gfnoma_joint_detector.py --seeds 2 --samples 5000
"""

from __future__ import annotations

import argparse

import numpy as np
from gfnoma_detector_targets import measure

import gfnoma as gf

SNRS = (10.0, 15.0, 20.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--detector",
        default=None,
        help="a jointly trained detector file [default: the shipped sicnn-qnn-PROFILE]",
    )
    ap.add_argument(
        "--profile",
        choices=("asy", "high", "low", "n12"),
        default="asy",
        help="activation profile: the set n6h4-PROFILE (n12: n12h8-asy, N=12, H=8) and "
        "the receiver sicnn-qnn-PROFILE",
    )
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--samples", type=int, default=20000, help="channel uses per seed and SNR")
    args = ap.parse_args()
    joint = (
        gf.pretrained_receiver(f"sicnn-qnn-{args.profile}")
        if args.detector is None
        else gf.load_detector(args.detector)
    )
    set_name = "n12h8-asy" if args.profile == "n12" else f"n6h4-{args.profile}"
    start = gf.pretrained_signatures(set_name)
    learnt = joint.signatures
    changed = int(np.sum(learnt.alphabet != start.alphabet))
    print(f"learnt set {learnt.name}: {changed} of {learnt.alphabet.size} entries changed")
    curves = [
        ("WBE + MMSE-SIC", gf.wbe(start.activation, start.length), "mmse-sic"),
        ("QNN + MMSE-SIC", start, "mmse-sic"),
        ("learnt QNN + MMSE-SIC", learnt, "mmse-sic"),
        ("joint QNN + SICNN", learnt, joint),
    ]
    data = measure(args.seeds, args.samples, SNRS, curves)
    per_seed = data.pivot_table(
        index=["label", "seed"], columns="snr_db", values=["bit_errors", "bits"], aggfunc="sum"
    )
    pooled = data.groupby(["label", "snr_db"])[
        ["bit_errors", "bits", "miss_rate", "false_alarm_rate"]
    ].agg({"bit_errors": "sum", "bits": "sum", "miss_rate": "mean", "false_alarm_rate": "mean"})
    pooled["ber"] = pooled["bit_errors"] / pooled["bits"]
    print(
        f"\nBER (pooled over {args.seeds} seeds x {args.samples} channel uses), miss / false alarm"
    )
    for label, _, _ in curves:
        cells = [
            f"{pooled.loc[(label, s), 'ber']:.4f} ({pooled.loc[(label, s), 'miss_rate']:.4f}/"
            f"{pooled.loc[(label, s), 'false_alarm_rate']:.4f})"
            for s in SNRS
        ]
        print(f"{label:<26s} " + "   ".join(cells))
    print("\njoint QNN + SICNN / comparison: pooled ratio (seeds below 1)")
    for label, _, _ in curves[:-1]:
        cells = []
        for s in SNRS:
            mine = per_seed.loc["joint QNN + SICNN"]
            other = per_seed.loc[label]
            r_seed = (mine[("bit_errors", s)] / mine[("bits", s)]) / (
                other[("bit_errors", s)] / other[("bits", s)]
            )
            r = pooled.loc[("joint QNN + SICNN", s), "ber"] / pooled.loc[(label, s), "ber"]
            verdict = "met" if r < 1 and (r_seed < 1).all() else "missed"
            cells.append(
                f"{s:.0f} dB {r:.3f} ({int((r_seed < 1).sum())}/{len(r_seed)}, {verdict})"
            )
        print(f"vs {label:<26s} " + "   ".join(cells))


if __name__ == "__main__":
    main()
