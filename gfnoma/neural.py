"""Trained decoders as receivers: :class:`NeuralReceiver`, and decoder files.

A trained :class:`~gfnoma.SICNN` or :class:`~gfnoma.FCNN` (or the parameter-free
:class:`~gfnoma.PosteriorMeanDecoder` a QNN encoder was trained against) becomes a
:class:`~gfnoma.Receiver` with the common call form ``(y, h, s, p, noise_var, active=None)
-> Detection``, so :func:`gfnoma.simulate_ber` and :func:`gfnoma.ber_sweep` accept it like
any classic receiver.

Decision rule (ours, ``docs/gfnoma_appendix.md`` decision 8): the decoder is trained to output
``x^_n ~ E[x_n | y]``; the user is declared inactive if ``|x^_n| < threshold`` (default 1/2: for a
well-trained estimate ``|x^_n|`` approximates the posterior probability that the user is active, so
1/2 is the MAP activity decision), else active with the nearest QPSK point.

Decoder files (``decoder.pt``, written by :func:`gfnoma.train`) hold the architecture, the
weights and the signatures the decoder was trained with; :func:`load_receiver` reads them
with ``torch.load(weights_only=True)`` (no arbitrary code is unpickled).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from gfnoma._validation import check_real
from gfnoma.models import FCNN, MMSE_FEATURES_VERSION, SICNN, PosteriorMeanDecoder
from gfnoma.receivers import (
    Detection,
    Receiver,
    _quadrant,
    check_trained_signatures,
    check_trained_size,
)
from gfnoma.signatures import Signatures

__all__ = ["NeuralReceiver", "load_receiver", "save_decoder"]

_FORMAT = "gfnoma-decoder"
_VERSION = 1


_Decoders = SICNN | FCNN | PosteriorMeanDecoder
_KINDS = (
    (SICNN, "sicnn", "SICNN"),
    (FCNN, "fcnn", "FCNN"),
    (PosteriorMeanDecoder, "posterior-mean", "Posterior mean"),
)


def _kind(decoder: _Decoders) -> tuple[str, str]:
    """``(name, label)`` of a decoder (subclasses count as their base)."""
    for cls, name, label in _KINDS:
        if isinstance(decoder, cls):
            return name, label
    raise TypeError(f"not a gfnoma decoder: {type(decoder).__name__}")


class NeuralReceiver(Receiver):
    """A trained decoder (SICNN, FCNN or the posterior mean) with the activity and symbol
    decision.

    Parameters
    ----------
    decoder : SICNN, FCNN or PosteriorMeanDecoder
        The trained network (put in eval mode; its parameters are not changed).
    signatures : Signatures
        The signature set the decoder was trained with.
    threshold : float
        Activity threshold on ``|x^_n|`` (default 1/2).
    check_signatures : bool
        Refuse signatures the decoder was not trained for (default True). With the effective
        channel input only the chip magnitudes ``|s_n(k)|`` are compared — the decoder's input
        distribution depends on nothing else; with the raw channel input the whole
        normalised matrix is compared. Never checked for the parameter-free
        :class:`~gfnoma.PosteriorMeanDecoder`, which is exact for any set.

    Notes
    -----
    forward(y (B, H), h (B, H, N), s (H, N), p (N,), noise_var (B,) or scalar, active=None)
    -> Detection(symbols (B, N), active (B, N))
    """

    def __init__(
        self,
        decoder: _Decoders,
        signatures: Signatures,
        *,
        threshold: float = 0.5,
        check_signatures: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(decoder, _Decoders):
            raise TypeError(
                "decoder must be a SICNN, FCNN or PosteriorMeanDecoder, "
                f"got {type(decoder).__name__}"
            )
        if not isinstance(signatures, Signatures):
            raise TypeError(
                f"signatures must be a Signatures object, got {type(signatures).__name__}"
            )
        if (signatures.n_users, signatures.length) != (decoder.n_users, decoder.length):
            raise ValueError(
                f"signatures: N={signatures.n_users}, H={signatures.length} do not match the "
                f"decoder's N={decoder.n_users}, H={decoder.length}"
            )
        self.decoder = decoder.eval()
        for prm in self.decoder.parameters():
            prm.requires_grad_(False)
        self.signatures = signatures
        self.threshold = check_real(threshold, "threshold", minimum=0.0)
        self.check_signatures = bool(check_signatures)

    @property
    def name(self) -> str:  # type: ignore[override]
        return _kind(self.decoder)[0]

    @property
    def label(self) -> str:  # type: ignore[override]
        return _kind(self.decoder)[1]

    def check_size(self, n_users: int, length: int) -> None:
        super().check_size(n_users, length)
        check_trained_size(f"the {self.label}", self.decoder, n_users, length)

    def _check_signatures(self, s_unit: torch.Tensor) -> None:
        effective = self.decoder.channel_input == "effective"
        check_trained_signatures(
            f"the {self.label}", self.signatures, s_unit, magnitudes=effective
        )

    def forward(
        self,
        y: torch.Tensor,
        h: torch.Tensor,
        s: torch.Tensor,
        p: Any,
        noise_var: Any,
        active: torch.Tensor | None = None,
    ) -> Detection:
        h, y, s_unit, p_t, nv = self._prepare(y, h, s, p, noise_var, active)
        if self.check_signatures and not isinstance(self.decoder, PosteriorMeanDecoder):
            self._check_signatures(s_unit)
        with torch.no_grad():
            x_hat = self.decoder(y, h, s_unit, p_t.float(), nv.float()).to(h.dtype)
        act = x_hat.abs() >= self.threshold
        symbols = torch.where(act, _quadrant(x_hat), torch.zeros((), dtype=x_hat.dtype))
        return Detection(symbols, act)


def _decoder_spec(decoder: _Decoders) -> dict[str, Any]:
    return {
        "kind": _kind(decoder)[0],
        "n_users": decoder.n_users,
        "length": decoder.length,
        "hidden": list(decoder.hidden),
        "channel_input": decoder.channel_input,
        "features": decoder.features,
        "features_version": MMSE_FEATURES_VERSION if decoder.features == "mmse" else None,
    }


def check_features_version(features: str, version: Any, what: str) -> None:
    """Refuse ``features="mmse"`` files written with the earlier definition of the inputs."""
    if features == "mmse" and version != MMSE_FEATURES_VERSION:
        raise ValueError(
            f"{what} uses features='mmse' as defined before 2026-11-22 (unbiased LMMSE "
            "estimate and log-variance); this version computes other inputs, so its weights "
            "do not apply: retrain it"
        )


def build_decoder(spec: dict[str, Any]) -> _Decoders:
    """A fresh decoder from the dict written by :func:`save_decoder` (``"kind"`` etc.)."""
    kind = spec.get("kind")
    check_features_version(spec.get("features", "paper"), spec.get("features_version"), "decoder")
    args = (spec["n_users"], spec["length"], tuple(spec["hidden"]))
    if kind == "sicnn":
        return SICNN(
            *args, channel_input=spec["channel_input"], features=spec.get("features", "paper")
        )
    if kind == "fcnn":
        return FCNN(*args, channel_input=spec["channel_input"])
    if kind == "posterior-mean":
        return PosteriorMeanDecoder(spec["n_users"], spec["length"])
    raise ValueError(f"decoder kind must be 'sicnn', 'fcnn' or 'posterior-mean', got {kind!r}")


def save_decoder(
    path: str | os.PathLike[str],
    decoder: _Decoders,
    signatures: Signatures,
    *,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write a decoder file (architecture, weights, signatures) atomically."""
    path = Path(path)
    payload = {
        "format": _FORMAT,
        "version": _VERSION,
        "decoder": _decoder_spec(decoder),
        "state_dict": {k: v.detach().clone() for k, v in decoder.state_dict().items()},
        "signatures": signatures.to_dict(),
        "extra": dict(extra or {}),
    }
    atomic_save(payload, path)
    return path


def atomic_save(obj: Any, path: Path) -> None:
    """``torch.save`` to ``path`` through a temporary file: a reader never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def load_receiver(
    path: str | os.PathLike[str], *, threshold: float = 0.5, check_signatures: bool = True
) -> NeuralReceiver:
    """Read a decoder file written by :func:`gfnoma.train` as a :class:`NeuralReceiver`.

    Raises
    ------
    ValueError
        Missing, corrupt or truncated file, or not a gfnoma decoder file; the message names
        the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path: no such decoder file: {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for damaged files
        raise ValueError(
            f"{path}: not a readable decoder file (corrupt or truncated?): "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise ValueError(f"{path}: not a gfnoma decoder file")
    if payload.get("version") != _VERSION:
        raise ValueError(f"{path}: unsupported decoder file version {payload.get('version')!r}")
    try:
        decoder = build_decoder(payload["decoder"])
        decoder.load_state_dict(payload["state_dict"])
        sig = Signatures.from_dict(payload["signatures"])
    except (KeyError, RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: inconsistent decoder file: {exc}") from None
    return NeuralReceiver(decoder, sig, threshold=threshold, check_signatures=check_signatures)
