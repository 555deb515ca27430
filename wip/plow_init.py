import sys, time, torch, numpy as np
import gfnoma as gf
from gfnoma.detector import DetectorConfig, train_detector, DetectorReceiver
torch.set_num_threads(1)
prof = sys.argv[1]
acts = {"low": gf.P_LOW, "asy": gf.P_ASY, "high": gf.P_HIGH}[prof]
wbe = gf.wbe(acts)
net, _ = train_detector(wbe, DetectorConfig(steps=0))
rxs = [("mmse-sic", "mmse-sic"), ("init", DetectorReceiver(net, wbe, name="init"))]
for nm in sys.argv[2:]:
    rxs.append((nm, gf.pretrained_receiver(nm)))
p = np.mean(acts)
for label, rx in rxs:
    for seed in range(3):
        t = gf.simulate_ber(wbe, rx, [10, 15, 20], target_errors=10**9, max_samples=20000, batch_size=5000, seed=seed, progress=False).table
        if seed == 0: acc = t[["ber", "miss_rate", "false_alarm_rate"]].to_numpy() / 3
        else: acc += t[["ber", "miss_rate", "false_alarm_rate"]].to_numpy() / 3
    act_err = p * acc[:, 1] + (1 - p) * acc[:, 2]
    print(f"{label:16s}", "  ".join(f"{b:.4f}/{m:.4f}/{f:.4f} act {a:.4f}" for (b, m, f), a in zip(acc, act_err)), flush=True)
