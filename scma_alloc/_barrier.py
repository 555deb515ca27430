"""The min-rate power step solved by a batched log-barrier Newton method (numpy).

For fixed graphs, maximise ``t`` subject to ``R_j(x) >= t`` for every user, the budgets
``sum_n x[j, n] <= 1`` and ``x >= 0`` (paper problem (22) with F fixed, in epigraph
form), where ``R_j = sum_n [log(1 + S_incl) - log(1 + S_excl)]`` on user j's edges:
``S_excl`` is the interference the edge sees (weaker users under SIC, or the coupling
``C``), ``S_incl = S_excl + q`` adds the edge's own received SNR. The problem is a
difference of concave functions.

Method: a primal-dual log-barrier path following in ``(x, t)``. The Newton system keeps
the Hessian of every rate's concave part only and drops the convex ``-log(1 + S_excl)``
part's: the step is the exact Newton step of the SCP surrogate of the paper (Lemmas
2-3: the subtracted term replaced by its tangent), re-linearised at every step, and
the system is negative definite. The surrogate minorises the barrier function with the
same gradient, so a step that improves the surrogate improves the true barrier
function; the step length is the best of a grid (up to 8 Newton steps long) on the
*true* barrier function. Every graph follows its own barrier parameter ``tau`` up to
``tau_max`` (a barrier gap of about 2.5e-6 nats), and graphs that finish leave the
batch. There is no Python loop over users: the coupling is held as dense (E x E)
matrices per graph, ``E = J N`` edges.

Several starts per graph run as one batch (the proxy's point with a small margin below
its value, an equal split with a larger one, which lets the barrier re-centre first
and explore); the best point per graph is returned, never below its starts. Against
two-start CVXPY SCP on the min-rate proxy's 20 best graphs of 120 paper 4 x 6
instances (``benchmarks/scma_barrier_check.py``): mean ratio 1.00005, worst 0.9947,
best 1.030, more than 1e-4 below SCP on 0.42 % of graphs and above on 0.38 %; 12 ms
per batch of 20 graphs where SCP takes 191 ms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._rates import RateModel

__all__ = ["POLISH_STARTS", "max_min_barrier"]

#: Step lengths tried along a Newton direction (the best on the true function wins).
_STEPS = np.array([8.0, 4.0, 2.8, 2.0, 1.4, 1.0, 0.7, 0.5, 0.35, 0.25, 0.1, 0.03, 0.01, 1e-3, 0.0])
#: Barrier parameter growth when a Newton step is small, and the multipliers' spread.
_TAU_GROWTH, _KAPPA = 30.0, 1e3
#: The weighted rate of a user of weight 0 (it never binds): far above any rate in nats.
_FREE_RATE = 1e6
#: Starts: ("proxy", None) — the given point, margin chosen from the gap to the solo
#: bound; ("equal", 0.03) — an equal split, 3 % below its value.
POLISH_STARTS: tuple[tuple[str, float | None], ...] = (("proxy", None), ("equal", 0.03))


class _Coupling:
    """Per graph: which edges interfere with which, as dense (B, E, E) weights.

    ``excl[b, e, f]`` is how much of edge f's received SNR edge e sees as interference
    (same resource; 1 for a weaker user under SIC, ``C[user(e), user(f)]`` under a
    coupling); ``incl = excl + I`` adds the edge itself.
    """

    def __init__(
        self,
        a: np.ndarray,
        excl: np.ndarray,
        n_users: int,
        n_per_user: int,
        inv_scale: np.ndarray | None = None,
    ):
        self.a = a  # (B, E)
        self.excl = excl
        self.n_users, self.n_per_user = n_users, n_per_user
        #: ``1 / w_j`` per user (J,) for the weighted rates ``R_j / w_j`` (None: 1).
        self.inv_scale = inv_scale
        self.v_excl = excl * a[:, None, :]
        self.v_incl = self.v_excl.copy()
        e = a.shape[1]
        self.v_incl[:, np.arange(e), np.arange(e)] += a

    @classmethod
    def build(
        cls,
        a_edges: np.ndarray,
        sub: np.ndarray,
        model: RateModel,
        weights: np.ndarray | None = None,
    ) -> _Coupling:
        """The coupling of a batch of graphs; with ``weights`` (J,), :meth:`rates` and
        :meth:`derivatives` are those of ``R_j / w_j`` (weighted max-min; a user with
        weight 0 gets an infinite ratio and never binds)."""
        n_batch, n_users, n_per_user = sub.shape
        k = sub.reshape(n_batch, -1)
        same = k[:, :, None] == k[:, None, :]
        user = np.repeat(np.arange(n_users), n_per_user)
        if model.is_sic:
            rank = model.rank[user]
            weight = (rank[None, :] < rank[:, None]).astype(float)
        else:
            weight = model.coupling[user[:, None], user[None, :]]
        excl = same * weight[None]
        inv_scale = None
        if weights is not None:
            w = np.asarray(weights, dtype=float)
            with np.errstate(divide="ignore"):
                inv_scale = np.where(w > 0, 1.0 / w, np.inf)
        return cls(
            a_edges.reshape(n_batch, -1).astype(float), excl, n_users, n_per_user, inv_scale
        )

    def take(self, index: np.ndarray) -> _Coupling:
        out = object.__new__(_Coupling)
        out.n_users, out.n_per_user = self.n_users, self.n_per_user
        out.inv_scale = self.inv_scale
        for name in ("a", "excl", "v_excl", "v_incl"):
            setattr(out, name, getattr(self, name)[index])
        return out

    def rates(self, x: np.ndarray) -> np.ndarray:
        """User rates (nats) for x (B, E) -> (B, J), or (B, E, A) -> (B, J, A)."""
        if x.ndim == 2:
            q = self.a * x
            s_excl = 1.0 + np.einsum("bef,bf->be", self.excl, q)
        else:
            q = self.a[:, :, None] * x
            s_excl = 1.0 + np.matmul(self.excl, q)
        edge = np.log1p(q / s_excl)
        rates = edge.reshape(x.shape[0], self.n_users, self.n_per_user, *x.shape[2:]).sum(2)
        if self.inv_scale is None:
            return rates
        scale = self.inv_scale.reshape(-1, *([1] * (x.ndim - 2)))
        # A weight-0 user never binds: a constant far above any rate.
        free = np.isinf(scale)
        return np.where(free, _FREE_RATE, rates * np.where(free, 0.0, scale))

    def derivatives(self, x: np.ndarray, t: np.ndarray, weights: np.ndarray):
        """Slacks ``c = R - t`` (B, J), their gradients (B, J, E) and the weighted
        Hessian of the concave parts ``sum_j w_j d2 sum_n log(1 + S_incl)`` (B, E, E)."""
        b = x.shape[0]
        q = self.a * x
        s_excl = 1.0 + np.einsum("bef,bf->be", self.excl, q)
        s_incl = s_excl + q
        rates = np.log(s_incl / s_excl).reshape(b, self.n_users, -1).sum(2)
        g_edge = self.v_incl / s_incl[:, :, None] - self.v_excl / s_excl[:, :, None]
        grad_c = g_edge.reshape(b, self.n_users, self.n_per_user, -1).sum(2)
        if self.inv_scale is not None:
            # Weighted rates R_j / w_j; a weight-0 user is a constraint far from binding.
            finite = np.isfinite(self.inv_scale)
            scale = np.where(finite, self.inv_scale, 0.0)
            rates = np.where(finite, rates * scale, _FREE_RATE)
            grad_c = grad_c * scale[None, :, None]
            weights = weights * scale[None, :]
        c = rates - t[:, None]
        d = np.repeat(weights, self.n_per_user, 1) / s_incl**2
        h = -np.matmul(self.v_incl.transpose(0, 2, 1) * d[:, None, :], self.v_incl)
        return c, grad_c, h


def _solve(hess: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """Batched ``hess^-1 grad``; a singular system gets a least-squares solution."""
    try:
        return np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        out = np.zeros_like(grad)
        for i in range(len(hess)):
            out[i] = np.linalg.lstsq(hess[i], grad[i], rcond=None)[0]
        return out


def _bounded(lam: np.ndarray, g: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Multipliers kept within ``[1 / (kappa g), kappa / g]``, scaled, and kept again."""
    low, high = 1.0 / (_KAPPA * g), _KAPPA / g
    lam = np.minimum(np.maximum(lam, low), high) * scale
    return np.minimum(np.maximum(lam, low), high)


