import sys, math, torch, numpy as np
import gfnoma as gf
torch.set_num_threads(1)
snrs = [float(x) for x in sys.argv[1].split(",")]
GRID = [0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8.0]
def ev(rx, seeds, pts, n=20000):
    acc = 0
    for seed in seeds:
        t = gf.simulate_ber(rx.signatures, rx, pts, target_errors=10**9, max_samples=n, batch_size=5000, seed=seed, progress=False).table
        acc = acc + t[["ber", "miss_rate", "false_alarm_rate"]].to_numpy() / len(seeds)
    return acc
for name in sys.argv[2:]:
    rx = gf.pretrained_receiver(name)
    base = rx.detector.log_sharpness.detach().clone()
    n = rx.signatures.n_users; passes = base.numel() // n
    best = None
    def setm(ms):
        with torch.no_grad():
            rx.detector.log_sharpness.copy_(base + torch.tensor([math.log(ms[i // n]) for i in range(base.numel())]))
    ms = [1.0] * passes
    for rnd in range(2 if passes > 1 else 1):
        for pi in range(passes):
            scores = []
            for m in GRID:
                trial = list(ms); trial[pi] = m; setm(trial)
                b = ev(rx, [1000], snrs)[:, 0]
                scores.append((float(np.mean(np.log(b))), m))
            ms[pi] = min(scores)[1]
    setm(ms)
    acc = ev(rx, [0, 1, 2], [10., 15., 20.])
    print(f"{name:16s} mult {ms}", "  ".join(f"{b:.4f}/{m:.4f}/{f:.4f}" for b, m, f in acc), flush=True)
