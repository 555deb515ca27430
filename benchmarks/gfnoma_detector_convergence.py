"""Fig. 11 for the detectors of gfnoma_receivers.md: SICNN vs FCNN of equal size, validation
BER vs training step.

The SICNN and the FCNN are trained with the recipe of the shipped ``sicnn-wbe-asy`` and
``fcnn-wbe-asy`` (fixed WBE, p_asy, N=6, H=4, ``DetectorConfig`` defaults: Adam 1e-3 with
cosine decay to 1e-5, batch 512, training SNR U[10, 25] dB, seed 0, one thread; the FCNN with
hidden 171, 171, 171). Both output a correction of analytic Gaussian-model logits whose
last layer starts at zero (soft MMSE-SIC for the SICNN, the parallel LMMSE statistics for the
FCNN), so their step-0 BER is that start's. The "no start" pair is the same with
``residual=False`` (the networks output the logits themselves, as the paper's do), the FCNN
widened to 174 for the same parameter count.

The training loop is the one of :func:`gfnoma.train_detector`, step for step, with a
validation between steps: every ``--eval-every`` steps (and at step 0) a frozen copy of the
network is scored by :func:`gfnoma.simulate_ber` (the package's error rule: BER over the bits
of active users, a miss costs both bits) on the same ``--val-samples`` channel uses per SNR
(seed ``--val-seed``, not a training seed) at 10, 15 and 20 dB. Training seconds exclude the
validations. The curves are of the trained weights, before the sharpness tuning that
:func:`gfnoma.train_detector` applies after training. With the default ``--steps 8000`` the
final weights, tuned as ``train_detector`` tunes them, of the SICNN and the FCNN are compared
with the shipped files, which checks that this loop is ``train_detector``'s.

Prints the BER-vs-step table and the first step (and training seconds) at which each network
reaches BER <= ``--target`` at each SNR; writes ``docs/figures/gfnoma_detector_convergence.png``.

    PYTHONPATH=. python benchmarks/gfnoma_detector_convergence.py                  # ~15 min
    PYTHONPATH=. python benchmarks/gfnoma_detector_convergence.py --steps 400 --eval-every 100 \
        --val-samples 2000 --no-figure                                            # smoke run
"""

from __future__ import annotations

import argparse
import copy
import io
import math
import sys
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import gfnoma as gf  # noqa: E402
from gfnoma.detector import (  # noqa: E402
    DetectorConfig,
    DetectorReceiver,
    _threads,
    _tune_after_training,
    build_detector,
    detector_loss,
    load_detector,
)

SNRS = (10.0, 15.0, 20.0)
#: label -> (DetectorConfig overrides, the shipped receiver trained with the same recipe).
#: "no start": ``residual=False``, the network's output is the logits themselves (random last
#: layer) instead of a correction of soft MMSE-SIC's, as in the paper; the FCNN's widths are
#: chosen again for the SICNN's parameter count (81 276 against 81 048).
NETWORKS = {
    "SICNN": ({}, "sicnn-wbe-asy"),
    "FCNN": ({"structure": "fc", "hidden": (171, 171, 171)}, "fcnn-wbe-asy"),
    "SICNN (no start)": ({"residual": False}, None),
    "FCNN (no start)": ({"structure": "fc", "hidden": (174, 174, 174), "residual": False}, None),
}


def validate(net, sig, snrs, samples: int, seed: int) -> dict[float, tuple[float, int]]:
    """BER and bit errors of a frozen copy of ``net`` (the training copy is left alone)."""
    rx = DetectorReceiver(copy.deepcopy(net).eval(), sig, name="val")
    tab = gf.simulate_ber(
        sig, rx, list(snrs), target_errors=10**9, max_samples=samples,
        batch_size=min(samples, 10_000), seed=seed, progress=False,
    ).table  # fmt: skip
    return {float(r.snr_db): (float(r.ber), int(r.bit_errors)) for r in tab.itertuples()}


