"""The training objective (eq. 10-12) evaluated with the exact Bayes decoder: which signature
sets does the paper's loss prefer, whatever the network? Printed evidence for
docs/gfnoma_appendix.md (decisions 6 and 16).

Run from the repository root (about 20 s per set on one core)::

    python benchmarks/gfnoma_bayes_objective.py
    python benchmarks/gfnoma_bayes_objective.py --fading flat --samples 5000
    python benchmarks/gfnoma_bayes_objective.py --signatures results/gfnoma_train/*/signatures.json

Sets: WBE, quantised WBE, MUSA-like, three CC-search sets (seeds 0-2), the shipped QNN sets
``n6h4-asy-paper`` (the paper's recipe) and ``n6h4-asy`` (ours), and any ``--signatures``
files. For every set and every training SNR ({-5, 0, 5, 10, 15, 20} dB, p_asy, N=6, H=4) the
decoder is the exact posterior mean ``E[x | y, G]`` over all ``5^6`` hypotheses
(:func:`gfnoma.posterior_mean`) — the decoder with the least MSE for every user, the limit of
any trained network. ``--fading`` picks the channel: the paper's per-chip Rayleigh fading
(default) or flat Rayleigh fading over the spreading block.

Printed per set:

* ``CC_w`` — eq. (29);
* ``sum MSE`` — eq. (10), pooled over the training SNRs as in training: the *minimum* over
  all decoders; ``vs WBE`` its paired difference to WBE with the standard error (the same
  seeded samples — bits, activity, fading, noise — are used for every set);
* ``eq. 12 (raw)`` — with the fairness term on ``MSE_n`` (the paper's loss, gap to the mean),
  at the Bayes decoder;
* ``eq. 12 (normalised)`` — the fairness gap on ``MSE_n / p_n`` (``fairness_normalized``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import gfnoma as gf  # noqa: E402


def squared_errors(
    sig: gf.Signatures, snr_db: float, samples: int, seed: int, fading: str, chunk: int = 2000
) -> np.ndarray:
    """``|E[x_n | y, G] - x_n|^2`` per channel use and user, shape (samples, N)."""
    channel = gf.GrantFreeChannel(
        sig.activation, sig.length, seed=seed, dtype=torch.complex128, fading=fading
    )
    s = sig.tensor(torch.complex128)
    p = sig.activation_tensor(torch.float64)
    out = []
    with torch.no_grad():
        for lo in range(0, samples, chunk):
            batch = channel(s, min(chunk, samples - lo), snr_db)
            x_hat = gf.posterior_mean(batch.h * s, batch.y, p, batch.noise_var)
            out.append((x_hat - batch.symbols).abs().square().numpy())
    return np.concatenate(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=10_000, help="channel uses per SNR")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fading", choices=gf.FADING_MODELS, default="per-chip")
    ap.add_argument("--signatures", nargs="*", default=[], help="extra signatures.json files")
    args = ap.parse_args()
    torch.set_num_threads(1)
    p = np.array(gf.P_ASY)
    lam = gf.fairness_weights(p)
    eq12_raw = gf.FairnessMSELoss(lam)
    eq12_normalised = gf.FairnessMSELoss(lam, normalize=p)
    sets = [
        ("WBE", gf.wbe(p, 4)),
        ("quantised WBE", gf.quantized_wbe(p, 4, q=2)),
        ("MUSA-like", gf.musa_like(p, 4)),
        *(
            (f"CC search seed {k}", gf.search_signatures(p, 4, q=2, seed=k).signatures)
            for k in range(3)
        ),
        ("n6h4-asy-paper", gf.pretrained_signatures("n6h4-asy-paper")),
        ("n6h4-asy", gf.pretrained_signatures("n6h4-asy")),
        *((Path(f).parent.name or str(f), gf.Signatures.load(f)) for f in args.signatures),
    ]
    print(
        f"# Bayes-decoder objective, {time.strftime('%Y-%m-%d %H:%M')}, p_asy, N=6, H=4, "
        f"{args.fading} fading"
    )
    print(f"# {args.samples} channel uses per SNR, seed {args.seed}, SNRs {gf.PAPER_TRAIN_SNR_DB}")
    print(
        f"{'set':28s} {'CC_w':>7s} {'sum MSE':>8s} {'vs WBE (se)':>18s} {'eq.12 raw':>10s} "
        f"{'eq.12 norm':>10s}"
    )
    reference = None
    for k, (label, sig) in enumerate(sets):
        t0 = time.perf_counter()
        err = np.concatenate(
            [
                squared_errors(sig, snr, args.samples, args.seed + 1000 * i, args.fading)
                for i, snr in enumerate(gf.PAPER_TRAIN_SNR_DB)
            ]
        )
        per_use = err.sum(axis=1)  # the loss of eq. (10) per channel use
        if reference is None:
            reference = per_use
        diff = per_use - reference
        mse = err.mean(axis=0)
        mse_t = torch.tensor(mse, dtype=torch.float32)
        raw = float(eq12_raw.from_mse(mse_t))
        norm = float(eq12_normalised.from_mse(mse_t))
        versus = "-" if k == 0 else f"{diff.mean():+.4f} ({diff.std() / np.sqrt(diff.size):.4f})"
        print(
            f"{label[-28:]:28s} {gf.cc_weighted(sig):7.4f} {mse.sum():8.4f} {versus:>18s} "
            f"{raw:10.4f} {norm:10.4f}   per-user MSE {np.round(mse, 3).tolist()} "
            f"({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
