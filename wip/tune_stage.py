import sys, math, torch, numpy as np
import gfnoma as gf
torch.set_num_threads(1)
snrs = [10., 15., 20.]
GRID = [0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8.0, 11.3, 16.0]
def ev(rx, seeds, pts, n=20000):
    acc = 0
    for seed in seeds:
        t = gf.simulate_ber(rx.signatures, rx, pts, target_errors=10**9, max_samples=n, batch_size=5000, seed=seed, progress=False).table
        acc = acc + t[["ber", "miss_rate", "false_alarm_rate"]].to_numpy() / len(seeds)
    return acc
mode = sys.argv[1]
for name in sys.argv[2:]:
    rx = gf.pretrained_receiver(name)
    base = rx.detector.log_sharpness.detach().clone()
    n = rx.signatures.n_users; S = base.numel(); passes = S // n
    group = (lambda i: i) if mode == "stage" else (lambda i: i // n)
    G = S if mode == "stage" else passes
    ms = [1.0] * G
    def setm(ms):
        with torch.no_grad():
            rx.detector.log_sharpness.copy_(base + torch.tensor([math.log(ms[group(i)]) for i in range(S)]))
    for rnd in range(2):
        for pi in range(G):
            scores = []
            for m in GRID:
                trial = list(ms); trial[pi] = m; setm(trial)
                b = ev(rx, [1000, 1001], snrs)[:, 0]
                scores.append((float(np.mean(np.log(b))), m))
            ms[pi] = min(scores)[1]
    setm(ms)
    acc = ev(rx, [0, 1, 2], [10., 15., 20.])
    print(f"{name:16s} {mode} mult {ms}", "  ".join(f"{b:.4f}/{m:.4f}/{f:.4f}" for b, m, f in acc), flush=True)
