"""Finite-alphabet signatures for grant-free NOMA (Yu, Fei, Zheng, Ye, IEEE TVT 2020).

The link simulator: signature sets (:class:`Signatures`, WBE, quantised WBE, MUSA-like,
random, CC search), the uplink channel as ``torch.nn.Module`` blocks, batched receivers (MF,
MMSE-SIC, oracle-LS/MMSE, joint MAP/ML), metrics (BER, activity errors, Jain's index,
``CC_weighted``, weighted Welch bound) and Monte-Carlo BER simulation with plots.
"""

from gfnoma.channel import (
    AWGN,
    BernoulliActivation,
    ChannelSample,
    GrantFreeChannel,
    LinearSpreading,
    QPSKMapper,
    RayleighChipFading,
    noise_variance,
    qpsk_demap,
    qpsk_map,
)
from gfnoma.interference import FADING_MODELS, interference_model, leakage
from gfnoma.metrics import (
    ErrorCounts,
    WelchBound,
    cc_weighted,
    count_errors,
    cross_correlation,
    jain_index,
    weighted_cross_correlation,
    weighted_welch_bound,
)
from gfnoma.plotting import plot_ber, plot_cross_correlation
from gfnoma.receivers import (
    MMSESIC,
    RECEIVERS,
    Detection,
    JointDetector,
    MatchedFilter,
    OracleLS,
    OracleMMSE,
    Receiver,
    get_receiver,
    map_slice,
)
from gfnoma.search import SearchResult, search_signatures
from gfnoma.signatures import (
    P_ASY,
    P_HIGH,
    P_LOW,
    SIGNATURE_KINDS,
    Signatures,
    make_signatures,
    musa_like,
    quantize,
    quantized_wbe,
    random_signatures,
    wbe,
)
from gfnoma.simulate import BERResult, ber_sweep, make_mc_fun, simulate_ber
from gfnoma.theory import qpsk_mrc_rayleigh_ber

__all__ = [
    "AWGN",
    "FADING_MODELS",
    "MMSESIC",
    "P_ASY",
    "P_HIGH",
    "P_LOW",
    "RECEIVERS",
    "SIGNATURE_KINDS",
    "BERResult",
    "BernoulliActivation",
    "ChannelSample",
    "Detection",
    "ErrorCounts",
    "GrantFreeChannel",
    "JointDetector",
    "LinearSpreading",
    "MatchedFilter",
    "OracleLS",
    "OracleMMSE",
    "QPSKMapper",
    "RayleighChipFading",
    "Receiver",
    "SearchResult",
    "Signatures",
    "WelchBound",
    "ber_sweep",
    "cc_weighted",
    "count_errors",
    "cross_correlation",
    "get_receiver",
    "interference_model",
    "jain_index",
    "leakage",
    "make_mc_fun",
    "make_signatures",
    "map_slice",
    "musa_like",
    "noise_variance",
    "plot_ber",
    "plot_cross_correlation",
    "qpsk_demap",
    "qpsk_map",
    "qpsk_mrc_rayleigh_ber",
    "quantize",
    "quantized_wbe",
    "random_signatures",
    "search_signatures",
    "simulate_ber",
    "wbe",
    "weighted_cross_correlation",
    "weighted_welch_bound",
]

# Link-level check of the coupling model (issue 6).
from gfnoma.link_sinr import (
    LINK_RECEIVERS,
    SINR_DEFINITIONS,
    SINREstimate,
    link_check,
    predicted_sinr,
    simulate_sinr,
)

__all__ += [
    "LINK_RECEIVERS",
    "SINR_DEFINITIONS",
    "SINREstimate",
    "link_check",
    "predicted_sinr",
    "simulate_sinr",
]
