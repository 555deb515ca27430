"""gfnoma -> scma_alloc: signatures as a per-user interference model.

The one door between the two packages (``docs/integration.md``). A set of
spreading signatures and its activation profile become the coupling matrix ``C`` of
scma_alloc's rate model,

    R_j = sum_k log2(1 + q[k, j] / (1 + sum_i C[j, i] q[k, i])),

with ``q`` the received SNR of a user on a resource. User ``i`` is active with
probability ``p_i`` and, when active, leaks ``kappa_ji`` of its received power through
user ``j``'s despreading; residual interference is treated as Gaussian and averaged
over activity (``C[j, i] = p_i kappa_ji``).

* ``fading="flat"`` — one fading coefficient per user over the spreading block (it is
  part of ``q``): despreading with ``s_j`` leaves ``|s_j^H s_i|**2 = |rho_ji|**2`` of
  user i's power, so ``kappa_ji = |rho_ji|**2``.
* ``fading="per-chip"`` — gfnoma's own channel, ``g_i = h_i * s_i`` with ``h_i`` i.i.d.
  CN(0, 1) per chip, matched filter ``g_j``. Averaging over the chip fading, with unit-norm
  signatures: signal ``E|g_j^H g_j|**2 = 1 + sum_k |s_jk|**4`` (= ``G_j``), interference
  ``E|g_j^H g_i|**2 = sum_k |s_jk|**2 |s_ik|**2`` and noise ``E|g_j^H w|**2 = sigma**2``.
  Per unit of signal power the leakage is ``kappa_ji = sum_k |s_jk|**2 |s_ik|**2 / G_j``.
  The fading scrambles the chip phases, so the cross-correlation no longer matters: only
  how the users' chip energies overlap. The rate model keeps its noise term at one, so
  the array gain ``G_j`` (between ``1 + 1/H`` and 2) is not credited against noise:
  the model is conservative when noise dominates and exact when interference does.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from gfnoma._validation import check_activation
from gfnoma.channel import FADING_MODELS
from gfnoma.metrics import cross_correlation
from gfnoma.signatures import Signatures

__all__ = ["FADING_MODELS", "interference_model", "leakage"]


def leakage(signatures: Signatures, fading: Literal["flat", "per-chip"] = "flat") -> np.ndarray:
    """``kappa[j, i]``: the fraction of user i's received power user j still sees.

    Parameters
    ----------
    signatures : Signatures
    fading : {"flat", "per-chip"}
        See the module notes.

    Returns
    -------
    ndarray, shape (N, N)
        Non-negative, zero diagonal.

    Examples
    --------
    >>> from gfnoma import wbe
    >>> kappa = leakage(wbe(length=4))
    >>> kappa.shape, bool(kappa.diagonal().max() == 0)
    ((6, 6), True)
    """
    if not isinstance(signatures, Signatures):
        raise TypeError(f"signatures must be a gfnoma.Signatures, got {type(signatures).__name__}")
    if fading == "flat":
        kappa = cross_correlation(signatures) ** 2  # |rho_ji|^2
    elif fading == "per-chip":
        energy = np.abs(signatures.matrix) ** 2  # (H, N), unit-norm columns
        overlap = energy.T @ energy  # sum_k |s_jk|^2 |s_ik|^2
        gain = 1.0 + (energy**2).sum(axis=0)  # E|g_j|^4 = 1 + sum_k |s_jk|^4
        kappa = overlap / gain[:, None]
    else:
        raise ValueError(f"fading must be one of {FADING_MODELS}, got {fading!r}")
    np.fill_diagonal(kappa, 0.0)
    return kappa


def interference_model(
    signatures: Signatures,
    fading: Literal["flat", "per-chip"] = "flat",
    *,
    activation: np.ndarray | None = None,
):
    """Coupling model for :mod:`scma_alloc` from a signature set and its activation.

    ``C[j, i] = p_i * kappa_ji`` (see :func:`leakage`). Pass the result as
    ``interference=`` to :func:`scma_alloc.solve_max_min` / :func:`scma_alloc.solve_max_sr`.

    Parameters
    ----------
    signatures : Signatures
        Learned, WBE, MUSA-like, quantised... with its activation profile.
    fading : {"flat", "per-chip"}
    activation : array_like, optional
        Overrides the signatures' activation profile.

    Returns
    -------
    scma_alloc.InterferenceModel
        Named ``"<signature name> (<fading>)"``.

    Examples
    --------
    >>> from gfnoma import P_ASY, wbe
    >>> model = interference_model(wbe(P_ASY, length=4))
    >>> model.coupling.shape
    (6, 6)
    """
    from scma_alloc import InterferenceModel

    kappa = leakage(signatures, fading)
    p = (
        signatures.activation
        if activation is None
        else check_activation(activation, signatures.n_users, name="activation")
    )
    return InterferenceModel(kappa * p[None, :], name=f"{signatures.name} ({fading})")
