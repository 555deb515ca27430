"""Training and inference speed of the SICNN and FCNN decoders, and Table IV (run time per
receiver), printed.

Run from the repository root::

    python benchmarks/gfnoma_train_speed.py            # ~3 min
    python benchmarks/gfnoma_train_speed.py --quick    # shorter timings

Training: samples (channel uses) per second of one full step of :func:`gfnoma.train` —
draw the batch, QNN encoder, channel, decoder, loss of eq. (12), backward, Adam — for the
paper's sizes (batch 100), the ``fast`` preset (batch 256) and our ``fast-lmmse`` recipe.
Inference: decoder forward passes without gradients at batch 10 000. Table IV: detection
time per channel use of MMSE-SIC, SICNN, FCNN (paper sizes, untrained weights cost the
same), the ``fast-lmmse`` SICNN and joint ML, N=6, H=4, SNR 10 dB. Each figure is the median
of repeated timings; 1 and 2 torch threads; the load average of the (shared) machine is
printed with each table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import gfnoma as gf  # noqa: E402
from gfnoma.train import build_models  # noqa: E402

FCNN_FAST_HIDDEN = (512, 512, 256)


def _median_time(fn, repeats: int, min_seconds: float) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        k = 0
        while True:
            fn()
            k += 1
            if time.perf_counter() - t0 >= min_seconds:
                break
        times.append((time.perf_counter() - t0) / k)
    return statistics.median(times)


def _train_step_fn(config: gf.TrainConfig):
    encoder, _, decoder = build_models(config)
    channel = gf.GrantFreeChannel(config.activation, config.length, seed=0)
    loss_fn = gf.FairnessMSELoss(gf.fairness_weights(config.activation))
    opt = torch.optim.Adam([*decoder.parameters(), *encoder.parameters()], lr=1e-3)
    snr = torch.tensor(config.train_snr_db)
    p = torch.tensor(config.activation)

    def step() -> None:
        _, _, x = channel.sample_source(config.batch_size)
        s = encoder.signatures()
        z = s.unsqueeze(0) * x.unsqueeze(1)
        idx = torch.randint(0, snr.numel(), (config.batch_size,), generator=channel.generator)
        y, h, nv = channel.propagate(z, snr[idx])
        loss, _ = loss_fn(decoder(y, h, s, p, nv), x)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step, gf.count_parameters(decoder)


def _receivers(sig: gf.Signatures) -> dict[str, gf.Receiver]:
    sic = gf.NeuralReceiver(gf.SICNN(6, 4, gf.PAPER_SICNN_HIDDEN), sig)
    fc = gf.NeuralReceiver(gf.FCNN(6, 4, gf.PAPER_FCNN_HIDDEN), sig)
    return {
        "MMSE-SIC": gf.get_receiver("mmse-sic"),
        "SICNN (paper sizes)": sic,
        "FCNN (paper sizes)": fc,
        "SICNN fast-lmmse": gf.NeuralReceiver(
            gf.SICNN(6, 4, (128, 256, 128), features="mmse"), sig
        ),
        "ML (joint, 5^6 hypotheses)": gf.get_receiver("ml"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    repeats, min_s = (3, 0.5) if args.quick else (5, 2.0)
    print(f"# gfnoma decoder speed, {time.strftime('%Y-%m-%d %H:%M')}, torch {torch.__version__}")
    cases = [
        ("SICNN paper 128-256-512-256-128", gf.get_config("paper")),
        (
            "FCNN paper 384-1024-768-256-64",
            gf.get_config("paper", decoder="fcnn", hidden=gf.PAPER_FCNN_HIDDEN),
        ),
        ("SICNN fast 128-256-128", gf.get_config("fast")),
        ("FCNN fast 512-512-256", gf.get_config("fast", decoder="fcnn", hidden=FCNN_FAST_HIDDEN)),
        ("SICNN fast-lmmse 128-256-128", gf.get_config("fast-lmmse")),
    ]
    for threads in (1, 2):
        torch.set_num_threads(threads)
        print(
            f"\n## training and inference, {threads} thread(s); load average "
            f"{os.getloadavg()[0]:.2f} at start"
        )
        print(
            f"{'decoder':36s} {'params':>9s} {'batch':>6s} {'train samples/s':>16s} "
            f"{'inference samples/s':>20s}"
        )
        for label, cfg in cases:
            step, params = _train_step_fn(cfg)
            t_step = _median_time(step, repeats, min_s)
            _, _, dec = build_models(cfg)
            dec.eval()
            sig = gf.wbe(cfg.activation, cfg.length)
            ch = gf.GrantFreeChannel(sig.activation, sig.length, seed=1)
            out = ch(sig, 10_000, 10.0)
            s, p = sig.tensor(), sig.activation_tensor()

            def infer(dec=dec, out=out, s=s, p=p) -> None:
                with torch.no_grad():
                    dec(out.y, out.h, s, p, out.noise_var)

            t_inf = _median_time(infer, repeats, min_s)
            print(
                f"{label:36s} {params:9d} {cfg.batch_size:6d} "
                f"{cfg.batch_size / t_step:16.0f} {10_000 / t_inf:20.0f}"
            )
        print(f"load average at end {os.getloadavg()[0]:.2f}")

    torch.set_num_threads(1)
    sig = gf.wbe(gf.P_ASY, 4)
    ch = gf.GrantFreeChannel(sig.activation, 4, seed=2)
    print(
        f"\n## Table IV: detection time per channel use (N=6, H=4, 10 dB, 1 thread); load "
        f"average {os.getloadavg()[0]:.2f}"
    )
    print(f"{'receiver':30s} {'batch':>6s} {'us / channel use':>17s} {'relative':>9s}")
    base = None
    for label, rx in _receivers(sig).items():
        batch = 2_000 if label.startswith("ML") else 10_000
        out = ch(sig, batch, 10.0)

        def detect(rx=rx, out=out) -> None:
            rx(out.y, out.h, sig.tensor(), sig.activation_tensor(), out.noise_var)

        us = _median_time(detect, repeats, min_s) / batch * 1e6
        base = base or us
        print(f"{label:30s} {batch:6d} {us:17.3f} {us / base:9.2f}")
    print(
        "paper Table IV (running time, relative units): MMSE-SIC 6.63, SICNN 16.34, "
        "FCNN 16.31, ML 4.8e4"
    )
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
