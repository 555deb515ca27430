import sys, math, torch, numpy as np
import gfnoma as gf
torch.set_num_threads(1)
prof = sys.argv[1]; name = sys.argv[2]
acts = {"low": gf.P_LOW, "asy": gf.P_ASY, "high": gf.P_HIGH}[prof]
rx = gf.pretrained_receiver(name)
print(name, "tau per stage", [round(float(t.exp()), 3) for t in rx.detector.log_sharpness])
base = rx.detector.log_sharpness.detach().clone()
for mult in (0.3, 1.0, 3.0, 10.0, 100.0):
    with torch.no_grad():
        rx.detector.log_sharpness.copy_(base + math.log(mult))
    acc = 0
    for seed in range(3):
        t = gf.simulate_ber(rx.signatures, rx, [10, 15, 20], target_errors=10**9, max_samples=20000, batch_size=5000, seed=seed, progress=False).table
        acc = acc + t[["ber", "miss_rate", "false_alarm_rate"]].to_numpy() / 3
    print(f"tau x{mult:<6}", "  ".join(f"{b:.4f}/{m:.4f}/{f:.4f}" for b, m, f in acc), flush=True)
