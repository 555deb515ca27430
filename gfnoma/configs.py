"""Training configurations of the autoencoder: :class:`TrainConfig` and the named presets.

A configuration fixes everything that determines a training run — system size and
activation profile, encoder, decoder, loss, optimiser, training SNRs, validation, budget and
seed — so that ``gfnoma.train(config)`` is reproducible and a checkpoint can be matched to
the run that wrote it. Presets (:data:`CONFIGS`):

* ``"paper"`` — Table II: N=6, H=4, p_asy, Q=2, Xavier init, SICNN mini-nets
  128-256-512-256-128 (2.0 M parameters), batch 100, learning rate 1e-3, training SNR drawn
  from {-5, 0, 5, 10, 15, 20} dB, fairness loss with lambda = [1,1,1,2,2,2].
* ``"fast"`` — the configuration that fits the 15-minute CPU budget: mini-nets 128-256-128
  (447 k parameters for N=6, H=4), batch 256, a 15-minute limit; everything else as
  ``"paper"``.
* ``"fast-lmmse"`` — ours, the recipe that trains spread signatures within the same budget:
  ``"fast"`` with LMMSE input features for every SICNN mini-net (``features="mmse"``), the
  encoder initialised uniformly on ``[-A, A]`` (Xavier's small weights quantize mostly to 0),
  and the plain MSE of eq. (10) (the fairness term of eq. 11 on raw MSEs rewards a worse
  detection of the rare users; ``docs/gfnoma_appendix.md``, decisions 6 and 14).
* ``"tiny"`` — seconds-long runs for tests and smoke checks.

Variants are made with :func:`get_config` (``get_config("fast", activation=P_HIGH)``) or
``gfnoma train --config fast --set activation=high``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gfnoma._validation import check_activation, check_int, check_real
from gfnoma.channel import FADING_MODELS
from gfnoma.models import DECODER_FEATURES, PAPER_SICNN_HIDDEN, POSTERIOR_MEAN_MAX_USERS
from gfnoma.signatures import P_ASY, P_HIGH, P_LOW, SIGNATURE_KINDS

__all__ = ["CONFIGS", "PAPER_TRAIN_SNR_DB", "TrainConfig", "get_config"]

#: Training SNRs of the paper (§IV-A), Es/N0 per user in dB.
PAPER_TRAIN_SNR_DB: tuple[float, ...] = (-5.0, 0.0, 5.0, 10.0, 15.0, 20.0)

_DECODERS = ("sicnn", "fcnn", "posterior-mean")
_INITS = ("xavier", "uniform")
_CHANNEL_INPUTS = ("effective", "raw")
_PROFILES = {"asy": P_ASY, "high": P_HIGH, "low": P_LOW}

#: Fields that only bound the run; a checkpoint may be resumed with other values.
RUN_FIELDS: frozenset[str] = frozenset({"name", "max_steps", "max_seconds", "patience"})


def _floats(value: Any, name: str) -> tuple[float, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a sequence of numbers, got {value!r}")
    out = tuple(check_real(v, name) for v in value)
    if not out:
        raise ValueError(f"{name} must not be empty")
    return out


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines one training run of the autoencoder (validated on creation).

    Attributes
    ----------
    name : str
        Label of the run (also the name of the exported signature set, ``"QNN"`` by default).
    activation : tuple of float
        Activation probabilities ``p_n`` (length ``N``).
    n_users : int or None
        ``N``; ``None`` takes ``len(activation)``. Given explicitly, it must agree.
    length : int
        Spreading length ``H``.
    q : int or None
        Alphabet ``{-q..q}`` of the QNN encoder; ``None`` for the full-precision encoder.
    amplitude : float or None
        Clipping amplitude ``A`` of eq. (23) (``None``: ``A = q``, the paper's choice).
    encoder_init : {"xavier", "uniform"}
        Initial full-precision encoder weights (paper: Xavier).
    signatures : str or None
        A conventional set (``"wbe"``, ``"qwbe"``, ``"musa"``, ``"random"``) kept fixed while
        only the decoder is trained (the "SICNN with WBE" curve of Fig. 8); ``None`` trains the
        QNN encoder.
    decoder : {"sicnn", "fcnn", "posterior-mean"}
        Decoder architecture; ``"posterior-mean"`` (ours) is the exact, parameter-free
        posterior mean of :class:`gfnoma.PosteriorMeanDecoder` — only the encoder is trained
        (``N <= 7``).
    hidden : tuple of int
        Hidden widths of each SICNN mini-net (or of the FCNN); unused by
        ``"posterior-mean"``.
    channel_input : {"effective", "raw"}
        Channel part of the decoder input: ``g_n = diag(h_n) s_n`` (ours) or ``h_n`` (eq. 28).
    fading : {"per-chip", "flat"}
        Training channel: the paper's per-chip Rayleigh fading (eq. 5), or flat Rayleigh
        fading over the spreading block (ours; the correlations of eq. 29 then enter the
        loss, ``docs/gfnoma_appendix.md`` decision 16). Validation uses the same channel.
    features : {"paper", "mmse"}
        SICNN input features: eq. (28), or eq. (28) plus per-user LMMSE statistics (ours).
    fairness : bool
        Use the fairness term of eq. (11)-(12); ``False`` gives the plain MSE of eq. (10).
    fairness_normalized : bool
        Take the fairness gap on ``MSE_n / p_n`` (ours) instead of ``MSE_n`` (eq. 11).
    beta_mse, beta_fair : float
        Weights of eq. (12) (paper: 1 and 1).
    fairness_weights : tuple of float or None
        ``lambda_n``; ``None`` takes :func:`gfnoma.fairness_weights` (``max p / p_n``).
    correlation_weight : float
        Weight of a correlation term added to the loss (ours, beyond the paper):
        ``correlation_weight * CC_weighted`` of the quantized signatures (eq. 29,
        :func:`gfnoma.correlation_penalty`), in training and in the validation loss that picks
        the best state. 0 (default) is the paper's loss; needs a trained encoder
        (``docs/gfnoma_appendix.md`` decision 17).
    batch_size : int
        Channel uses per step (fresh Monte-Carlo samples every step).
    lr, lr_encoder : float
        Adam learning rates of the decoder and the encoder (``lr_encoder=None``: ``lr``;
        with ``decoder="posterior-mean"`` only the encoder's is used).
    train_snr_db : tuple of float
        Training SNRs (Es/N0 per user), one drawn uniformly per channel use.
    max_steps : int
        Step limit.
    max_seconds : float or None
        Wall-clock limit of the training steps (summed over resumed runs).
    eval_every : int
        Steps between validations (and checkpoints).
    val_samples : int
        Channel uses per validation SNR (a fixed validation set, drawn once).
    val_snr_db : tuple of float
        Validation SNRs.
    patience : int
        Early stopping after this many validations without a lower validation loss.
    seed : int
        Seed of the initial weights, the training samples and the validation set.
    """

    name: str = "QNN"
    activation: tuple[float, ...] = P_ASY
    n_users: int | None = None
    length: int = 4
    q: int | None = 2
    amplitude: float | None = None
    encoder_init: str = "xavier"
    signatures: str | None = None
    decoder: str = "sicnn"
    hidden: tuple[int, ...] = PAPER_SICNN_HIDDEN
    channel_input: str = "effective"
    fading: str = "per-chip"
    features: str = "paper"
    fairness: bool = True
    fairness_normalized: bool = False
    beta_mse: float = 1.0
    beta_fair: float = 1.0
    fairness_weights: tuple[float, ...] | None = None
    correlation_weight: float = 0.0
    batch_size: int = 100
    lr: float = 1e-3
    lr_encoder: float | None = None
    train_snr_db: tuple[float, ...] = PAPER_TRAIN_SNR_DB
    max_steps: int = 200_000
    max_seconds: float | None = None
    eval_every: int = 500
    val_samples: int = 10_000
    val_snr_db: tuple[float, ...] = PAPER_TRAIN_SNR_DB
    patience: int = 20
    seed: int = 0
    _extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty string, got {self.name!r}")
        p = check_activation(self.activation)
        set_(self, "activation", tuple(float(v) for v in p))
        n = p.size
        if self.n_users is not None:
            nu = check_int(self.n_users, "n_users", minimum=1)
            if nu != n:
                raise ValueError(
                    f"activation has {n} entries but n_users={nu}: the activation profile "
                    "needs one probability per user"
                )
        set_(self, "n_users", n)
        set_(self, "length", check_int(self.length, "length", minimum=1))
        if self.q is not None:
            set_(self, "q", check_int(self.q, "q", minimum=1))
        if self.amplitude is not None:
            set_(
                self,
                "amplitude",
                check_real(self.amplitude, "amplitude", minimum=0.0, strict_minimum=True),
            )
        if self.encoder_init not in _INITS:
            raise ValueError(
                f"encoder_init must be one of {', '.join(_INITS)}, got {self.encoder_init!r}"
            )
        if self.signatures is not None:
            kind = str(self.signatures).strip().lower()
            kind = "musa" if kind == "musa-like" else kind
            if kind not in SIGNATURE_KINDS:
                raise ValueError(
                    f"signatures must be None or one of {', '.join(SIGNATURE_KINDS)}, "
                    f"got {self.signatures!r}"
                )
            set_(self, "signatures", kind)
        if self.decoder not in _DECODERS:
            raise ValueError(
                f"decoder must be one of {', '.join(_DECODERS)}, got {self.decoder!r}"
            )
        if isinstance(self.hidden, int | str) or not isinstance(self.hidden, Sequence):
            raise TypeError(f"hidden must be a sequence of layer widths, got {self.hidden!r}")
        hidden = tuple(check_int(v, "hidden", minimum=1) for v in self.hidden)
        if not hidden:
            raise ValueError("hidden must contain at least one layer width")
        set_(self, "hidden", hidden)
        if self.channel_input not in _CHANNEL_INPUTS:
            raise ValueError(
                f"channel_input must be one of {', '.join(_CHANNEL_INPUTS)}, "
                f"got {self.channel_input!r}"
            )
        if self.fading not in FADING_MODELS:
            raise ValueError(
                f"fading must be one of {', '.join(FADING_MODELS)}, got {self.fading!r}"
            )
        if self.features not in DECODER_FEATURES:
            raise ValueError(
                f"features must be one of {', '.join(DECODER_FEATURES)}, got {self.features!r}"
            )
        if self.decoder == "posterior-mean":
            if self.signatures is not None:
                raise ValueError(
                    "decoder='posterior-mean' has no parameters: it needs a trained encoder "
                    f"(signatures=None), got signatures={self.signatures!r}"
                )
            if self.channel_input != "effective":
                raise ValueError(
                    "decoder='posterior-mean' decides from the effective channels: "
                    f"channel_input must be 'effective', got {self.channel_input!r}"
                )
            if n > POSTERIOR_MEAN_MAX_USERS:
                raise ValueError(
                    f"decoder='posterior-mean' enumerates 5**(N-1) hypotheses per channel use: "
                    f"N={n} exceeds {POSTERIOR_MEAN_MAX_USERS}"
                )
        if self.features != "paper" and self.decoder != "sicnn":
            raise ValueError(f"features={self.features!r} is only available for the SICNN")
        if not isinstance(self.fairness, bool):
            raise TypeError(f"fairness must be True or False, got {self.fairness!r}")
        if not isinstance(self.fairness_normalized, bool):
            raise TypeError(
                f"fairness_normalized must be True or False, got {self.fairness_normalized!r}"
            )
        if self.fairness_normalized and not self.fairness:
            raise ValueError(
                "fairness_normalized=True needs fairness=True (it changes the fairness term)"
            )
        set_(self, "beta_mse", check_real(self.beta_mse, "beta_mse", minimum=0.0))
        set_(self, "beta_fair", check_real(self.beta_fair, "beta_fair", minimum=0.0))
        if self.fairness_weights is not None:
            w = _floats(self.fairness_weights, "fairness_weights")
            if len(w) != n:
                raise ValueError(
                    f"fairness_weights has {len(w)} entries but there are {n} users "
                    "(one weight lambda_n per user)"
                )
            if any(v < 0 for v in w):
                raise ValueError(f"fairness_weights must be >= 0, got {list(w)}")
            set_(self, "fairness_weights", w)
        set_(
            self,
            "correlation_weight",
            check_real(self.correlation_weight, "correlation_weight", minimum=0.0),
        )
        if self.correlation_weight > 0 and self.signatures is not None:
            raise ValueError(
                "correlation_weight > 0 shapes trained signatures: it needs signatures=None, "
                f"got signatures={self.signatures!r}"
            )
        if self.correlation_weight > 0 and self.n_users < 2:
            raise ValueError("correlation_weight > 0 needs at least two users (eq. 29)")
        set_(self, "batch_size", check_int(self.batch_size, "batch_size", minimum=1))
        set_(self, "lr", check_real(self.lr, "lr", minimum=0.0, strict_minimum=True))
        if self.lr_encoder is not None:
            set_(
                self,
                "lr_encoder",
                check_real(self.lr_encoder, "lr_encoder", minimum=0.0, strict_minimum=True),
            )
        set_(self, "train_snr_db", _floats(self.train_snr_db, "train_snr_db"))
        set_(self, "max_steps", check_int(self.max_steps, "max_steps", minimum=1))
        if self.max_seconds is not None:
            set_(
                self,
                "max_seconds",
                check_real(self.max_seconds, "max_seconds", minimum=0.0, strict_minimum=True),
            )
        set_(self, "eval_every", check_int(self.eval_every, "eval_every", minimum=1))
        set_(self, "val_samples", check_int(self.val_samples, "val_samples", minimum=1))
        set_(self, "val_snr_db", _floats(self.val_snr_db, "val_snr_db"))
        set_(self, "patience", check_int(self.patience, "patience", minimum=1))
        set_(self, "seed", check_int(self.seed, "seed", minimum=0))
        if self._extra:
            raise ValueError(f"unknown config field(s): {', '.join(sorted(self._extra))}")

    # -- derived ----------------------------------------------------------------------------
    @property
    def learned_signatures(self) -> bool:
        """True if the encoder is trained (no fixed conventional set)."""
        return self.signatures is None

    @property
    def encoder_lr(self) -> float:
        """Learning rate of the encoder."""
        return self.lr if self.lr_encoder is None else self.lr_encoder

    # -- dict / JSON ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain dict (tuples as lists): JSON-ready and loadable with ``weights_only``."""
        d = {}
        for f in dataclasses.fields(self):
            if f.name.startswith("_"):
                continue
            v = getattr(self, f.name)
            d[f.name] = list(v) if isinstance(v, tuple) else v
        return d

    def identity(self) -> dict[str, Any]:
        """The fields a checkpoint must agree on to be resumed (all but :data:`!RUN_FIELDS`)."""
        return {k: v for k, v in self.to_dict().items() if k not in RUN_FIELDS}

    @classmethod
    def from_dict(cls, d: Any) -> TrainConfig:
        """Build from a dict; unknown keys raise ``ValueError`` naming them."""
        if not isinstance(d, dict):
            raise TypeError(f"config must be a dict, got {type(d).__name__}")
        names = {f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown config field(s): {', '.join(map(str, unknown))}")
        kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in d.items()}
        return cls(**kw)

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with some fields changed (validated).

        A new ``activation`` without an explicit ``n_users`` re-derives ``N`` from it.
        """
        base = self.to_dict()
        if "activation" in changes and "n_users" not in changes:
            base["n_users"] = None
        return TrainConfig.from_dict({**base, **changes})

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write as JSON (atomically)."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TrainConfig:
        """Read a JSON file written by :meth:`save` (or by hand); errors name the file."""
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"config: no such file: {path}")
        try:
            return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON: {exc}") from None
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{path}: {exc}") from None


#: Named presets (see the module docstring).
CONFIGS: dict[str, TrainConfig] = {
    "paper": TrainConfig(name="QNN"),
    "fast": TrainConfig(
        name="QNN",
        hidden=(128, 256, 128),
        batch_size=256,
        max_steps=1_000_000,
        max_seconds=900.0,
        eval_every=1000,
        val_samples=10_000,
        patience=15,
    ),
    "tiny": TrainConfig(
        name="QNN",
        hidden=(16, 16),
        batch_size=64,
        max_steps=40,
        eval_every=10,
        val_samples=200,
        val_snr_db=(0.0, 20.0),
        patience=100,
    ),
}


CONFIGS["fast-lmmse"] = CONFIGS["fast"].replace(
    features="mmse", encoder_init="uniform", fairness=False
)


def _coerce(key: str, text: str) -> Any:
    """Parse a ``--set key=value`` value: JSON, a profile name, or a comma list."""
    if key == "activation" and text.strip().lower() in _PROFILES:
        return list(_PROFILES[text.strip().lower()])
    low = text.strip().lower()
    if low in ("none", "null"):
        return None
    if low in ("true", "false"):
        return low == "true"
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    if "," in text:
        parts = [v.strip() for v in text.split(",") if v.strip()]
        try:
            return [json.loads(v) for v in parts]
        except json.JSONDecodeError:
            return parts
    return text


def get_config(preset: str | TrainConfig | os.PathLike[str], **overrides: Any) -> TrainConfig:
    """A preset by name (``"paper"``, ``"fast"``, ``"fast-lmmse"``, ``"tiny"``), a JSON file,
    or a config,
    with fields overridden (values are validated; ``activation`` also takes ``"asy"``,
    ``"high"`` or ``"low"``)."""
    if isinstance(preset, TrainConfig):
        base = preset
    elif isinstance(preset, str) and preset in CONFIGS:
        base = CONFIGS[preset]
    elif isinstance(preset, str | os.PathLike) and str(preset).lower().endswith(".json"):
        base = TrainConfig.load(preset)
    else:
        raise ValueError(
            f"config must be one of {', '.join(CONFIGS)} or a .json file, got {preset!r}"
        )
    if "activation" in overrides and isinstance(overrides["activation"], str):
        overrides["activation"] = _coerce("activation", overrides["activation"])
    return base.replace(**overrides) if overrides else base


def parse_override(item: str) -> tuple[str, Any]:
    """``"key=value"`` -> ``(key, value)`` for :func:`get_config` (CLI ``--set``)."""
    if "=" not in item:
        raise ValueError(f"--set: expected KEY=VALUE, got {item!r}")
    key, text = item.split("=", 1)
    key = key.strip().replace("-", "_")
    if not key:
        raise ValueError(f"--set: empty key in {item!r}")
    value = _coerce(key, text)
    if key in ("hidden", "train_snr_db", "val_snr_db", "fairness_weights", "activation"):
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = [value]
    if key == "max_seconds" and isinstance(value, int | float) and math.isinf(value):
        value = None
    return key, value
