"""Receiver throughput (user-symbols per second) and peak memory versus batch size.

Run from the repository root::

    python benchmarks/gfnoma_receiver_throughput.py            # full report (~3-4 min)
    python benchmarks/gfnoma_receiver_throughput.py --quick    # fewer repeats and cases

Prints

1. the detection throughput of every receiver at (N, H) = (6, 4), (8, 4), (6, 8), (12, 8)
   with 1 and 2 torch threads: median over repeated runs of the time to detect one batch of
   received vectors (channel generation excluded), as user-symbols/s = batch x N / time;
2. MF, MMSE-SIC and MAP at N=6, H=4 versus batch size;
3. end-to-end ``simulate_ber`` throughput (channel + receiver + error counting);
4. peak resident-memory growth of one ``simulate_ber`` call versus batch size and number of
   samples, each in a fresh process (memory must follow the batch size, not the samples).

Targets at N=6, H=4 on 2 cores: MMSE-SIC >= 1e6, MF >= 1e7, ML >= 1e5 user-symbols/s.
The machine load (other processes) is printed: torch's OpenMP threads slow down badly when a
core is busy, so the 1-thread column is the robust figure on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gfnoma import GrantFreeChannel, get_receiver, random_signatures, simulate_ber  # noqa: E402

TARGETS = {"mf": 1e7, "mmse-sic": 1e6, "map": 1e5, "ml": 1e5}
SIZES = [(6, 4), (8, 4), (6, 8), (12, 8)]
RECEIVERS = ["mf", "mmse-sic", "map", "ml", "oracle-ls", "oracle-mmse"]


def _signatures(n: int, h: int):
    """Dense random Q=2 signatures; activation 0.8 for the first half, 0.4 for the rest."""
    p = [0.8] * (n // 2) + [0.4] * (n - n // 2)
    return random_signatures(p, h, q=2, seed=1)


def time_receiver(name: str, n: int, h: int, batch: int, repeats: int, threads: int) -> float:
    """Median seconds to detect one batch of ``batch`` received vectors at 10 dB."""
    torch.set_num_threads(threads)
    sig = _signatures(n, h)
    rx = get_receiver(name)
    out = GrantFreeChannel(sig.activation, h, seed=0)(sig.tensor(), batch, 10.0)
    s, p = sig.tensor(), sig.activation_tensor()
    kwargs = {"active": out.active} if rx.needs_activity else {}
    with torch.no_grad():
        rx(out.y, out.h, s, p, out.noise_var, **kwargs)  # warm-up (tables, allocator)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            rx(out.y, out.h, s, p, out.noise_var, **kwargs)
            times.append(time.perf_counter() - t0)
    return float(np.median(times))


def _batch_for(name: str, n: int) -> int:
    if name in ("map", "ml"):
        return 200 if n >= 8 else 4_000
    return 20_000


def _status_kib(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/self/status")


def memory_child(name: str, batch: int, samples: int) -> None:
    """In a fresh process: print the peak RSS growth (MiB) of one simulate_ber call.

    Linux only: the peak (VmHWM) is reset through /proc/self/clear_refs after a warm-up, so
    the figure is the high-water mark of the run above the resident size before it.
    """
    torch.set_num_threads(1)
    sig = _signatures(6, 4)
    simulate_ber(sig, name, [10.0], max_samples=64, batch_size=64, progress=False)  # warm-up
    Path("/proc/self/clear_refs").write_text("5")
    base = _status_kib("VmRSS")
    simulate_ber(
        sig,
        name,
        [10.0],
        target_errors=10**12,
        max_samples=samples,
        batch_size=batch,
        progress=False,
    )
    peak = _status_kib("VmHWM")
    print(json.dumps({"delta_mib": (peak - base) / 1024.0, "base_mib": base / 1024.0}))


def _load() -> str:
    la = os.getloadavg()
    return f"load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats and cases")
    ap.add_argument("--memory-child", nargs=3, metavar=("RX", "BATCH", "SAMPLES"))
    args = ap.parse_args()
    if args.memory_child:
        rx, batch, samples = args.memory_child
        memory_child(rx, int(batch), int(samples))
        return

    repeats = 3 if args.quick else 7
    print(f"# gfnoma receiver throughput, {time.strftime('%Y-%m-%d %H:%M')}")
    print(
        f"# {platform.machine()}, {os.cpu_count()} logical CPUs, python "
        f"{platform.python_version()}, torch {torch.__version__}, complex64"
    )
    print(f"# start: {_load()}")
    print(f"# median of {repeats} runs; SNR 10 dB; detection only (channel generation excluded)\n")
    print("## 1. user-symbols per second")
    head = f"{'receiver':<12}{'N':>3}{'H':>3}{'batch':>7}{'1 thread':>12}{'2 threads':>12}  target"
    print(head)
    print("-" * len(head))
    for name in RECEIVERS:
        for n, h in SIZES:
            if name in ("map", "ml") and n > 8:
                print(f"{name:<12}{n:>3}{h:>3}{'':>7}{'refused: N > max_users = 8':>30}")
                continue
            batch = _batch_for(name, n)
            rates = [batch * n / time_receiver(name, n, h, batch, repeats, t) for t in (1, 2)]
            target = TARGETS.get(name) if (n, h) == (6, 4) else None
            mark = ""
            if target is not None:
                mark = f"{target:.0e} " + ("met" if max(rates) >= target else "MISSED")
            print(f"{name:<12}{n:>3}{h:>3}{batch:>7}{rates[0]:>12.3g}{rates[1]:>12.3g}  {mark}")

    print("\n## 2. versus batch size, N=6, H=4, 1 thread (user-symbols/s)")
    for name, batches in (
        ("mf", (1_000, 10_000, 100_000)),
        ("mmse-sic", (1_000, 10_000, 100_000)),
        ("map", (100, 1_000, 10_000)),
    ):
        rates = [b * 6 / time_receiver(name, 6, 4, b, repeats, 1) for b in batches]
        cells = [f"{b:>7}: {r:.3g}" for b, r in zip(batches, rates, strict=True)]
        print(f"{name:<10}" + "   ".join(cells))

    print("\n## 3. end to end: simulate_ber at 10 dB, N=6, H=4, 1 thread")
    torch.set_num_threads(1)
    for name, samples, batch in (
        ("mf", 1_000_000, 50_000),
        ("mmse-sic", 1_000_000, 50_000),
        ("map", 40_000, 4_000),
    ):
        t0 = time.perf_counter()
        simulate_ber(
            _signatures(6, 4),
            name,
            [10.0],
            target_errors=10**12,
            max_samples=samples,
            batch_size=batch,
            progress=False,
        )
        rate = samples * 6 / (time.perf_counter() - t0)
        print(f"{name:<10}{samples:>9} channel uses, batch {batch:>6}: {rate:.3g} user-sym/s")

    print("\n## 4. peak RSS growth of one simulate_ber call (fresh process each), N=6, H=4")
    print(f"{'receiver':<10}{'batch':>8}{'samples':>10}{'delta MiB':>11}")
    cases = [
        ("mmse-sic", 1_000, 200_000),
        ("mmse-sic", 10_000, 200_000),
        ("mmse-sic", 100_000, 200_000),
        ("mmse-sic", 10_000, 2_000_000),
        ("map", 1_000, 20_000),
        ("map", 10_000, 20_000),
        ("map", 1_000, 100_000),
    ]
    if args.quick:
        cases = cases[:4]
    for name, batch, samples in cases:
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", name, str(batch), str(samples)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        d = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{name:<10}{batch:>8}{samples:>10}{d['delta_mib']:>11.1f}")
    print(f"\n# end: {_load()}")


if __name__ == "__main__":
    main()