def train_with_validation(
    sig: gf.Signatures, cfg: DetectorConfig, eval_at: set[int], val: dict
) -> tuple[torch.nn.Module, list[dict]]:
    """``gfnoma.detector._train`` (same generators, same order of draws) with validations."""
    if cfg.optimizer != "adam" or cfg.teacher_forcing:
        raise ValueError("only the default recipe (Adam, no teacher forcing) is replicated")
    net = build_detector(sig, cfg)
    channel = gf.GrantFreeChannel(sig.activation, sig.length, seed=cfg.seed + 1)
    snr_gen = torch.Generator().manual_seed(cfg.seed + 2)
    s = sig.tensor(torch.complex64)
    p = sig.activation_tensor(torch.float32)
    opt = torch.optim.Adam(list(net.parameters()), lr=cfg.lr)
    lo, hi = cfg.snr_db
    rows: list[dict] = []
    train_s = 0.0

    def record(step: int, loss: float) -> None:
        t0 = time.perf_counter()
        res = validate(net, sig, SNRS, val["samples"], val["seed"])
        row = {"step": step, "train_s": train_s, "loss": loss}
        for snr, (ber, errs) in res.items():
            row[f"ber_{snr:g}"] = ber
            row[f"errors_{snr:g}"] = errs
        rows.append(row)
        net.train()
        print(f"  step {step:>6}  {train_s:7.1f} s  loss {loss:.4f}  BER "
              + " / ".join(f"{row[f'ber_{v:g}']:.4f}" for v in SNRS)
              + f"  (validation {time.perf_counter() - t0:.1f} s)", flush=True)  # fmt: skip

    running, count = 0.0, 0
    net.train()
    record(0, float("nan"))
    for step in range(cfg.steps):
        t0 = time.perf_counter()
        frac = step / max(1, cfg.steps)
        lr = cfg.lr_final + 0.5 * (cfg.lr - cfg.lr_final) * (1.0 + math.cos(math.pi * frac))
        for group in opt.param_groups:
            group["lr"] = lr
        bits, active, symbols = channel.sample_source(cfg.batch_size)
        snr = lo + (hi - lo) * torch.rand(cfg.batch_size, generator=snr_gen)
        z = s.unsqueeze(0) * symbols.unsqueeze(1)
        y, h, nv = channel.propagate(z, snr)
        logits = net(y, h, s, p, nv, None)
        loss = detector_loss(logits, bits, active, symbols, cfg.loss)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        running += float(loss.detach())
        count += 1
        train_s += time.perf_counter() - t0
        if step + 1 in eval_at:
            record(step + 1, running / count)
            running, count = 0.0, 0
    return net.eval(), rows


