"""Finite-alphabet signatures for grant-free NOMA (Yu, Fei, Zheng, Ye, IEEE TVT 2020).

The link simulator: signature sets (:class:`Signatures`, WBE, quantised WBE, MUSA-like,
random, CC search, :func:`choose_phases`), the uplink channel as ``torch.nn.Module``
blocks, batched receivers (MF, MMSE-SIC, oracle-LS/MMSE, joint MAP/ML), metrics (BER,
activity errors, Jain's index, ``CC_weighted``, weighted Welch bound) and Monte-Carlo BER
simulation with plots.

The autoencoder: the QNN encoder (:class:`QNNEncoder`), the SICNN and FCNN decoders
(and the parameter-free :class:`PosteriorMeanDecoder`), the fairness loss, :func:`train` with
its configurations (the paper's recipe, our ``fast-lmmse`` and ``posterior-mean``), trained
decoders as receivers (:class:`NeuralReceiver`) and pretrained signatures
(:func:`pretrained_signatures`). Beyond the paper: the :class:`SoftSICNN` detector, which
starts as soft MMSE-SIC and learns a residual correction (:func:`train_detector`), and
pretrained receivers (:func:`pretrained_receiver`).
"""

from gfnoma.allocation import (
    SIC_REFERENCE,
    allocation_study,
    plot_allocation_study,
    summarize_allocation_study,
)
from gfnoma.channel import (
    AWGN,
    FADING_MODELS,
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
from gfnoma.configs import CONFIGS, PAPER_TRAIN_SNR_DB, TrainConfig, get_config
from gfnoma.detector import (
    DetectorConfig,
    DetectorReceiver,
    SoftSICNN,
    load_detector,
    save_detector,
    train_detector,
    train_detector_jointly,
    tune_sharpness,
)
from gfnoma.interference import interference_model, leakage
from gfnoma.link_sinr import (
    LINK_RECEIVERS,
    SINR_DEFINITIONS,
    SINREstimate,
    link_check,
    predicted_sinr,
    simulate_sinr,
)
from gfnoma.loss import FairnessMSELoss, correlation_penalty, fairness_weights
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
from gfnoma.models import (
    FCNN,
    PAPER_FCNN_HIDDEN,
    PAPER_SICNN_HIDDEN,
    SICNN,
    PosteriorMeanDecoder,
    QNNEncoder,
    ThresholdQuantizer,
    count_parameters,
)
from gfnoma.neural import NeuralReceiver, load_receiver, save_decoder
from gfnoma.plotting import plot_ber, plot_cross_correlation
from gfnoma.pretrained import (
    PRETRAINED,
    PRETRAINED_RECEIVERS,
    pretrained_receiver,
    pretrained_signatures,
)
from gfnoma.receivers import (
    MMSESIC,
    POSTERIOR_MEAN_MAX_USERS,
    RECEIVERS,
    Detection,
    JointDetector,
    MatchedFilter,
    OracleLS,
    OracleMMSE,
    Receiver,
    get_receiver,
    map_slice,
    posterior_mean,
)
from gfnoma.search import SearchResult, choose_phases, search_signatures
from gfnoma.signatures import (
    P_ASY,
    P_HIGH,
    P_LOW,
    SIGNATURE_KINDS,
    UNIT_NORM_TOLERANCE,
    Signatures,
    make_signatures,
    minimum_length,
    musa_like,
    quantize,
    quantized_wbe,
    random_signatures,
    wbe,
)
from gfnoma.simulate import BERResult, ber_sweep, make_mc_fun, simulate_ber
from gfnoma.theory import qpsk_mrc_rayleigh_ber
from gfnoma.train import TrainResult, TrainState, load_checkpoint, train

__all__ = [
    "AWGN",
    "CONFIGS",
    "FADING_MODELS",
    "FCNN",
    "LINK_RECEIVERS",
    "MMSESIC",
    "PAPER_FCNN_HIDDEN",
    "PAPER_SICNN_HIDDEN",
    "PAPER_TRAIN_SNR_DB",
    "POSTERIOR_MEAN_MAX_USERS",
    "PRETRAINED",
    "PRETRAINED_RECEIVERS",
    "P_ASY",
    "P_HIGH",
    "P_LOW",
    "RECEIVERS",
    "SICNN",
    "SIC_REFERENCE",
    "SIGNATURE_KINDS",
    "SINR_DEFINITIONS",
    "UNIT_NORM_TOLERANCE",
    "BERResult",
    "BernoulliActivation",
    "ChannelSample",
    "Detection",
    "DetectorConfig",
    "DetectorReceiver",
    "ErrorCounts",
    "FairnessMSELoss",
    "GrantFreeChannel",
    "JointDetector",
    "LinearSpreading",
    "MatchedFilter",
    "NeuralReceiver",
    "OracleLS",
    "OracleMMSE",
    "PosteriorMeanDecoder",
    "QNNEncoder",
    "QPSKMapper",
    "RayleighChipFading",
    "Receiver",
    "SINREstimate",
    "SearchResult",
    "Signatures",
    "SoftSICNN",
    "ThresholdQuantizer",
    "TrainConfig",
    "TrainResult",
    "TrainState",
    "WelchBound",
    "allocation_study",
    "ber_sweep",
    "cc_weighted",
    "choose_phases",
    "correlation_penalty",
    "count_errors",
    "count_parameters",
    "cross_correlation",
    "fairness_weights",
    "get_config",
    "get_receiver",
    "interference_model",
    "jain_index",
    "leakage",
    "link_check",
    "load_checkpoint",
    "load_detector",
    "load_receiver",
    "make_mc_fun",
    "make_signatures",
    "map_slice",
    "minimum_length",
    "musa_like",
    "noise_variance",
    "plot_allocation_study",
    "plot_ber",
    "plot_cross_correlation",
    "posterior_mean",
    "predicted_sinr",
    "pretrained_receiver",
    "pretrained_signatures",
    "qpsk_demap",
    "qpsk_map",
    "qpsk_mrc_rayleigh_ber",
    "quantize",
    "quantized_wbe",
    "random_signatures",
    "save_decoder",
    "save_detector",
    "search_signatures",
    "simulate_ber",
    "simulate_sinr",
    "summarize_allocation_study",
    "train",
    "train_detector",
    "train_detector_jointly",
    "tune_sharpness",
    "wbe",
    "weighted_cross_correlation",
    "weighted_welch_bound",
]
