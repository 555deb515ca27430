import sys, time, torch, numpy as np
import gfnoma as gf
from gfnoma.detector import DetectorConfig, train_detector, DetectorReceiver
torch.set_num_threads(1)
prof = sys.argv[1]; steps = int(sys.argv[2]); which = sys.argv[3].split(",")
acts = {"low": gf.P_LOW, "asy": gf.P_ASY, "high": gf.P_HIGH}[prof]
wbe = gf.wbe(acts)
V = {"base": {}, "fixed": {"learn_sharpness": False}, "shift": {"cancel": "shift"},
     "shiftfixed": {"cancel": "shift", "learn_sharpness": False},
     "shift2": {"cancel": "shift", "passes": 2, "hidden": (40, 40, 40)},
     "shiftfixed2": {"cancel": "shift", "learn_sharpness": False, "passes": 2, "hidden": (40, 40, 40)}}
for v in which:
    t0 = time.time()
    net, _ = train_detector(wbe, DetectorConfig(steps=steps, **V[v]))
    tt = time.time() - t0
    rx = DetectorReceiver(net, wbe, name=v)
    acc = 0
    for seed in range(3):
        t = gf.simulate_ber(wbe, rx, [10, 15, 20], target_errors=10**9, max_samples=20000, batch_size=5000, seed=seed, progress=False).table
        acc = acc + t[["ber", "miss_rate", "false_alarm_rate"]].to_numpy() / 3
    taus = [round(float(t.exp()), 2) for t in net.log_sharpness]
    print(f"{prof} {v:12s} {steps} steps {tt:.0f}s", "  ".join(f"{b:.4f}/{m:.4f}/{f:.4f}" for b, m, f in acc), taus, flush=True)