def _path_following(
    coupling: _Coupling,
    x0: np.ndarray,
    t0: np.ndarray,
    tau_max: float,
    max_iter: int,
    caps: np.ndarray | None = None,
) -> np.ndarray:
    """Primal-dual barrier path following from strictly feasible ``(x0, t0)``, batched.

    The merit function is ``tau t + sum log(R - t) + sum log(budget slack) + sum log x``;
    multipliers of every constraint follow the Newton step of ``lam g = 1`` (scaled by
    tau) within ``[1 / (kappa g), kappa / g]``, and the Hessian uses them, which lets
    the iterate move along nearly active constraints. ``caps`` (B, M, E) adds the linear
    constraints ``caps @ x <= 1`` (power caps, as shares of each cap) with their own
    barrier terms and multipliers. Returns the final ``x`` (B, E).
    """
    n_batch, n_edges = x0.shape
    n_users, n_per = coupling.n_users, coupling.n_per_user
    dim = n_edges + 1
    block = np.kron(np.eye(n_users), np.ones((n_per, n_per)))[None]
    diag = np.arange(n_edges)
    x_out = x0.copy()
    work = np.arange(n_batch)
    done = np.zeros(n_batch, dtype=bool)  # finished, kept in the batch until compaction
    x, t = x0.copy(), t0.copy()
    c0 = coupling.rates(x) - t[:, None]
    tau = np.maximum(1.0, (1.0 / c0).sum(1))  # a centred start
    lam_c = 1.0 / c0
    lam_b = 1.0 / (1.0 - x.reshape(n_batch, n_users, n_per).sum(2))
    lam_x = 1.0 / x
    if caps is not None:
        lam_g = 1.0 / (1.0 - np.einsum("bme,be->bm", caps, x))
    for _ in range(max_iter):
        nb = work.size
        rows = np.arange(nb)
        bud = 1.0 - x.reshape(nb, n_users, n_per).sum(2)
        c, grad_c, h = coupling.derivatives(x, t, lam_c)
        inv_c = 1.0 / c
        sc = lam_c * inv_c
        grad = np.empty((nb, dim))
        grad[:, :n_edges] = (
            np.einsum("bm,bme->be", inv_c, grad_c) - np.repeat(1.0 / bud, n_per, 1) + 1.0 / x
        )
        grad[:, n_edges] = tau - inv_c.sum(1)
        if caps is not None:
            gap = 1.0 - np.einsum("bme,be->bm", caps, x)
            grad[:, :n_edges] -= np.einsum("bm,bme->be", 1.0 / gap, caps)
        hess = np.empty((nb, dim, dim))
        hxx = hess[:, :n_edges, :n_edges]
        gw = grad_c * np.sqrt(sc)[:, :, None]
        np.subtract(h, np.matmul(gw.transpose(0, 2, 1), gw), out=hxx)
        hxx -= block * np.repeat(lam_b / bud, n_per, 1)[:, :, None]
        hxx[:, diag, diag] -= lam_x / x
        if caps is not None:
            hxx -= np.matmul(caps.transpose(0, 2, 1) * (lam_g / gap)[:, None, :], caps)
        hxt = np.einsum("bme,bm->be", grad_c, sc)
        hess[:, :n_edges, n_edges] = hxt
        hess[:, n_edges, :n_edges] = hxt
        hess[:, n_edges, n_edges] = -sc.sum(1)
        bad = ~(np.isfinite(hess).all((1, 2)) & np.isfinite(grad).all(1))
        if bad.any():  # a numerical breakdown freezes the graph (d = 0)
            hess[bad] = -np.eye(dim)
            grad[bad] = 0.0
        d = -_solve(hess, grad)
        d[~np.isfinite(d)] = 0.0
        decrement = np.einsum("bi,bi->b", grad, d)
        dx, dt = d[:, :n_edges], d[:, n_edges]
        # The longest step that keeps x > 0 and the budgets; then the grid on the merit.
        with np.errstate(divide="ignore", invalid="ignore"):
            lim_x = np.where(dx < 0, -x / dx, np.inf).min(1)
            dbud = dx.reshape(nb, n_users, n_per).sum(2)
            lim_b = np.where(dbud > 0, bud / dbud, np.inf).min(1)
        if caps is not None:
            dgap = np.einsum("bme,be->bm", caps, dx)
            with np.errstate(divide="ignore", invalid="ignore"):
                lim_g = np.where(dgap > 0, gap / dgap, np.inf).min(1)
            lim_b = np.minimum(lim_b, lim_g)
        longest = np.minimum(_STEPS[0], 0.99 * np.minimum(lim_x, lim_b))
        alphas = np.minimum(longest[:, None], _STEPS[None, :])
        alphas[~np.isfinite(alphas)] = 0.0
        xs = x[:, :, None] + alphas[:, None, :] * dx[:, :, None]
        ts = t[:, None] + alphas * dt[:, None]
        cs = coupling.rates(xs) - ts[:, None, :]
        bs = 1.0 - xs.reshape(nb, n_users, n_per, -1).sum(2)
        ok = (cs > 0).all(1) & (bs > 0).all(1) & (xs > 0).all(1)
        with np.errstate(divide="ignore", invalid="ignore"):
            merit = tau[:, None] * ts + np.log(cs).sum(1) + np.log(bs).sum(1) + np.log(xs).sum(1)
            if caps is not None:
                gs = 1.0 - np.matmul(caps, xs)  # (B, M, A)
                ok &= (gs > 0).all(1)
                merit = merit + np.log(gs).sum(1)
        merit = np.where(ok & ~np.isnan(merit), merit, -np.inf)
        pick = np.argmax(merit, axis=1)
        alpha = alphas[rows, pick]
        # Dual Newton directions of lam * g = 1.
        dg_c = np.einsum("bme,be->bm", grad_c, dx) - dt[:, None]
        dl_c = (1.0 - lam_c * c - lam_c * dg_c) * inv_c
        dl_b = (1.0 - lam_b * bud + lam_b * dbud) / bud
        dl_x = (1.0 - lam_x * x - lam_x * dx) / x
        if caps is not None:
            dl_g = (1.0 - lam_g * gap + lam_g * dgap) / gap
        x, t = xs[rows, :, pick], ts[rows, pick]
        cn, bn = cs[rows, :, pick], bs[rows, :, pick]
        small = (decrement < 1.0) | (alpha == 0.0) | ~np.isfinite(decrement) | bad
        finished = small & (tau >= tau_max)
        new_tau = np.where(small & ~finished, np.minimum(tau * _TAU_GROWTH, tau_max), tau)
        scale = (new_tau / tau)[:, None]
        tau = new_tau
        step = alpha[:, None]
        lam_c = _bounded(lam_c + step * dl_c, cn, scale)
        lam_b = _bounded(lam_b + step * dl_b, bn, scale)
        lam_x = _bounded(lam_x + step * dl_x, x, scale)
        if caps is not None:
            gn = 1.0 - np.einsum("bme,be->bm", caps, x)
            lam_g = _bounded(lam_g + step * dl_g, gn, scale)
        newly = finished & ~done
        if newly.any():
            x_out[work[newly]] = x[newly]
            done |= newly
            if done.all():
                return x_out
            if (~done).sum() <= 0.7 * nb:  # compact the working set
                idx = np.flatnonzero(~done)
                work, x, t, tau, done = work[idx], x[idx], t[idx], tau[idx], done[idx]
                lam_c, lam_b, lam_x = lam_c[idx], lam_b[idx], lam_x[idx]
                coupling = coupling.take(idx)
                if caps is not None:
                    caps, lam_g = caps[idx], lam_g[idx]
    x_out[work[~done]] = x[~done]
    return x_out


