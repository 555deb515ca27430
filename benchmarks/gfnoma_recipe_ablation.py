"""Short training runs behind the choices of the ``fast-lmmse`` recipe
(docs/gfnoma_appendix.md, decision 14), printed.

Run from the repository root (about 25 min on one core)::

    python benchmarks/gfnoma_recipe_ablation.py
    python benchmarks/gfnoma_recipe_ablation.py --steps 1000   # a quick look

Every variant trains from seed 0 for ``--steps`` steps (default 6000) at the ``fast`` sizes,
validating every 500 steps; training is deterministic on CPU (one torch thread), so the
printed numbers are reproducible. Variants:

* ``wbe-paper`` / ``wbe-lmmse`` — WBE signatures fixed, SICNN with eq. (28)'s inputs / with
  LMMSE features, plain MSE: what the input features do for the decoder alone;
* ``qnn-xavier`` / ``qnn-uniform`` — QNN encoder trained, LMMSE features, plain MSE, Xavier /
  uniform initialisation (``qnn-uniform`` is the ``fast-lmmse`` preset);
* ``qnn-fair`` / ``qnn-fairnorm`` — ``fast-lmmse`` with the paper's fairness term / with the
  gap on ``MSE_n / p_n``.

Runs are kept (resumable) under ``results/gfnoma_ablation/<variant>``. Printed: validation
BER at 0, 10 and 20 dB and ``CC_weighted`` at steps 3000 and the last step.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import gfnoma as gf  # noqa: E402

VARIANTS: dict[str, tuple[str, dict]] = {
    "wbe-paper": ("fast", {"signatures": "wbe", "fairness": False, "name": "WBE"}),
    "wbe-lmmse": ("fast", {"signatures": "wbe", "features": "mmse", "fairness": False}),
    "qnn-xavier": ("fast", {"features": "mmse", "fairness": False}),
    "qnn-uniform": ("fast-lmmse", {}),
    "qnn-fair": ("fast-lmmse", {"fairness": True}),
    "qnn-fairnorm": ("fast-lmmse", {"fairness": True, "fairness_normalized": True}),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--only", nargs="*", default=None, help="variants (default: all)")
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "gfnoma_ablation")
    args = ap.parse_args()
    torch.set_num_threads(1)
    names = args.only or list(VARIANTS)
    unknown = set(names) - set(VARIANTS)
    if unknown:
        ap.error(f"unknown variant(s) {sorted(unknown)}; choose from {', '.join(VARIANTS)}")
    print(f"# recipe ablation, {time.strftime('%Y-%m-%d %H:%M')}, {args.steps} steps, seed 0")
    rows = []
    for name in names:
        preset, overrides = VARIANTS[name]
        config = gf.get_config(
            preset,
            **{"name": "QNN", **overrides},
            max_steps=args.steps,
            max_seconds=None,
            eval_every=500,
            patience=1000,
        )
        res = gf.train(config, args.out / name, progress=False)
        log = res.log.set_index("step")
        for step in sorted({min(3000, args.steps), args.steps}):
            r = log.loc[step]
            rows.append(
                {
                    "variant": name,
                    "preset": preset,
                    "step": step,
                    "BER 0 dB": round(r["val_ber_0"], 4),
                    "BER 10 dB": round(r["val_ber_10"], 4),
                    "BER 20 dB": round(r["val_ber_20"], 4),
                    "CC_weighted": round(r["cc_weighted"], 6),
                    "val_loss": round(r["val_loss"], 4),
                }
            )
        print(f"{name}: {res} ({res.samples_per_second:.0f} samples/s)", flush=True)
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
