"""Why the SICNN plateaus: one training factor changed per row (docs/gfnoma_receivers.md §3).

Every row trains a :class:`gfnoma.SoftSICNN` for fixed WBE signatures (p_asy, N=6, H=4,
per-chip Rayleigh) with the base recipe of :class:`gfnoma.DetectorConfig` except for one
factor (the base recipe leaves out the sharpness tuning after training, which the last rows
test), for the same number of steps, one thread, seed 0; then measures BER, activity miss
and false-alarm rates at 10 / 15 / 20 dB on the same channel uses for every row (paired;
``simulate_ber`` seed 1). Rows run in ``--jobs`` worker processes, one thread each.

    PYTHONPATH=. python benchmarks/gfnoma_detector_ablation.py             # ~15 min, 2 jobs
    PYTHONPATH=. python benchmarks/gfnoma_detector_ablation.py --steps 300 --samples 4000
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import torch

from gfnoma.detector import INITIAL_SHARPNESS

#: (row label, factor, DetectorConfig changes). The first row is the base recipe.
ROWS: list[tuple[str, str, dict[str, Any]]] = [
    ("base recipe", "-", {}),
    ("init only (0 steps): soft MMSE-SIC", "training", {"steps": 0}),
    ("inputs: eq. (28) only (residual, y, g), no analytic start", "inputs",
     {"features": "raw", "residual": False}),
    ("inputs: analytic stats, but no analytic start (no residual)", "inputs",
     {"residual": False}),
    ("outputs: MSE on symbols (eq. 10) instead of bit + activity BCE", "outputs",
     {"loss": "mse"}),
    ("SNR: one training SNR (15 dB) instead of U[10, 25] dB", "SNR sampling",
     {"snr_db": (15.0, 15.0)}),
    ("SNR: U[5, 25] dB", "SNR sampling", {"snr_db": (5.0, 25.0)}),
    ("SNR: U[-5, 20] dB (the paper's range)", "SNR sampling", {"snr_db": (-5.0, 20.0)}),
    ("optimiser: constant lr 1e-3 (no cosine)", "schedule", {"lr_final": 1e-3}),
    ("optimiser: SGD momentum 0.9, lr 1e-2", "optimiser", {"optimizer": "sgd", "lr": 1e-2}),
    ("batch 128 (4x more noisy steps, 1/4 the samples)", "batch size", {"batch_size": 128}),
    ("batch 2048", "batch size", {"batch_size": 2048}),
    ("teacher forcing: cancel true symbols in training", "teacher forcing",
     {"teacher_forcing": True}),
    ("depth: hidden (64,) (one layer)", "depth", {"hidden": (64,)}),
    ("normalisation: unbounded analytic inputs", "normalisation", {"bounded": False}),
    ("FCNN, same recipe, same size", "structure", {"structure": "fc", "hidden": (160, 160, 160)}),
    ("two sweeps of the cascade (ours)", "structure", {"passes": 2, "hidden": (48, 48, 48)}),
    ("sharpness tuned after training (ours)", "cancellation", {"tune_sharpness": True}),
    ("two sweeps, sharpness tuned (ours)", "cancellation",
     {"passes": 2, "hidden": (48, 48, 48), "tune_sharpness": True}),
]  # fmt: skip

SNRS = (10.0, 15.0, 20.0)


def run_row(args: tuple[str, str, dict[str, Any], int, int]) -> dict[str, Any]:
    """Train one row and evaluate it (in a worker: one thread)."""
    label, factor, changes, steps, samples = args
    torch.set_num_threads(1)
    from gfnoma import DetectorConfig, DetectorReceiver, simulate_ber, wbe
    from gfnoma.detector import count_parameters

    sig = wbe()
    cfg = DetectorConfig(**{"steps": steps, "tune_sharpness": False, **changes})
    t0 = time.perf_counter()
    from gfnoma import train_detector

    net, _ = train_detector(sig, cfg)
    seconds = time.perf_counter() - t0
    params = count_parameters(net)  # before the receiver freezes them
    tau = None
    if net.structure == "sic":  # mean sharpness over the stages whose cancellation is used
        n = net.n_users
        used = [i for i in range(net.passes * n) if i != net.passes * n - 1]
        tau = float(net.log_sharpness.detach()[used].exp().mean())
    res = simulate_ber(
        sig, DetectorReceiver(net, sig, name=label), SNRS, target_errors=10**9,
        max_samples=samples, batch_size=5000, seed=1, progress=False,
    )  # fmt: skip
    tab = res.table
    return {
        "label": label,
        "factor": factor,
        "params": params,
        "seconds": seconds,
        "ber": tab["ber"].tolist(),
        "miss": tab["miss_rate"].tolist(),
        "fa": tab["false_alarm_rate"].tolist(),
        "tau": tau,
    }


def mmse_sic_row(samples: int) -> dict[str, Any]:
    from gfnoma import simulate_ber, wbe

    torch.set_num_threads(1)
    tab = simulate_ber(
        wbe(), "mmse-sic", SNRS, target_errors=10**9, max_samples=samples,
        batch_size=5000, seed=1, progress=False,
    ).table  # fmt: skip
    return {
        "label": "MMSE-SIC (hard, no training)", "factor": "reference", "params": 0,
        "seconds": 0.0, "ber": tab["ber"].tolist(), "miss": tab["miss_rate"].tolist(),
        "fa": tab["false_alarm_rate"].tolist(),
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=2500, help="training steps per row")
    ap.add_argument("--samples", type=int, default=40000, help="channel uses per SNR point")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (one thread each)")
    ap.add_argument("--rows", default=None, help="comma-separated row numbers (default all)")
    ns = ap.parse_args()
    rows = list(enumerate(ROWS))
    if ns.rows:
        keep = {int(v) for v in ns.rows.split(",")}
        rows = [(i, r) for i, r in rows if i in keep]
    tasks = [(lab, fac, ch, ns.steps, ns.samples) for _, (lab, fac, ch) in rows]
    with ProcessPoolExecutor(max_workers=ns.jobs) as pool:
        results = list(pool.map(run_row, tasks))
    results.insert(0, mmse_sic_row(ns.samples))
    print(
        f"WBE, p_asy, N=6, H=4; {ns.steps} steps per row, 1 thread; "
        f"{ns.samples} channel uses per point (paired, seed 1)"
    )
    print("BER / miss / false alarm at 10, 15, 20 dB\n")
    print("| row | factor | params | train s | BER 10 | BER 15 | BER 20 | miss 20 | FA 20 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        b, m, f = r["ber"], r["miss"], r["fa"]
        print(
            f"| {r['label']} | {r['factor']} | {r['params']} | {r['seconds']:.0f} | "
            f"{b[0]:.4f} | {b[1]:.4f} | {b[2]:.4f} | {m[2]:.4f} | {f[2]:.4f} |"
        )
    print("\nCancellation sharpness tau after training (mean over the stages whose "
          f"cancellation is used; it starts at {INITIAL_SHARPNESS:g})\n")  # fmt: skip
    for r in results:
        if r.get("tau") is not None:
            print(f"- {r['label']}: {r['tau']:.2f}")


if __name__ == "__main__":
    main()
