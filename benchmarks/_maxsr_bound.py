"""Benchmark helper (not part of the package): a certified upper bound on Max-SR.

Certified upper bound on the uplink SCMA Max-Sum-Rate optimum.

Problem (powers as budget fractions, gains ``a[k, j]`` = SNR of user j on resource k
at its full budget)::

    OPT = max_{F, x}  R(F, x) = sum_k log(1 + sum_j a[k, j] x[k, j])          (nats)
          F in {0,1}^{K x J},  sum_k F[k, j] = N,  sum_j F[k, j] <= d_f,
          x >= 0,  x[k, j] = 0 where F[k, j] = 0,  sum_k x[k, j] <= 1.

Relaxation "C" (TDMA-perspective relaxation with a fractional graph)
--------------------------------------------------------------------
Variables ``F, z, y >= 0`` (K x J)::

    C = max  sum_{k,j} z[k,j] * log(1 + a[k,j] * y[k,j] / z[k,j])         (0 if z = 0)
        s.t. z <= F,  y <= F,  F <= 1,
             sum_k y[k, j] <= 1          (budgets)
             sum_j z[k, j] <= 1          (time on each resource)
             sum_k F[k, j] == N,  sum_j F[k, j] <= d_f.

*C >= OPT.* Take any feasible (F, x), let ``s_k = sum_j a[k,j] x[k,j]`` and set
``y = x``, ``z[k,j] = a[k,j] x[k,j] / s_k`` (0 when s_k = 0). Then z <= 1 and z, y are 0
off F, so z <= F and y <= F; ``sum_j z[k,j] <= 1``; budgets and degrees are those of
(F, x). On resource k every z>0 term has ``a y / z = s_k``, so the objective is
``sum_j z[k,j] log(1 + s_k) = log(1 + s_k)``: the relaxed objective equals R(F, x)
(TDMA with optimal time shares and power boosting reaches the SIC sum capacity).
C is convex (perspective of a concave function over a polytope).

*Certificate (what this module returns).* Weak Lagrangian duality for C: for ANY
``lam > 0`` (J), ``beta >= 0`` (K x J), ``sigma >= 0`` (K), ``u >= 0`` (K), ``v`` free (J)::

    G = sum_j lam_j + sum_k sigma_k + N sum_j v_j + d_f sum_k u_k + sum_{k,j} w[k,j]
    c[k,j]     = h(a[k,j], lam_j + beta[k,j]),   h(a, m) = sup_{t>=0} log(1+a t) - m t
                                                         = log(a/m) - 1 + m/a  if a > m else 0
    alpha[k,j] = max(0, c[k,j] - sigma_k)
    w[k,j]     = max(0, alpha[k,j] + beta[k,j] - u_k - v_j)

satisfies G >= C >= OPT. Proof: with multipliers lam (budgets), sigma (time), alpha
(z <= F), beta (y <= F), the Lagrangian of C is ``sum lam + sum sigma + sum_{kj}
z [log(1 + a t) - (lam_j + beta_kj) t - (sigma_k + alpha_kj)] (t = y/z) + sum_{kj}
(alpha_kj + beta_kj) F_kj``. Each bracket is <= h - sigma - alpha <= 0 by the choice of
alpha. For F in the relaxed graph polytope, ``sum (alpha+beta) F <= sum (u_k + v_j +
w_kj) F_kj <= d_f sum u + N sum v + sum w`` (u, w >= 0, F <= 1, column sums = N, row
sums <= d_f). Hence every feasible point of C has objective <= G. G is evaluated in
closed form, so the bound does not depend on any solver's accuracy: solvers are only
used to *find* good multipliers (cvxpy/Clarabel on C, then an exact HiGHS LP for
sigma, u, v given lam, beta; or a pure numpy/scipy smoothed L-BFGS fallback).
Floating-point error of G is ~1e-13 relative.

Special cases: the classical Lagrangian bound of the budgets (max over F of "each
resource keeps its best ratio a/lam") is G with beta = 0 and without the z <= F
coupling; the fractional-graph convex relaxation ``x <= F`` is C with the
perspective replaced by ``log(1 + sum_j a x)``. C is at least as tight as both.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as _sp
from scipy.optimize import linprog, minimize

__all__ = ["DualPoint", "certificate_value", "max_sr_upper_bound"]


class DualPoint:
    """Multipliers of relaxation C (any values with lam > 0, beta, sigma, u >= 0)."""

    def __init__(self, lam, beta, sigma, u, v):
        self.lam, self.beta, self.sigma, self.u, self.v = lam, beta, sigma, u, v


def _h(a: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``h(a, m) = sup_{t>=0} log(1 + a t) - m t`` and ``dh/dm`` (a >= 0, m > 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = a / m
        pos = r > 1.0
        rr = np.where(pos, r, 1.0)
        val = np.where(pos, np.log(rr) - 1.0 + 1.0 / rr, 0.0)
        grad = np.where(pos, -1.0 / m + 1.0 / np.where(pos, a, 1.0), 0.0)
    return val, grad


def certificate_value(a, lam, beta, sigma, u, v, n_per_user, users_per_resource) -> float:
    """Closed-form dual value G (nats); a valid upper bound for any admissible input.

    Inputs are clipped into the admissible set (lam >= 1e-300, beta, sigma, u >= 0),
    so the returned value is always a valid bound.
    """
    a = np.asarray(a, dtype=float)
    lam = np.maximum(np.asarray(lam, dtype=float), 1e-300)
    beta = np.maximum(np.asarray(beta, dtype=float), 0.0)
    sigma = np.maximum(np.asarray(sigma, dtype=float), 0.0)
    u = np.maximum(np.asarray(u, dtype=float), 0.0)
    v = np.asarray(v, dtype=float)
    c, _ = _h(a, lam[None, :] + beta)
    alpha = np.maximum(0.0, c - sigma[:, None])
    w = np.maximum(0.0, alpha + beta - u[:, None] - v[None, :])
    total = lam.sum() + sigma.sum() + n_per_user * v.sum() + users_per_resource * u.sum() + w.sum()
    return float(total)


def _complete_by_lp(a, lam, beta, n, d):
    """Best (sigma, u, v) for given (lam, beta): an LP solved by HiGHS.

    min sum sigma + d sum u + n sum v + sum w
    s.t. alpha + sigma_k >= c,  w - alpha + u_k + v_j >= beta,  alpha, w, sigma, u >= 0.
    The returned values are re-evaluated by :func:`certificate_value`, so LP
    tolerances cannot make the bound invalid.
    """
    k_res, j_usr = a.shape
    c, _ = _h(a, lam[None, :] + beta)
    nb = k_res * j_usr
    kk, jj = np.divmod(np.arange(nb), j_usr)
    rows = np.arange(nb)
    eye = _sp.identity(nb, format="csr")
    on_k = _sp.csr_matrix((np.ones(nb), (rows, kk)), shape=(nb, k_res))
    on_j = _sp.csr_matrix((np.ones(nb), (rows, jj)), shape=(nb, j_usr))
    zk = _sp.csr_matrix((nb, k_res))
    zj = _sp.csr_matrix((nb, j_usr))
    zz = _sp.csr_matrix((nb, nb))
    a1 = _sp.hstack([eye, zz, on_k, zk, zj])
    a2 = _sp.hstack([-eye, eye, zk, on_k, on_j])
    a_ub = -_sp.vstack([a1, a2]).tocsr()
    b_ub = -np.concatenate([c.ravel(), beta.ravel()])
    cost = np.concatenate(
        [np.zeros(nb), np.ones(nb), np.ones(k_res), d * np.ones(k_res), n * np.ones(j_usr)]
    )
    bounds = [(0, None)] * (2 * nb + 2 * k_res) + [(None, None)] * j_usr
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if res.x is None:
        return None
    x = res.x
    sigma = x[2 * nb : 2 * nb + k_res]
    u = x[2 * nb + k_res : 2 * nb + 2 * k_res]
    v = x[2 * nb + 2 * k_res :]
    return sigma, u, v


def _multipliers_cvxpy(a, n, d, solvers=("CLARABEL", "ECOS", "SCS")):
    """Solve C with cvxpy; return (lam, beta, sigma, u, v) from its duals and the
    relaxed graph F of its solution, or None."""
    try:
        import cvxpy as cp
    except ImportError:  # pragma: no cover
        return None
    k_res, j_usr = a.shape
    z = cp.Variable((k_res, j_usr), nonneg=True)
    y = cp.Variable((k_res, j_usr), nonneg=True)
    f = cp.Variable((k_res, j_usr), nonneg=True)
    # z*log(1 + a*y/z) written with O(1) coefficients:
    #   a >= 1: z*log(a) - rel_entr(z, z/a + y);  a < 1: -rel_entr(z, z + a*y)
    big = a >= 1.0
    la = np.where(big, np.log(np.where(big, a, 1.0)), 0.0).ravel()
    inv = np.where(big, 1.0 / np.where(big, a, 1.0), 1.0).ravel()
    mult = np.where(big, 1.0, a).ravel()
    zf, yf = cp.vec(z, order="C"), cp.vec(y, order="C")
    obj = la @ zf - cp.sum(cp.rel_entr(zf, cp.multiply(inv, zf) + cp.multiply(mult, yf)))
    c_budget = cp.sum(y, axis=0) <= 1
    c_time = cp.sum(z, axis=1) <= 1
    c_yf = y <= f
    c_col = cp.sum(f, axis=0) == n
    c_row = cp.sum(f, axis=1) <= d
    cons = [z <= f, c_yf, f <= 1, c_budget, c_time, c_col, c_row]
    prob = cp.Problem(cp.Maximize(obj), cons)
    for solver in solvers:
        try:
            prob.solve(solver=solver)
        except Exception:
            continue
        if c_budget.dual_value is None or c_yf.dual_value is None:
            continue
        lam = np.asarray(c_budget.dual_value, dtype=float).ravel()
        beta = np.asarray(c_yf.dual_value, dtype=float)
        sigma = np.asarray(c_time.dual_value, dtype=float).ravel()
        u = np.asarray(c_row.dual_value, dtype=float).ravel()
        v = np.asarray(c_col.dual_value, dtype=float).ravel()
        if np.all(np.isfinite(lam)) and np.all(np.isfinite(beta)):
            return (lam, beta, sigma, u, v), np.asarray(f.value, dtype=float)
    return None


def _multipliers_lbfgs(
    a, n, d, x0=None, taus=(1.0, 0.3, 0.1, 0.03, 0.01, 3e-3, 1e-3, 3e-4, 1e-4), maxiter=3000
):
    """Pure numpy/scipy: minimise G with max(0, t) smoothed by softplus (annealed)."""
    k_res, j_usr = a.shape
    nb = k_res * j_usr

    def unpack(x):
        lam = x[:j_usr]
        beta = x[j_usr : j_usr + nb].reshape(k_res, j_usr)
        sigma = x[j_usr + nb : j_usr + nb + k_res]
        u = x[j_usr + nb + k_res : j_usr + nb + 2 * k_res]
        v = x[j_usr + nb + 2 * k_res :]
        return lam, beta, sigma, u, v

    def softplus(t, tau):
        s = t / tau
        return tau * np.logaddexp(0.0, s), 0.5 * (1.0 + np.tanh(0.5 * s))

    def fun(x, tau):
        lam, beta, sigma, u, v = unpack(x)
        c, dc = _h(a, lam[None, :] + beta)
        al, dal = softplus(c - sigma[:, None], tau)
        w, dw = softplus(al + beta - u[:, None] - v[None, :], tau)
        val = lam.sum() + sigma.sum() + n * v.sum() + d * u.sum() + w.sum()
        g_c = dw * dal
        g_m = g_c * dc
        grad = np.concatenate(
            [1.0 + g_m.sum(0), (g_m + dw).ravel(), 1.0 - g_c.sum(1), d - dw.sum(1), n - dw.sum(0)]
        )
        return val, grad

    if x0 is None:
        lam0 = np.ones(j_usr)
        c0, _ = _h(a, lam0[None, :])
        x0 = np.concatenate([lam0, np.zeros(nb), c0.max(1), np.zeros(k_res), np.zeros(j_usr)])
    bounds = [(1e-9, None)] * j_usr + [(0, None)] * (nb + 2 * k_res) + [(None, None)] * j_usr
    x, best, best_x = x0, np.inf, x0
    for tau in taus:
        res = minimize(
            fun,
            x,
            args=(tau,),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options=dict(maxiter=maxiter, maxcor=30, ftol=1e-13, gtol=1e-9),
        )
        x = res.x
        value = certificate_value(a, *unpack(x), n, d)
        if value < best:
            best, best_x = value, x.copy()
    return unpack(best_x)


def max_sr_upper_bound(
    snr_at_budget,
    n_per_user: int = 2,
    users_per_resource: int = 3,
    *,
    method: str = "auto",
    return_dual: bool = False,
):
    """Certified upper bound (nats) on the joint factor-graph + power Max-SR optimum.

    Parameters
    ----------
    snr_at_budget : array_like (K, J)
        ``a[k, j] >= 0``: SNR of user j on resource k at its full budget.
    n_per_user, users_per_resource : int
        N (resources per user, exact) and d_f (users per resource, at most).
    method : {"auto", "cvxpy", "lbfgs"}
        How the multipliers are *searched* (the bound is always the closed-form
        dual value G of relaxation C, see the module docstring, hence valid whatever
        the search returns). "cvxpy": Clarabel (then ECOS, SCS) on C, then an exact
        LP for (sigma, u, v). "lbfgs": numpy/scipy only, slower (tens of seconds at
        16 x 24) and ~1e-4 relative looser. "auto": cvxpy, falling back to lbfgs.
    return_dual : bool
        Also return the :class:`DualPoint` that certifies the value and the relaxed
        graph F of C's solution (None unless the cvxpy search ran).

    Returns
    -------
    float (nats), or (float, DualPoint, ndarray or None). Divide by ln 2 for bits.
    """
    a = np.asarray(snr_at_budget, dtype=float)
    if a.ndim != 2 or not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError("snr_at_budget must be a finite non-negative (K, J) array")
    n, d = int(n_per_user), int(users_per_resource)
    k_res, j_usr = a.shape
    if n < 1 or d < 1 or n > k_res or j_usr * n > k_res * d:
        raise ValueError("no feasible factor graph for these N, d_f")
    if method not in ("auto", "cvxpy", "lbfgs"):
        raise ValueError(f"unknown method {method!r}")

    candidates = []
    found = relaxed = None
    if method in ("auto", "cvxpy"):
        solved = _multipliers_cvxpy(a, n, d)
        if solved is not None:
            found, relaxed = solved
    if found is None and method in ("auto", "lbfgs"):
        found = _multipliers_lbfgs(a, n, d)
    if found is None:  # cvxpy requested but failed everywhere: trivial multipliers
        found = (
            np.ones(j_usr),
            np.zeros_like(a),
            np.zeros(k_res),
            np.zeros(k_res),
            np.zeros(j_usr),
        )
    lam, beta, sigma, u, v = found
    lam = np.maximum(lam, 1e-12)
    beta = np.maximum(beta, 0.0)
    candidates.append(
        (certificate_value(a, lam, beta, sigma, u, v, n, d), DualPoint(lam, beta, sigma, u, v))
    )
    completed = _complete_by_lp(a, lam, beta, n, d)
    if completed is not None:
        s2, u2, v2 = completed
        candidates.append(
            (
                certificate_value(a, lam, beta, s2, u2, v2, n, d),
                DualPoint(lam, beta, np.maximum(s2, 0), np.maximum(u2, 0), v2),
            )
        )
    value, point = min(candidates, key=lambda t: t[0])
    return (value, point, relaxed) if return_dual else value
