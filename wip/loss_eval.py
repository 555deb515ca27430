import sys, torch, numpy as np
import gfnoma as gf
from gfnoma.detector import DetectorConfig, train_detector, detector_loss, decide
from gfnoma.channel import GrantFreeChannel
torch.set_num_threads(1)
prof = sys.argv[1]
acts = {"low": gf.P_LOW, "asy": gf.P_ASY, "high": gf.P_HIGH}[prof]
wbe = gf.wbe(acts)
init, _ = train_detector(wbe, DetectorConfig(steps=0))
nets = [("init", init)] + [(n, gf.pretrained_receiver(n).detector) for n in sys.argv[2:]]
ch = GrantFreeChannel(wbe.activation, wbe.length, seed=123)
s = wbe.tensor(torch.complex64); p = wbe.activation_tensor(torch.float32)
for snr_db in (10., 15., 20., 25.):
    bits, active, symbols = ch.sample_source(20000)
    z = s.unsqueeze(0) * symbols.unsqueeze(1)
    y, h, nv = ch.propagate(z, torch.full((20000,), snr_db))
    out = []
    for nm, net in nets:
        with torch.no_grad():
            lg = net(y, h, s, p, nv, None)
            L = detector_loss(lg, bits, active, symbols, "bce")
            Lact = torch.nn.functional.binary_cross_entropy_with_logits(lg[..., 2], active.float())
        out.append(f"{nm}: loss {float(L):.4f} actbce {float(Lact):.4f}")
    print(snr_db, " | ".join(out))
