"""Slow, obviously-correct reference implementations used only by the tests.

Everything here loops over channel uses in plain numpy (complex128), written directly from the
formulas of the spec, independently of the batched receivers in ``gfnoma.receivers``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

QPSK = np.array([1 + 1j, -1 + 1j, 1 - 1j, -1 - 1j]) / math.sqrt(2.0)
ALPHABET = np.concatenate([[0.0], QPSK])


def binomial_sigma(p: float, n: int, design_effect: float = 2.0) -> float:
    """Standard error of a BER estimate from ``n`` bits.

    The two bits of a QPSK symbol share the fading, so they are not independent; the variance
    of the per-symbol error count is at most twice the binomial one (``Var(e1 + e2) <=
    2 (Var e1 + Var e2)``), hence the default design effect of 2.
    """
    return math.sqrt(design_effect * p * (1.0 - p) / n)


def slice_map(z: complex, v: float, p: float) -> complex:
    """Symbol-wise MAP on {0} U QPSK by direct comparison of the five posteriors."""
    best, best_metric = 0.0, math.inf
    for x in ALPHABET:
        prior = (1.0 - p) if x == 0 else p / 4.0
        if prior <= 0:
            continue
        metric = abs(z - x) ** 2 / v - math.log(prior)
        if metric < best_metric:
            best, best_metric = x, metric
    return best


def nearest_qpsk(z: complex) -> complex:
    return QPSK[np.argmin(np.abs(z - QPSK))]


def mmse_sic_one(y: np.ndarray, g: np.ndarray, p: np.ndarray, nv: float) -> np.ndarray:
    """MMSE-SIC for one channel use, recomputing the covariance at every stage."""
    _, n = g.shape
    remaining = list(range(n))
    y = y.copy()
    x_hat = np.zeros(n, dtype=complex)
    while remaining:
        best = None
        for k in remaining:
            others = [m for m in remaining if m != k]
            r_minus = nv * np.eye(g.shape[0], dtype=complex)
            for m in others:
                r_minus += p[m] * np.outer(g[:, m], g[:, m].conj())
            w = np.linalg.solve(r_minus, g[:, k])
            gamma = float(np.real(g[:, k].conj() @ w))
            if best is None or gamma > best[0]:
                best = (gamma, k, w)
        gamma, k, w = best
        z = (w.conj() @ y) / gamma  # unbiased: w^H g_k = gamma
        x = slice_map(z, 1.0 / gamma, p[k])
        x_hat[k] = x
        y = y - g[:, k] * x
        remaining.remove(k)
    return x_hat


def joint_one(y: np.ndarray, g: np.ndarray, p: np.ndarray, nv: float, prior: bool) -> np.ndarray:
    """Brute-force joint MAP/ML: evaluate all 5**N hypotheses of one channel use."""
    n = g.shape[1]
    hyps = np.array(list(itertools.product(range(5), repeat=n)))  # indices into ALPHABET
    x = ALPHABET[hyps]  # (5**N, N)
    with np.errstate(divide="ignore"):
        logp = np.where(hyps == 0, np.log(1.0 - p), np.log(p / 4.0))  # -inf if impossible
    logprior = logp.sum(axis=1)
    metric = np.sum(np.abs(y[None, :] - x @ g.T) ** 2, axis=1) / nv
    if prior:
        metric = metric - logprior
    metric = np.where(np.isfinite(logprior), metric, np.inf)
    return x[int(np.argmin(metric))]


def posterior_mean_one(y: np.ndarray, g: np.ndarray, p: np.ndarray, nv: float) -> np.ndarray:
    """Brute-force posterior mean E[x | y, G] over all 5**N hypotheses of one channel use."""
    n = g.shape[1]
    hyps = np.array(list(itertools.product(range(5), repeat=n)))
    x = ALPHABET[hyps]
    with np.errstate(divide="ignore"):
        logp = np.where(hyps == 0, np.log(1.0 - p), np.log(p / 4.0)).sum(axis=1)
    log_post = logp - np.sum(np.abs(y[None, :] - x @ g.T) ** 2, axis=1) / nv
    w = np.exp(log_post - log_post.max())
    return (w @ x) / w.sum()


def mf_one(
    y: np.ndarray, g: np.ndarray, s: np.ndarray, p: np.ndarray, nv: float, average: bool
) -> np.ndarray:
    """Matched filter + MAP slicer for one channel use."""
    n = g.shape[1]
    out = np.zeros(n, dtype=complex)
    for k in range(n):
        d = np.linalg.norm(g[:, k]) ** 2
        z = g[:, k].conj() @ y / d
        interf = 0.0
        for m in range(n):
            if m == k:
                continue
            if average:
                interf += p[m] * np.sum(np.abs(g[:, k]) ** 2 * np.abs(s[:, m]) ** 2)
            else:
                interf += p[m] * abs(g[:, k].conj() @ g[:, m]) ** 2
        v = (interf + nv * d) / d**2
        out[k] = slice_map(z, v, p[k])
    return out
