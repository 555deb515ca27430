"""SCMA detector throughput, the time of one BER point, and memory against the batch size.

Run from the repository root::

    python benchmarks/scma_link_throughput.py           # about 1 minute
    python benchmarks/scma_link_throughput.py --quick   # fewer repeats

Prints, on 4 x 6, M = 4 (CS1), 6 iterations, AWGN at Eb/N0 10 dB, float32, with the
batch a BER simulation uses (65536 blocks; a block = one codeword of every user):

1. detection throughput (blocks/s, best of the repeats; channel generation excluded) of
   Log-MPA and Max-Log-MPA with 1 and 2 threads, next to the plain per-block numpy
   reference of the tests (``tests/scma_alloc/link_reference.py``);
2. the time of one BER point at Eb/N0 = 10 dB to 2000 bit errors (``simulate_ber``);
3. the peak resident memory of ``simulate_ber`` runs of 10x more blocks each, in fresh
   processes: it follows the batch size, not the blocks simulated.

Targets: Log-MPA >= 300 000 blocks/s, Max-Log-MPA >= 600 000 (2 cores); the 10 dB point in
<= 3 s. The machine's load is printed: on a shared machine the figures drop with it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "scma_alloc"))

from link_reference import mpa_block  # noqa: E402

from scma_alloc.link import (  # noqa: E402
    MPADetector,
    ebno_to_esno,
    esno_to_noise_var,
    load_codebook,
    simulate_ber,
)

TARGETS = {"log-mpa": 300_000, "max-log-mpa": 600_000}
BATCH = 65536


def _blocks(n: int, noise_var: float, seed: int = 0):
    cb = load_codebook("CS1")
    rng = np.random.default_rng(seed)
    m = rng.integers(0, 4, size=(n, 6))
    x = cb.codewords[np.arange(6)[None, :], :, m].sum(axis=1)
    noise = rng.normal(size=(n, 4)) + 1j * rng.normal(size=(n, 4))
    return cb, x + np.sqrt(noise_var / 2) * noise


def detector_rate(method: str, threads: int, repeats: int) -> float:
    noise_var = esno_to_noise_var(ebno_to_esno(10.0, load_codebook("CS1")))
    cb, y = _blocks(BATCH, noise_var)
    y = torch.as_tensor(y, dtype=torch.complex64)
    torch.set_num_threads(threads)
    det = MPADetector(cb, iterations=6, method=method, device="cpu", threads=threads)
    det.llr(y[:4096], noise_var)
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        det.llr(y, noise_var)
        best = max(best, BATCH / (time.perf_counter() - start))
    return best


def reference_rate(method: str, n: int) -> float:
    noise_var = esno_to_noise_var(ebno_to_esno(10.0, load_codebook("CS1")))
    cb, y = _blocks(n, noise_var)
    start = time.perf_counter()
    for b in range(n):
        mpa_block(
            cb.codewords,
            cb.factor_graph,
            y[b],
            noise_var,
            iterations=6,
            max_log=method == "max-log-mpa",
        )
    return n / (time.perf_counter() - start)


def _memory_worker(max_blocks: int, batch: int) -> None:
    import resource

    torch.set_num_threads(2)
    simulate_ber("CS1", [30.0], target_errors=10**9, max_blocks=max_blocks, batch_size=batch)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_mib": peak}))


def memory(max_blocks: int, batch: int) -> float:
    code = (
        f"import sys; sys.argv=['x']; sys.path.insert(0, {str(ROOT)!r}); "
        "import benchmarks.scma_link_throughput as b; "
        f"b._memory_worker({max_blocks}, {batch})"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_mib"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    print(f"load average {os.getloadavg()}, {os.cpu_count()} CPUs, torch {torch.__version__}")
    print(f"1. detection, CS1 4 x 6, M = 4, 6 iterations, AWGN 10 dB, batch {BATCH}, float32")
    print(f"{'detector':<14}{'1 thread':>12}{'2 threads':>12}{'numpy ref':>12}{'target':>10}")
    for method in ("log-mpa", "max-log-mpa"):
        one = detector_rate(method, 1, repeats)
        two = detector_rate(method, 2, repeats)
        ref = reference_rate(method, 20 if args.quick else 50)
        mark = "met" if two >= TARGETS[method] else f"{two / TARGETS[method]:.0%} of it"
        print(f"{method:<14}{one:>12,.0f}{two:>12,.0f}{ref:>12,.1f}{TARGETS[method]:>10,} {mark}")
    torch.set_num_threads(2)
    print("2. one BER point: CS1, AWGN, Log-MPA, Eb/N0 10 dB, 2000 bit errors")
    start = time.perf_counter()
    r = simulate_ber("CS1", [10.0], target_errors=2000)
    elapsed = time.perf_counter() - start
    print(
        f"   BER {r.ber[0]:.3e}, {r.bit_errors[0]} errors in {r.blocks[0]} blocks, "
        f"{elapsed:.2f} s (target <= 3 s)"
    )
    print("3. peak resident memory of simulate_ber (fresh processes)")
    for batch in (16384, 65536):
        for blocks in (10 * batch, 100 * batch) if not args.quick else (10 * batch,):
            print(f"   batch {batch:>6}, {blocks:>9} blocks: {memory(blocks, batch):7.0f} MiB")


if __name__ == "__main__":
    main()
