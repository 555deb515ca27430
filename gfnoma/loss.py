"""Training loss of the autoencoder: per-user MSE plus the fairness penalty (paper eq. 9-12).

``L_all = beta_MSE * sum_n MSE_n + beta_fair * sum_n lambda_n |MSE_n - mean_m MSE_m|``

with ``MSE_n = E|x^_n - x_n|^2`` (eq. 9; the target of an inactive user is 0, eq. 3). The paper
writes the fairness gap (eq. 11) to "the sum MSE" ``L_dec``; a gap to the *sum* would be dominated
by the sum itself and would not measure unfairness, so (ours, ``docs/gfnoma_appendix.md``
decision 6) the gap is taken to the *mean* per-user MSE. ``beta_fair = 0`` (or
``fairness=False``) gives the plain sum MSE of eq. (10) used for the "without fairness loss"
curves of Fig. 10.

``normalize`` (ours, an option): the gap is taken on ``MSE_n / p_n`` instead of ``MSE_n``.
A rarely active user has a *small* MSE however badly it is detected (saying "silent" always
costs it only ``p_n``), so the gap on raw MSEs calls the rare users the well-served ones and
its gradient pushes their MSE *up*; ``MSE_n / p_n`` (1 for the all-silent guess, for every
user) measures each user's detection quality on one scale (Fig. 10 of
``docs/gfnoma_reproduction.md``).

:func:`correlation_penalty` (ours, beyond the paper): ``CC_weighted`` of eq. (29) as a
differentiable term, added to eq. (12) with the weight ``TrainConfig.correlation_weight``
(``docs/gfnoma_appendix.md`` decision 17).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from gfnoma._validation import check_activation, check_real

__all__ = ["FairnessMSELoss", "correlation_penalty", "fairness_weights"]


def fairness_weights(activation: Sequence[float] | np.ndarray) -> np.ndarray:
    """Per-user fairness weights ``lambda_n = max_m p_m / p_n`` (ours).

    The paper gives ``lambda = [1, 1, 1, 2, 2, 2]`` for ``p_asy = [0.8 x3, 0.4 x3]`` (§IV-A)
    without a general rule; this rule reproduces it, gives equal weights for equal activation
    and weights rarely active users more in general.

    Examples
    --------
    >>> from gfnoma import P_ASY, fairness_weights
    >>> fairness_weights(P_ASY).tolist()
    [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]
    """
    p = check_activation(activation)
    return p.max() / p


class FairnessMSELoss(nn.Module):
    """Sum of per-user MSEs plus the weighted fairness penalty, eq. (12).

    Parameters
    ----------
    weights : array_like, shape (N,)
        Fairness weights ``lambda_n >= 0`` (e.g. :func:`fairness_weights`).
    beta_mse, beta_fair : float
        Weights of the MSE and fairness terms (paper: both 1).
    fairness : bool
        ``False`` drops the fairness term (plain sum MSE, eq. 10).
    normalize : array_like, shape (N,), optional
        Activation probabilities ``p_n``: the fairness gap is then taken on ``MSE_n / p_n``
        (ours); ``None`` (default) is eq. (11) on ``MSE_n``.

    Notes
    -----
    forward(x_hat (B, N) complex, x (B, N) complex) -> (loss () real, mse (N,) real)

    Examples
    --------
    >>> import torch
    >>> from gfnoma import FairnessMSELoss
    >>> loss_fn = FairnessMSELoss([1.0, 2.0])
    >>> x = torch.tensor([[1 + 0j, 0j]])
    >>> loss, mse = loss_fn(torch.zeros(1, 2, dtype=torch.complex64), x)
    >>> mse.tolist(), round(loss.item(), 6)  # 1 + 0, gaps |1 - 0.5| and |0 - 0.5|
    ([1.0, 0.0], 2.5)
    """

    def __init__(
        self,
        weights: Any,
        *,
        beta_mse: float = 1.0,
        beta_fair: float = 1.0,
        fairness: bool = True,
        normalize: Any = None,
    ) -> None:
        super().__init__()
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim != 1 or w.size == 0 or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(
                f"weights must be a non-empty 1-D sequence of finite values >= 0, got {weights!r}"
            )
        self.register_buffer("weights", torch.tensor(w, dtype=torch.float32))
        self.beta_mse = check_real(beta_mse, "beta_mse", minimum=0.0)
        self.beta_fair = check_real(beta_fair, "beta_fair", minimum=0.0)
        self.fairness = bool(fairness)
        if normalize is None:
            scale = np.ones_like(w)
        else:
            scale = np.asarray(check_activation(normalize), dtype=np.float64)
            if scale.shape != w.shape:
                raise ValueError(
                    f"normalize has {scale.size} entries but weights has {w.size} (one "
                    "activation probability per user)"
                )
        self.normalized = normalize is not None
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32))

    def forward(self, x_hat: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        n = self.weights.numel()
        if x_hat.shape != x.shape or x.ndim != 2 or x.shape[1] != n:
            raise ValueError(
                f"x_hat and x must both have shape (B, {n}), got {tuple(x_hat.shape)} and "
                f"{tuple(x.shape)}"
            )
        err = x_hat - x.to(x_hat.dtype)
        mse = (err.real.square() + err.imag.square()).mean(dim=0)  # eq. (9), (N,)
        return self.from_mse(mse), mse.detach()

    def from_mse(self, mse: torch.Tensor) -> torch.Tensor:
        """The loss of eq. (12) from the per-user MSEs of eq. (9), shape (N,)."""
        loss = self.beta_mse * mse.sum()  # eq. (10)
        if self.fairness and self.beta_fair > 0:
            e = mse / self.scale  # MSE_n, or MSE_n / p_n with normalize
            gap = (e - e.mean()).abs()  # eq. (11), gap to the mean (ours)
            loss = loss + self.beta_fair * (self.weights * gap).sum()
        return loss

    def extra_repr(self) -> str:
        return (
            f"weights={self.weights.tolist()}, beta_mse={self.beta_mse:g}, "
            f"beta_fair={self.beta_fair:g}, fairness={self.fairness}, "
            f"normalized={self.normalized}"
        )


def correlation_penalty(signatures: torch.Tensor, activation: Any) -> torch.Tensor:
    """``CC_weighted`` of eq. (29) as a differentiable scalar (ours, a training term).

    ``1/(N(N-1)) * sum_{i != j} p_i p_j |s_i^H s_j|^2 / (|s_i|^2 |s_j|^2)`` — the same value
    as :func:`gfnoma.cc_weighted`, with gradients to the signatures (through the QNN
    encoder's straight-through estimator to its full-precision weights).

    Parameters
    ----------
    signatures : torch.Tensor, shape (H, N)
        Signature set, one column per user (complex, or real: taken as complex with the same
        precision); columns need not be normalised but must be finite, not zero, and of a
        scale whose squares neither overflow nor underflow in that precision.
    activation : array_like or torch.Tensor, shape (N,)
        Activation probabilities ``p_n`` (real, in ``(0, 1]``).

    Returns
    -------
    torch.Tensor
        Real scalar, in the signatures' real dtype (float32 for complex64, float64 for
        complex128 or float64 input).

    Raises
    ------
    TypeError
        ``signatures`` is not a 2-D torch tensor, or ``activation`` is complex.
    ValueError
        Fewer than two users, non-finite entries, a column of zero (or underflowing) energy,
        an overflowing result, or an invalid activation profile (wrong length, values
        outside ``(0, 1]``).

    Examples
    --------
    >>> from gfnoma import cc_weighted, correlation_penalty, wbe
    >>> s = wbe()
    >>> round(float(correlation_penalty(s.tensor(), s.activation)), 6), round(cc_weighted(s), 6)
    (0.036667, 0.036667)
    """
    if not isinstance(signatures, torch.Tensor):
        raise TypeError(
            f"signatures must be a 2-D (H, N) torch.Tensor, got {type(signatures).__name__}"
        )
    if signatures.ndim != 2:
        raise TypeError(
            f"signatures must be a 2-D (H, N) torch.Tensor, got shape {tuple(signatures.shape)}"
        )
    n = signatures.shape[1]
    if n < 2:
        raise ValueError(f"signatures: CC_weighted needs at least two users, got N={n}")
    if signatures.is_complex():
        s = signatures
    else:
        double = signatures.dtype == torch.float64
        s = signatures.to(torch.complex128 if double else torch.complex64)
    if not bool(torch.isfinite(torch.view_as_real(s.detach())).all()):
        raise ValueError("signatures contains NaN or infinite entries")
    real = s.real.dtype
    if isinstance(activation, torch.Tensor):
        if activation.is_complex():
            raise TypeError("activation must be real, got a complex tensor")
        p_np = check_activation(activation.detach().cpu().double().numpy(), n_users=n)
    else:
        p_np = check_activation(activation, n_users=n)
    p = torch.tensor(np.array(p_np), dtype=real, device=s.device)
    # The order of operations is the one the shipped n6h4-asy-cc was trained with: keep it,
    # so that its regeneration command stays bit-exact.
    energy = (s.real.square() + s.imag.square()).sum(dim=0)  # |s_n|^2, (N,)
    if bool((energy == 0).any()):
        raise ValueError("signatures has a column of zero (or underflowing) energy")
    gram = s.conj().transpose(0, 1) @ s  # s_i^H s_j, (N, N)
    rho2 = (gram.real.square() + gram.imag.square()) / (energy[:, None] * energy[None, :])
    weighted = (p[:, None] * p[None, :]) * rho2
    value = (weighted.sum() - weighted.diagonal().sum()) / (n * (n - 1))
    if not bool(torch.isfinite(value.detach())):
        raise ValueError(
            "signatures: CC_weighted overflows; scale the signatures (e.g. to unit-norm columns)"
        )
    return value
