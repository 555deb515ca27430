"""Plain references for the SCMA detector: brute-force MAP and a per-block numpy MPA.

Both are written for clarity, one block at a time, in float64 and the log domain, with no
code shared with :mod:`scma_alloc.link` (only the conventions: LLR = log P(1)/P(0), bit t
of codeword m is ``(m >> t) & 1``). The throughput benchmark imports the MPA from here.
"""

from __future__ import annotations

import itertools

import numpy as np


def _lse(values: np.ndarray) -> float:
    top = float(np.max(values))
    return top + float(np.log(np.sum(np.exp(values - top))))


def _llr(log_post: np.ndarray, max_log: bool) -> np.ndarray:
    """(J, M) codeword log-posteriors -> (J, bits) LLRs log P(1)/P(0)."""
    order = log_post.shape[1]
    bits = order.bit_length() - 1
    m = np.arange(order)
    out = np.empty((log_post.shape[0], bits))
    for j in range(log_post.shape[0]):
        for t in range(bits):
            one = log_post[j, ((m >> t) & 1) == 1]
            zero = log_post[j, ((m >> t) & 1) == 0]
            if max_log:
                out[j, t] = one.max() - zero.max()
            else:
                out[j, t] = _lse(one) - _lse(zero)
    return out


def map_block(codewords, y, noise_var, channel=None):
    """Exact codeword log-posteriors (J, M) and LLRs (J, bits) of one block, over M**J
    joint hypotheses. ``codewords`` (J, K, M), ``y`` (K,), ``channel`` (K, J) or None."""
    n_users, n_resources, order = codewords.shape
    h = np.ones((n_resources, n_users)) if channel is None else channel
    hyps = np.array(list(itertools.product(range(order), repeat=n_users)))  # (M**J, J)
    # Superposed signal of every hypothesis: sum_j h[:, j] * codewords[j, :, m_j].
    signal = sum(h[:, j][None, :] * codewords[j][:, hyps[:, j]].T for j in range(n_users))
    metric = -np.sum(np.abs(y[None, :] - signal) ** 2, axis=1) / noise_var
    log_post = np.empty((n_users, order))
    for j in range(n_users):
        for m in range(order):
            log_post[j, m] = _lse(metric[hyps[:, j] == m])
    log_post -= np.array([_lse(row) for row in log_post])[:, None]
    return log_post, _llr(log_post, max_log=False)


def mpa_block(codewords, graph, y, noise_var, channel=None, iterations=6, max_log=False):
    """Per-block MPA in the log domain (flooding schedule, uniform priors).

    Returns the codeword log-posteriors (J, M) (normalised) and the LLRs (J, bits).
    """
    n_users, n_resources, order = codewords.shape
    h = np.ones((n_resources, n_users)) if channel is None else channel
    combine = (lambda v: float(np.max(v))) if max_log else _lse
    users_of = [list(np.flatnonzero(graph[k])) for k in range(n_resources)]
    resources_of = [list(np.flatnonzero(graph[:, j])) for j in range(n_users)]
    v2f = {(k, j): np.zeros(order) for k in range(n_resources) for j in users_of[k]}
    f2v = {(k, j): np.zeros(order) for k in range(n_resources) for j in users_of[k]}
    for iteration in range(iterations):
        for k in range(n_resources):
            users = users_of[k]
            hyps = list(itertools.product(range(order), repeat=len(users)))
            metric = np.empty(len(hyps))
            for n, hyp in enumerate(hyps):
                s = sum(h[k, u] * codewords[u, k, m] for u, m in zip(users, hyp, strict=True))
                metric[n] = -(abs(y[k] - s) ** 2) / noise_var
            for i, u in enumerate(users):
                message = np.empty(order)
                for m in range(order):
                    terms = [
                        metric[n] + sum(v2f[(k, w)][hyp[c]] for c, w in enumerate(users) if c != i)
                        for n, hyp in enumerate(hyps)
                        if hyp[i] == m
                    ]
                    message[m] = combine(np.array(terms))
                f2v[(k, u)] = message
        if iteration + 1 < iterations:
            for j in range(n_users):
                for k in resources_of[j]:
                    total = sum((f2v[(r, j)] for r in resources_of[j] if r != k), np.zeros(order))
                    v2f[(k, j)] = total - total.max()
    log_post = np.zeros((n_users, order))
    for j in range(n_users):
        for k in resources_of[j]:
            log_post[j] += f2v[(k, j)]
        log_post[j] -= combine(log_post[j])
    return log_post, _llr(log_post, max_log=max_log)
