"""Fig. 11 of the paper: convergence of the SICNN and the FCNN during training (validation BER
vs training iterations), read from the training logs.

Run from the repository root after ``benchmarks/gfnoma_train_runs.py`` (seconds)::

    python benchmarks/gfnoma_fig11.py

Both runs use the same settings (``fast`` preset: batch 256, Adam 1e-3, the same samples
and validation set from seed 0, 15 minutes); SICNN mini-nets 128-256-128 (446 988
parameters) and FCNN 512-512-256 (426 252). The validation set has 10 000 channel uses per
SNR (so a BER of 0.01 rests on about 700 bit errors). Table IV (run time per receiver) is
printed by ``benchmarks/gfnoma_train_speed.py``. Writes
``docs/figures/gfnoma_fig11_convergence.png``.
"""

from __future__ import annotations

import _gfnoma_results as R
import pandas as pd


def main() -> None:
    R.setup()
    logs = {}
    for run, label in (("qnn_asy", "SICNN"), ("fcnn_asy", "FCNN")):
        log = pd.read_csv(R.run_dir(run) / "log.csv")
        logs[label] = log[log["scheduled"] == 1]
    fig, axes = R.figure(2)
    for label, log in logs.items():
        for col, style in (("val_ber_10", "-"), ("val_ber_20", "--")):
            axes[0].semilogy(log["step"], log[col], style, label=f"{label}, {col[8:]} dB")
        axes[1].plot(log["seconds"] / 60, log["val_loss"], label=label)
        print(f"\n## {label}: validation BER and loss vs step (every 5th validation)")
        cols = [
            "step",
            "samples",
            "seconds",
            "val_loss",
            "val_ber_0",
            "val_ber_10",
            "val_ber_20",
            "cc_weighted",
        ]
        print(log[cols].iloc[::5].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    axes[0].set_xscale("symlog", linthresh=1000)
    axes[0].set_xlabel("training iteration (batch 256)")
    axes[0].set_ylabel("validation BER, Es/N0 per user = 1/sigma^2")
    axes[0].set_title("Fig. 11: SICNN vs FCNN convergence")
    axes[0].grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize="small")
    axes[1].set_xlabel("training time [min], 1 thread")
    axes[1].set_ylabel("validation loss (eq. 12)")
    axes[1].grid(True, alpha=0.3)
    axes[1].legend(fontsize="small")
    R.save(fig, "gfnoma_fig11_convergence.png")


if __name__ == "__main__":
    main()