def max_min_barrier(
    a_edges: np.ndarray,
    sub: np.ndarray,
    model: RateModel,
    x_start: np.ndarray,
    upper: np.ndarray,
    *,
    starts: Sequence[tuple[str, float | None]] = POLISH_STARTS,
    max_iter: int = 100,
    weights: np.ndarray | None = None,
    caps: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The min-rate power step of a batch of graphs by barrier Newton (module docstring).

    Parameters
    ----------
    a_edges, sub : ndarray, shape (B, J, N)
        Gains (SNR at full budget) and resources of the edges.
    model : RateModel
        SIC or a coupling.
    x_start : ndarray, shape (B, J, N)
        A feasible point per graph (the proxy's).
    upper : ndarray, shape (B,)
        An upper bound of each graph's min-rate (the users-alone bound): the start's
        margin is ``(upper - value) / value`` within [0.003, 0.3].
    starts : sequence of (str, float or None)
        ``("proxy", margin)`` / ``("equal", margin)``; a margin of None is chosen from
        the gap to ``upper``.
    max_iter : int
        Newton steps at most (about 20-30 are typical; 100 cuts the rare slow tails
        without changing the 4 x 6 quality figures).
    weights : ndarray, shape (J,), optional
        Weighted max-min: maximise ``min_j R_j / w_j`` (users of weight 0 excluded).
    caps : PowerCaps, optional
        Power caps per resource and in total: more linear constraints of the barrier;
        the starts are scaled strictly inside them.

    Returns
    -------
    x : ndarray (B, J, N)
        Feasible budget fractions (x >= 0, sum_n x <= 1), never worse than a start.
    t : ndarray (B,)
        Their exact (weighted) min-rate (nats).
    """
    n_batch, n_users, n_per = a_edges.shape
    points = []
    for name, _ in starts:
        points.append(x_start if name == "proxy" else np.full(a_edges.shape, 1.0 / n_per))
    n_starts = len(points)
    raw = np.concatenate(points).reshape(n_starts * n_batch, -1)
    raw = np.clip(raw, 0.0, None)
    total = raw.reshape(-1, n_users, n_per).sum(2)
    raw = raw / np.repeat(np.maximum(total, 1.0), n_per, 1)
    eps = 1e-3  # strictly inside: mix in a little of an equal split
    x0 = (1.0 - 2.0 * eps) * raw + eps / n_per
    rows = None
    if caps is not None:
        subs = np.tile(sub, (n_starts, 1, 1))
        raw = caps.scale(raw.reshape(subs.shape), subs).reshape(raw.shape)
        x0 = caps.scale(x0.reshape(subs.shape), subs).reshape(x0.shape) * (1.0 - eps)
        rows = caps.rows(subs)
    coupling = _Coupling.build(
        np.tile(a_edges, (n_starts, 1, 1)), np.tile(sub, (n_starts, 1, 1)), model, weights
    )
    value0 = coupling.rates(x0).min(1)
    margin = np.empty(n_starts * n_batch)
    for i, (_, given) in enumerate(starts):
        part = slice(i * n_batch, (i + 1) * n_batch)
        if given is None:
            v = np.maximum(value0[part], 1e-12)
            margin[part] = np.clip((upper - v) / v, 0.003, 0.3)
        else:
            margin[part] = given
    t0 = value0 - margin * np.maximum(np.abs(value0), 1e-3)
    tau_max = 4e5 * (2 * n_users + n_users * n_per)
    x = _path_following(coupling, x0, t0, tau_max, max_iter, rows)
    x = np.clip(x, 0.0, None)
    total = x.reshape(-1, n_users, n_per).sum(2)
    x = x / np.repeat(np.maximum(total, 1.0), n_per, 1)
    if caps is not None:  # round-off beyond a cap
        x = caps.scale(x.reshape(subs.shape), subs).reshape(x.shape)
    value = coupling.rates(x).min(1)
    start_value = coupling.rates(raw).min(1)
    better_raw = start_value > value
    x[better_raw], value[better_raw] = raw[better_raw], start_value[better_raw]
    value = value.reshape(n_starts, n_batch)
    best = np.argmax(value, axis=0)
    cols = np.arange(n_batch)
    x = x.reshape(n_starts, n_batch, n_users, n_per)[best, cols]
    return x, value[best, cols]
