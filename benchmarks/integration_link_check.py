"""Link-level check of the coupling model: predicted vs simulated SINR.

For ``--drops`` seeded 4 x 6 drops (paper noise) at every budget of ``--budgets``, every
signature set and every coupling model of ``--alloc-fading``, the allocation of
``solve_max_min(scenario, interference=model)`` (and of ``solve_max_sr``, whose
allocations are more interference-limited; ``--objectives``) gives the received SNRs
``q[k, j]``.
Each resource is then simulated with :func:`gfnoma.link_check` (the users on
it transmit QPSK with their signatures at ``q``, Bernoulli activation, per-chip Rayleigh
fading or a flat block, AWGN; MF and MMSE-SIC) and every user's SINR compared with the
prediction ``q_j / (1 + sum_i C[j, i] q_i)`` of both coupling models.

Rows are appended to ``--out`` as allocations finish (rerun skips them). Prints the
error table (simulated minus predicted, dB) and draws ``--figure``.

    OMP_NUM_THREADS=1 python benchmarks/integration_link_check.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from integration_common import ResumableCSV, drop, signature_sets
from tqdm import tqdm

import gfnoma
import scma_alloc as sa
from gfnoma.link_sinr import SINR_DEFINITIONS, link_check

KEY = ["objective", "drop", "budget_dbm", "set", "alloc_model"]
SOLVERS = {"max_min": sa.solve_max_min, "max_sr": sa.solve_max_sr}
MARKERS = {"max_min": "o", "max_sr": "^"}
LINK_FIELDS = [
    "resource",
    "user",
    "receiver",
    "channel",
    "q",
    "pred_flat",
    "pred_per_chip",
    "pred_per_chip_array",
    *[f"sinr_{d}" for d in SINR_DEFINITIONS],
    *[f"stderr_db_{d}" for d in SINR_DEFINITIONS],
    "n_active",
    "agreement",
]
FIELDS = [*KEY, "inr_flat", "inr_per_chip", *LINK_FIELDS]
PANELS = [  # (model, simulated channel)
    ("flat", "flat"),
    ("flat", "per-chip"),
    ("per-chip", "per-chip"),
]


def errors(frame: pd.DataFrame, definition: str) -> pd.DataFrame:
    """Simulated minus predicted SINR (dB) for both models, one row per user."""
    out = frame[["receiver", "channel", "set", "inr_flat", "inr_per_chip"]].copy()
    sim = 10 * np.log10(frame[f"sinr_{definition}"])
    for model in ("flat", "per_chip"):
        out[model] = sim - 10 * np.log10(frame[f"pred_{model}"])
    return out


def error_table(frame: pd.DataFrame, definition: str) -> str:
    """Markdown table: mean error, mean |error| and 90th percentile of |error| (dB)."""
    err = errors(frame, definition)
    lines = [
        "| receiver | channel | n | flat model: mean / mean abs / p90 abs | "
        "per-chip model: mean / mean abs / p90 abs |",
        "|---|---|---|---|---|",
    ]
    for (receiver, channel), g in err.groupby(["receiver", "channel"], sort=False):
        cells = []
        for model in ("flat", "per_chip"):
            e = g[model]
            cells.append(f"{e.mean():+.2f} / {e.abs().mean():.2f} / {e.abs().quantile(0.9):.2f}")
        lines.append(f"| {receiver} | {channel} | {len(g)} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def regime_table(frame: pd.DataFrame, definition: str) -> str:
    """Mean error (dB) on gfnoma's channel, split by the model's own INR (0 dB)."""
    err = errors(frame[frame["channel"] == "per-chip"], definition)
    lines = [
        "| receiver | model | INR < 0 dB: n, mean | INR >= 0 dB: n, mean |",
        "|---|---|---|---|",
    ]
    for receiver, g in err.groupby("receiver", sort=False):
        for model in ("flat", "per_chip"):
            low = g[g[f"inr_{model}"] < 1][model]
            high = g[g[f"inr_{model}"] >= 1][model]
            lines.append(
                f"| {receiver} | {model.replace('_', '-')} | {len(low)}, {low.mean():+.2f} | "
                f"{len(high)}, {high.mean():+.2f} |"
            )
    return "\n".join(lines)


def by_set_table(frame: pd.DataFrame, definition: str) -> str:
    """Mean error (dB) per signature set on gfnoma's channel."""
    err = errors(frame[frame["channel"] == "per-chip"], definition)
    lines = ["| receiver | set | flat model | per-chip model |", "|---|---|---|---|"]
    for (receiver, name), g in err.groupby(["receiver", "set"], sort=False):
        lines.append(
            f"| {receiver} | {name} | {g['flat'].mean():+.2f} | {g['per_chip'].mean():+.2f} |"
        )
    return "\n".join(lines)


