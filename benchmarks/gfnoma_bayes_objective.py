"""The training objective (eq. 10-12) evaluated with the exact Bayes decoder: which signature
sets does the paper's loss prefer, whatever the network? Printed evidence for
docs/gfnoma_results.md §6.

Run from the repository root (about 1.5 min per set on one core)::

    python benchmarks/gfnoma_bayes_objective.py
    python benchmarks/gfnoma_bayes_objective.py --samples 1000 --signatures my/signatures.json

Sets: WBE, the CC-search set, the shipped QNN sets ``n6h4-asy-paper`` (the paper's recipe)
and ``n6h4-asy`` (ours), and any ``--signatures`` files. For every set and every training
SNR ({-5, 0, 5, 10, 15, 20} dB, p_asy, N=6, H=4, per-chip Rayleigh fading) the decoder is
the exact posterior mean ``E[x | y, G]`` over all ``5^6`` hypotheses — the decoder with the
least MSE for every user, the limit of any trained network.
Printed per set:

* ``sum MSE`` — eq. (10), pooled over the training SNRs as in training: the *minimum* over
  all decoders;
* ``eq. 12 (raw)`` — with the fairness term on ``MSE_n`` (the paper's loss, gap to the mean),
  at the Bayes decoder;
* ``eq. 12 (normalised)`` — the fairness gap on ``MSE_n / p_n`` (``fairness_normalized``).

The same seeded samples (bits, activity, fading, noise) are used for every set.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import gfnoma as gf  # noqa: E402


def posterior_mean_mse(
    s: np.ndarray, p: np.ndarray, snr_db: float, samples: int, seed: int, chunk: int = 100
) -> np.ndarray:
    """Per-user MSE of the exact posterior mean E[x | y, G] (all 5^N hypotheses)."""
    n = p.size
    qpsk = np.exp(1j * np.pi * (np.arange(4) / 2 + 0.25))
    alphabet = np.concatenate([[0.0], qpsk])
    idx = np.array(list(itertools.product(range(5), repeat=n)))
    hyp = torch.tensor(alphabet[idx], dtype=torch.complex128)  # (T, N)
    log_prior = torch.tensor(np.where(idx == 0, np.log1p(-p), np.log(p / 4.0)).sum(axis=1))
    unit = torch.tensor(s / np.linalg.norm(s, axis=0), dtype=torch.complex128)
    h_len = s.shape[0]
    nv = 10.0 ** (-snr_db / 10.0)
    rng = np.random.default_rng(seed)
    sq_err = torch.zeros(n, dtype=torch.float64)
    for lo in range(0, samples, chunk):
        b = min(chunk, samples - lo)
        active = rng.random((b, n)) < p
        x = torch.tensor(np.where(active, qpsk[rng.integers(0, 4, (b, n))], 0.0))
        fade = rng.standard_normal((b, h_len, n)) + 1j * rng.standard_normal((b, h_len, n))
        g = torch.tensor(fade / np.sqrt(2.0)) * unit
        w = rng.standard_normal((b, h_len)) + 1j * rng.standard_normal((b, h_len))
        y = (g @ x.unsqueeze(-1)).squeeze(-1) + torch.tensor(w * np.sqrt(nv / 2.0))
        dist = (y.unsqueeze(-1) - g @ hyp.T).abs().square().sum(dim=1)  # (b, T)
        post = torch.softmax(log_prior - dist / nv, dim=1)
        x_mean = post.to(hyp.dtype) @ hyp
        sq_err += (x_mean - x).abs().square().sum(dim=0)
    return (sq_err / samples).numpy()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=3000, help="channel uses per SNR")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--signatures", nargs="*", default=[], help="extra signatures.json files")
    args = ap.parse_args()
    torch.set_num_threads(1)
    p = np.array(gf.P_ASY)
    lam = gf.fairness_weights(p)
    sets = [
        gf.wbe(p, 4),
        gf.search_signatures(p, 4, q=2, seed=0).signatures,
        gf.pretrained_signatures("n6h4-asy-paper"),
        gf.pretrained_signatures("n6h4-asy"),
        *(gf.Signatures.load(f) for f in args.signatures),
    ]
    print(f"# Bayes-decoder objective, {time.strftime('%Y-%m-%d %H:%M')}, p_asy, N=6, H=4, ")
    print(f"# {args.samples} channel uses per SNR, seed {args.seed}, SNRs {gf.PAPER_TRAIN_SNR_DB}")
    print(f"{'set':24s} {'CC_w':>7s} {'sum MSE':>8s} {'eq.12 raw':>10s} {'eq.12 norm':>10s}")
    for sig in sets:
        t0 = time.perf_counter()
        mse = np.mean(
            [
                posterior_mean_mse(sig.matrix, p, snr, args.samples, args.seed)
                for snr in gf.PAPER_TRAIN_SNR_DB
            ],
            axis=0,
        )
        raw = mse.sum() + (lam * np.abs(mse - mse.mean())).sum()
        e = mse / p
        norm = mse.sum() + (lam * np.abs(e - e.mean())).sum()
        print(
            f"{sig.name[:24]:24s} {gf.cc_weighted(sig):7.4f} {mse.sum():8.4f} {raw:10.4f} "
            f"{norm:10.4f}   per-user MSE {np.round(mse, 3).tolist()} "
            f"({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
