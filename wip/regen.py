"""Apply the post-training sharpness tuning to the shipped detector files (what their
regenerating commands now do after the unchanged training)."""
import sys, time, torch
import gfnoma as gf
from gfnoma.detector import DetectorConfig, build_detector, save_detector, _threads, _tune_after_training
from gfnoma.signatures import Signatures
for name in sys.argv[1:]:
    path = f"gfnoma/data/{gf.PRETRAINED_RECEIVERS[name][0]}"
    payload = torch.load(path, map_location="cpu", weights_only=True)
    cfg = DetectorConfig.from_dict(payload["config"]).replace(tune_sharpness=True)
    sig = Signatures.from_dict(payload["signatures"])
    net = build_detector(sig, cfg)
    net.load_state_dict(payload["state_dict"])
    net.eval()
    t0 = time.time()
    with _threads(cfg.threads):
        _tune_after_training(net, sig, cfg)
    taus = [round(float(t.exp()), 3) for t in net.log_sharpness] if net.structure == "sic" else None
    save_detector(path, net, sig, cfg, extra=payload["extra"])
    print(name, f"{time.time()-t0:.0f}s", taus, flush=True)