def plot(frame: pd.DataFrame, definition: str, path: Path) -> None:
    """Predicted vs simulated SINR (dB), rows: receivers, columns: (model, channel)."""
    receivers = list(dict.fromkeys(frame["receiver"]))
    sets = list(dict.fromkeys(frame["set"]))
    colours = dict(zip(sets, plt.rcParams["axes.prop_cycle"].by_key()["color"], strict=False))
    fig, axes = plt.subplots(
        len(receivers), len(PANELS), figsize=(10, 3.2 * len(receivers)), squeeze=False
    )
    values = 10 * np.log10(frame[["pred_flat", "pred_per_chip", f"sinr_{definition}"]])
    lo, hi = np.floor(values.min().min() / 5) * 5, np.ceil(values.max().max() / 5) * 5
    for r, receiver in enumerate(receivers):
        for c, (model, channel) in enumerate(PANELS):
            ax = axes[r, c]
            part = frame[(frame["receiver"] == receiver) & (frame["channel"] == channel)]
            for (objective, name), g in part.groupby(["objective", "set"], sort=False):
                ax.scatter(
                    10 * np.log10(g[f"pred_{model.replace('-', '_')}"]),
                    10 * np.log10(g[f"sinr_{definition}"]),
                    s=8,
                    alpha=0.6,
                    color=colours[name],
                    marker=MARKERS[objective],
                    label=f"{name}, {objective.replace('_', '-')}",
                    linewidths=0,
                )
            ax.plot([lo, hi], [lo, hi], color="k", lw=0.8)
            ax.set_xlim(lo, hi)
            ax.set_ylim(lo, hi)
            ax.grid(alpha=0.3)
            ax.set_title(f"{receiver.upper()}: {model} model, {channel} channel", fontsize=9)
            if r == len(receivers) - 1:
                ax.set_xlabel("predicted SINR (dB)")
            if c == 0:
                ax.set_ylabel(f"simulated SINR, '{definition}' (dB)")
    axes[0, 0].legend(fontsize=6, markerscale=1.5, loc="upper left", ncol=2)
    fig.suptitle(
        "Coupling model vs gfnoma link: SINR of every user on every resource of Max-Min (o) and "
        "Max-SR (^) allocations\n(4 x 6, paper noise, p_asy, H = 4; line: prediction = "
        "simulation)",
        fontsize=9,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drops", type=int, default=3)
    parser.add_argument("--budgets", type=float, nargs="+", default=[3.0, 10.0])
    parser.add_argument("--sets", nargs="*", default=["wbe", "musa", "qwbe", "cc-search"])
    parser.add_argument("--signatures", type=Path, nargs="*", default=[], help="JSON files")
    parser.add_argument("--alloc-fading", nargs="+", default=list(gfnoma.FADING_MODELS))
    parser.add_argument("--objectives", nargs="+", default=["max_min", "max_sr"])
    parser.add_argument("--n-samples", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--definition", default="rate", choices=SINR_DEFINITIONS)
    parser.add_argument("--out", type=Path, default=Path("results/integration_link_check.csv"))
    parser.add_argument(
        "--figure", type=Path, default=Path("docs/figures/integration_link_check.png")
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    sets = signature_sets(args.sets, args.signatures)
    store = ResumableCSV(args.out, FIELDS, KEY)
    done = store.done()
    todo = [
        (o, d, float(b), s, f)
        for o in args.objectives
        for d in range(args.drops)
        for b in args.budgets
        for s in sets
        for f in args.alloc_fading
        if (o, d, float(b), s.name, f) not in done
    ]
    for objective, d, budget, sig, fading in tqdm(todo, desc="allocations"):
        model = gfnoma.interference_model(sig, fading)
        scenario = drop(d, args.seed, budget)
        result = SOLVERS[objective](scenario, interference=model)
        q = result.assignment * result.power * scenario.snr_gain
        table = link_check(q, sig, n_samples=args.n_samples, seed=args.seed + d)
        for name in gfnoma.FADING_MODELS:
            c = gfnoma.interference_model(sig, name).coupling
            inr = (q @ c.T)[table["resource"], table["user"]]
            table[f"inr_{name.replace('-', '_')}"] = inr
        for key, value in zip(KEY, (objective, d, budget, sig.name, fading), strict=True):
            table[key] = value
        store.append(table[FIELDS].to_dict("records"))
    frame = store.read()
    frame = frame[
        frame["objective"].isin(args.objectives)
        & (frame["drop"] < args.drops)
        & frame["budget_dbm"].isin(args.budgets)
        & frame["set"].isin([s.name for s in sets])
        & frame["alloc_model"].isin(args.alloc_fading)
    ]
    n_alloc = frame.groupby(KEY).ngroups
    print(
        f"{n_alloc} allocations ({len(args.objectives)} objectives x {frame['drop'].nunique()} "
        f"drops x {len(args.budgets)} budgets x {frame['set'].nunique()} sets x "
        f"{len(args.alloc_fading)} models), {args.n_samples} channel uses per resource, "
        "receiver and channel"
    )
    stderr = frame[[f"stderr_db_{d}" for d in SINR_DEFINITIONS]]
    print("Monte-Carlo standard error (dB): median / max per definition")
    print(
        "  "
        + ", ".join(
            f"{d}: {stderr[f'stderr_db_{d}'].median():.3f} / {stderr[f'stderr_db_{d}'].max():.3f}"
            for d in SINR_DEFINITIONS
        )
    )
    mmse = frame[frame["receiver"] == "mmse-sic"]["agreement"]
    print(f"MMSE-SIC decisions equal to gfnoma.MMSESIC: min {mmse.min():.6f}")
    for definition in dict.fromkeys([args.definition, "avg"]):
        for objective, part in frame.groupby("objective", sort=False):
            print(
                f"\nSimulated minus predicted SINR (dB), definition '{definition}', "
                f"{objective} allocations:"
            )
            print(error_table(part, definition))
        print(f"\nOn the per-chip channel, by the model's own INR ('{definition}'):")
        print(regime_table(frame, definition))
        print(f"\nOn the per-chip channel, by signature set ('{definition}'):")
        print(by_set_table(frame, definition))
    print("\nKnowing who is active (rate_genie - rate, dB, mean / max) on the per-chip channel:")
    for receiver, g in frame[frame["channel"] == "per-chip"].groupby("receiver", sort=False):
        gap = 10 * np.log10(g["sinr_rate_genie"] / g["sinr_rate"])
        print(f"  {receiver}: {gap.mean():+.2f} / {gap.max():+.2f}")
    mf = frame[(frame["receiver"] == "mf") & (frame["channel"] == "per-chip")]
    err = 10 * np.log10(mf["sinr_avg"] / mf["pred_per_chip_array"])
    print(
        "\nMF, per-chip channel, 'avg' vs the per-chip model with the array gain credited "
        f"(q_j / (1/G_j + sum_i C q_i)): mean {err.mean():+.3f} dB, max abs {err.abs().max():.3f}"
    )
    plot(frame, args.definition, args.figure)
    print(f"figure: {args.figure}")


if __name__ == "__main__":
    main()
