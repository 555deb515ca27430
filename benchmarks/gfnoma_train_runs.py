"""Train every autoencoder of docs/gfnoma_autoencoder.md (resumable), and print a summary.

Run from the repository root::

    python benchmarks/gfnoma_train_runs.py                 # all runs, 15 min each
    python benchmarks/gfnoma_train_runs.py --only qnn_asy  # one run
    python benchmarks/gfnoma_train_runs.py --minutes 1     # smoke test (own directory)

Each run is ``gfnoma.train(config, results/gfnoma_train/<run>)`` on the ``fast`` preset
(N=6, H=4 unless stated, p_asy unless stated, 15-minute limit, torch single-threaded), so
rerunning the script resumes unfinished runs and skips finished ones; Ctrl-C keeps the
checkpoint. The equivalent command line of each run is printed (``gfnoma train --config
fast --out DIR --set ...``). The summary table lists steps, channel uses, wall-clock time,
samples/s, the best validation loss and BER, ``CC_weighted`` of the signatures and the
lowest ``CC_weighted`` of their chip magnitudes (``gfnoma.choose_phases``, 200 starts); the
machine load (``os.getloadavg``) is printed next to it because the machine is shared.

Runs:

* ``qnn_asy``, ``qnn_high``, ``qnn_low`` — QNN (Q=2) + SICNN under p_asy, p_high, p_low
  (pretrained ``n6h4-asy-paper``, ``n6h4-high-paper``, ``n6h4-low-paper``; Fig. 5, 6, 8;
  Table III)
* ``qnn_n12h8`` — N=12, H=8, p = 0.8 x6, 0.4 x6 (pretrained ``n12h8-asy-paper``)
* ``fp_asy`` — full-precision encoder (its ``CC_weighted`` is quoted with Fig. 7)
* ``wbe_asy`` — WBE signatures kept fixed, SICNN trained (Fig. 8)
* ``nofair_asy`` — plain MSE loss, no fairness term (Fig. 10)
* ``fcnn_asy`` — FCNN decoder of about the same size (447 k vs 426 k parameters; Fig. 11)

Our recipe (``fast-lmmse`` preset: LMMSE input features, uniform encoder initialisation, plain
MSE), same budget: ``lmmse_asy``, ``lmmse_high``, ``lmmse_low``, ``lmmse_n12h8`` (the shipped
pretrained sets), ``lmmse_wbe`` (WBE fixed), ``lmmse_fp`` (full precision), ``lmmse_fair``
(with the paper's fairness term), ``lmmse_fairnorm`` (fairness gap on ``MSE_n / p_n``) and
``lmmse_flat`` (trained under flat fading, ``fading="flat"``; ``lmmse_flat_s1``: seed 1),
``lmmse_cc`` (with the correlation term of decision 17, ``correlation_weight=50``; seeds 0, 1,
2: ``lmmse_cc``, ``lmmse_cc_s1``, ``lmmse_cc_s2``) and ``lmmse_cc10`` (weight 10).

The QNN encoder alone against the exact posterior-mean decoder (``decoder="posterior-mean"``,
no decoder parameters; uniform initialisation, plain MSE, encoder learning rate 2e-3,
validation every 250 steps on 2000 uses per SNR): ``pm_asy`` (the paper's per-chip fading) and
``pm_flat`` (flat fading; ``pm_flat_s1`` with seed 1). They show which signatures eq. (10)
prefers when the decoder is not the limit (``docs/gfnoma_appendix.md`` decision 16).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import gfnoma as gf  # noqa: E402

P_N12 = (0.8,) * 6 + (0.4,) * 6

#: run name -> overrides of the "fast" preset (the paper's recipe at the fast sizes)
RUNS: dict[str, dict] = {
    "qnn_asy": {"name": "QNN"},
    "qnn_high": {"name": "QNN", "activation": list(gf.P_HIGH)},
    "qnn_low": {"name": "QNN", "activation": list(gf.P_LOW)},
    "qnn_n12h8": {"name": "QNN", "activation": list(P_N12), "length": 8},
    "fp_asy": {"name": "QNN-FP", "q": None},
    "wbe_asy": {"name": "WBE", "signatures": "wbe"},
    "nofair_asy": {"name": "QNN-noFair", "fairness": False},
    "fcnn_asy": {"name": "QNN-FCNN", "decoder": "fcnn", "hidden": [512, 512, 256]},
}
#: run name -> overrides of the "fast-lmmse" preset (ours: LMMSE features, uniform encoder
#: initialisation, plain MSE)
LMMSE_RUNS: dict[str, dict] = {
    "lmmse_asy": {"name": "QNN"},
    "lmmse_high": {"name": "QNN", "activation": list(gf.P_HIGH)},
    "lmmse_low": {"name": "QNN", "activation": list(gf.P_LOW)},
    "lmmse_n12h8": {"name": "QNN", "activation": list(P_N12), "length": 8},
    "lmmse_wbe": {"name": "WBE", "signatures": "wbe"},
    "lmmse_fp": {"name": "QNN-FP", "q": None},
    "lmmse_fair": {"name": "QNN-fair", "fairness": True},
    "lmmse_fairnorm": {"name": "QNN-fairnorm", "fairness": True, "fairness_normalized": True},
    "lmmse_flat": {"name": "QNN-flat", "fading": "flat"},
    "lmmse_flat_s1": {"name": "QNN-flat", "fading": "flat", "seed": 1},
    "lmmse_cc": {"name": "QNN-cc", "correlation_weight": 50.0},
    "lmmse_cc_s1": {"name": "QNN-cc", "correlation_weight": 50.0, "seed": 1},
    "lmmse_cc_s2": {"name": "QNN-cc", "correlation_weight": 50.0, "seed": 2},
    "lmmse_cc10": {"name": "QNN-cc10", "correlation_weight": 10.0},
}
#: run name -> overrides of the "fast" preset: the QNN encoder alone, trained against the exact
#: posterior-mean decoder (no decoder parameters), under the paper's channel and flat fading
_PM = {
    "decoder": "posterior-mean",
    "encoder_init": "uniform",
    "fairness": False,
    "lr": 0.002,
    "eval_every": 250,
    "val_samples": 2000,
}
PM_RUNS: dict[str, dict] = {
    "pm_asy": {"name": "QNN-PM", **_PM},
    "pm_flat": {"name": "QNN-PM-flat", **_PM, "fading": "flat"},
    "pm_flat_s1": {"name": "QNN-PM-flat", **_PM, "fading": "flat", "seed": 1},
}
PRESETS = {
    **dict.fromkeys(RUNS, "fast"),
    **dict.fromkeys(LMMSE_RUNS, "fast-lmmse"),
    **dict.fromkeys(PM_RUNS, "fast"),
}
RUNS = {**RUNS, **LMMSE_RUNS, **PM_RUNS}

OUT = ROOT / "results" / "gfnoma_train"


def command(run: str, overrides: dict, out: Path) -> str:
    """The equivalent ``gfnoma train`` command line."""
    parts = ["python", "-m", "gfnoma", "train", "--config", PRESETS[run], "--out", str(out)]
    for key, value in overrides.items():
        if isinstance(value, list):
            text = ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
        elif value is None:
            text = "null"
        else:
            text = str(value).lower() if isinstance(value, bool) else str(value)
        parts += ["--set", f"{key}={text}"]
    return " ".join(shlex.quote(p) for p in parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", default=None, help="run names (default: all)")
    ap.add_argument("--minutes", type=float, default=15.0, help="time limit per run")
    ap.add_argument("--out", type=Path, default=OUT, help="parent directory of the runs")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    names = args.only if args.only else list(RUNS)
    unknown = set(names) - set(RUNS)
    if unknown:
        ap.error(f"unknown run(s): {', '.join(sorted(unknown))}; choose from {', '.join(RUNS)}")
    out_root = args.out if args.minutes == 15.0 else args.out.with_name(args.out.name + "_smoke")
    rows = []
    for run in names:
        overrides = dict(RUNS[run])
        if args.minutes != 15.0:
            overrides["max_seconds"] = 60.0 * args.minutes
        config = gf.get_config(PRESETS[run], **overrides)
        out = out_root / run
        print(f"\n## {run}\n{command(run, overrides, out.relative_to(ROOT))}", flush=True)
        load0 = os.getloadavg()[0]
        res = gf.train(config, out, progress=not args.no_progress)
        best = res.log[res.log["step"] == res.best_step].iloc[-1]
        ber_cols = [c for c in res.log.columns if c.startswith("val_ber_") and "mean" not in c]
        rows.append(
            {
                "run": run,
                "status": res.status,
                "steps": res.steps,
                "samples": res.samples,
                "seconds": round(res.seconds),
                "samples/s": round(res.samples_per_second),
                "params": res.decoder_parameters,
                "best_step": res.best_step,
                "val_loss": round(res.best_val_loss, 4),
                **{c.replace("val_ber_", "BER@"): f"{best[c]:.3g}" for c in ber_cols[-3:]},
                "CC": round(gf.cc_weighted(res.signatures), 6),
                "CC best phases": (
                    round(gf.choose_phases(res.signatures, restarts=200).cc, 6)
                    if res.signatures.is_finite_alphabet
                    else "-"
                ),
                "load": f"{load0:.1f}/{os.getloadavg()[0]:.1f}",
            }
        )
        print(f"{res}; load average before/after {rows[-1]['load']}", flush=True)
    import pandas as pd

    print(f"\n# summary ({time.strftime('%Y-%m-%d %H:%M')}, torch 1 thread)")
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