def first_reach(rows: pd.DataFrame, snr: float, target: float) -> tuple[str, str]:
    hit = rows[rows[f"ber_{snr:g}"] <= target]
    if hit.empty:
        best = rows[f"ber_{snr:g}"].min()
        return f"not within {int(rows['step'].max())} steps (best {best:.4f})", "-"
    r = hit.iloc[0]
    return f"{int(r['step'])}", f"{r['train_s']:.0f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=8000)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--val-samples", type=int, default=10_000, help="channel uses per SNR")
    ap.add_argument("--val-seed", type=int, default=1000)
    ap.add_argument("--target", type=float, default=0.1)
    ap.add_argument(
        "--networks",
        default=",".join(NETWORKS),
        help=f"comma list of {', '.join(NETWORKS)} [default: all]",
    )
    ap.add_argument("--no-figure", action="store_true")
    ap.add_argument("--csv", default=None, help="also write the table to this CSV file")
    ns = ap.parse_args()
    torch.set_num_threads(1)
    sig = gf.wbe(gf.P_ASY, 4)
    eval_at = set(range(ns.eval_every, ns.steps + 1, ns.eval_every)) | {ns.steps}
    eval_at |= {v for v in (25, 50, 100) if v < ns.eval_every}  # the first steps, finer
    val = {"samples": ns.val_samples, "seed": ns.val_seed}
    print(f"WBE, p_asy, N=6, H=4; {ns.steps} steps of batch 512, 1 thread, seed 0; validation "
          f"{ns.val_samples} channel uses per SNR (seed {ns.val_seed}), every "
          f"{ns.eval_every} steps")  # fmt: skip
    tables = {}
    labels = [v.strip() for v in ns.networks.split(",") if v.strip()]
    if unknown := [v for v in labels if v not in NETWORKS]:
        ap.error(f"--networks: unknown {unknown}; choose from {', '.join(NETWORKS)}")
    for label in labels:
        overrides, shipped = NETWORKS[label]
        cfg = DetectorConfig(steps=ns.steps, seed=0, threads=1, **overrides)
        n_params = gf.count_parameters(build_detector(sig, cfg))
        print(f"\n## {label}: {n_params} parameters (hidden {cfg.hidden})", flush=True)
        net, rows = train_with_validation(sig, cfg, eval_at, val)
        tables[label] = pd.DataFrame(rows)
        if ns.steps == 8000 and shipped is not None:
            with torch.no_grad():
                tuned = copy.deepcopy(net)
            with _threads(cfg.threads):
                _tune_after_training(tuned, sig, cfg)
            data = (
                resources.files("gfnoma")
                .joinpath("data", gf.PRETRAINED_RECEIVERS[shipped][0])
                .read_bytes()
            )
            ref = load_detector(io.BytesIO(data)).detector.state_dict()
            same = all(torch.equal(a, ref[k]) for k, a in tuned.state_dict().items())
            print(f"final weights {'identical to' if same else 'DIFFER from'} {shipped}")
    at = ", ".join(f"{v:g}" for v in SNRS)
    print(f"\n## Validation BER vs training step (BER at {at} dB)\n")
    merged = None
    for label, tab in tables.items():
        t = tab[["step", "train_s"] + [f"ber_{v:g}" for v in SNRS]].rename(
            columns=lambda c, lab=label: c if c == "step" else f"{lab} {c}"
        )
        merged = t if merged is None else merged.merge(t, on="step", how="outer")
    print(merged.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(f"\n## First validation step with BER <= {ns.target:g} (training seconds)\n")
    print("| network | " + " | ".join(f"{v:g} dB" for v in SNRS) + " |")
    print("|---|" + "---|" * len(SNRS))
    for label, tab in tables.items():
        cells = []
        for v in SNRS:
            step, secs = first_reach(tab, v, ns.target)
            cells.append(step if secs == "-" else f"step {step} ({secs} s)")
        print(f"| {label} | " + " | ".join(cells) + " |")
    if ns.csv:
        pd.concat([t.assign(network=k) for k, t in tables.items()]).to_csv(ns.csv, index=False)
    if not ns.no_figure:
        plot(tables, ns.target)


def plot(tables: dict[str, pd.DataFrame], target: float) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12.8, 4.4), dpi=80, layout="constrained")
    axes = fig.subplots(1, 2)
    styles = {10.0: ":", 15.0: "-", 20.0: "--"}
    colours = {"SICNN": "C0", "FCNN": "C3", "SICNN (no start)": "C2", "FCNN (no start)": "C1"}
    for label, tab in tables.items():
        for v in SNRS:
            x = np.maximum(tab["step"].to_numpy(), 1)
            axes[0].semilogy(x, tab[f"ber_{v:g}"], styles[v], color=colours.get(label),
                             label=f"{label}, {v:g} dB")  # fmt: skip
        axes[1].semilogy(tab["train_s"] / 60, tab["ber_15"], color=colours.get(label),
                         label=f"{label}, 15 dB")  # fmt: skip
    for ax in axes:
        ax.axhline(target, color="grey", lw=0.8)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
        ax.set_ylabel("validation BER (count_errors rule)")
    axes[0].set_xscale("log")
    axes[0].set_xlabel("training step (batch 512; step 0 plotted at 1)")
    axes[0].set_title("SICNN vs FCNN of equal size, fixed WBE, p_asy, N=6, H=4")
    axes[1].set_xlabel("training time [min], 1 shared thread")
    path = ROOT / "docs" / "figures" / "gfnoma_detector_convergence.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
