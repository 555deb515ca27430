"""Message-passing detection (MPA) of SCMA blocks, batched: Log-MPA and Max-Log-MPA.

One block is one codeword of every user, superposed on the K resources:
``y[k] = sum_j h[k, j] x_j[k, m_j] + n[k]``, ``n ~ CN(0, N0)``. The detector runs a fixed
number of iterations of message passing on the factor graph (resources are function
nodes, users are variable nodes) and returns, for every user, the log-posterior of each
of its M codewords and the per-bit LLRs.

**Log-MPA** is the exact sum-product in the log domain. The function-node update

``mu[k->u](m_u) = log sum_{m_v, v != u} exp(phi_k(m) + sum_{v != u} nu[v->k](m_v))``,
``phi_k(m) = -|y_k - sum_v h[k, v] x_v[k, m_v]|**2 / N0``,

is a log-sum-exp over the ``M**(d_k - 1)`` joint codewords of the other users. It is
evaluated with the usual shift by the maximum, factor by factor:
``exp(phi - max phi)`` is computed once per block from the table of the ``M**d_k`` joint
hypotheses of each resource (it does not change between iterations), each incoming
message is shifted by its own maximum, and the sum of products is contracted one user at
a time (a user's leave-one-out sums share their partial products: ``2 M**d + ...`` multiply-
adds per resource instead of ``d M**d``). The log is taken of the sum. Exponents are
floored at ``-FLOOR`` nats below the maximum (80 in float32, 600 in float64) so that no
``exp`` underflows into subnormal numbers (the slow path of the exponential): the result
is exact up to rounding while messages stay within about ``FLOOR - log M**d`` nats of the
best codeword; beyond, they saturate (decisions are not affected).

**Max-Log-MPA** replaces each log-sum-exp by its largest term.

Variable-node update: the message of user u to resource k is the sum of the messages of
its other resources (uniform prior), shifted so that its maximum is 0.

Layout: messages are kept with the blocks on the last (contiguous) axis, and blocks are
processed in chunks that fit in the cache; chunks may run on several threads (torch
releases the GIL inside its kernels), each with single-threaded torch operations.

LLR convention: ``llr = log P(b = 1 | y) / P(b = 0 | y)`` (the logits of Sionna; its 5G
LDPC decoder takes them as they are; AFF3CT's sign is the opposite). Hard decision:
``b = llr > 0``. Labelling: natural binary, bit ``t`` of codeword ``m`` is
``(m >> t) & 1`` (the first bit is the least significant; the convention of AFF3CT's
SCMA modem).
"""

from __future__ import annotations

import contextlib
import numbers
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike

from ._codebook import Codebook

__all__ = ["DETECTORS", "MPADetector", "bit_labels"]

#: Detector names.
DETECTORS = ("log-mpa", "max-log-mpa")

#: Exponent floor (nats below the largest term) per floating-point type.
FLOOR = {torch.float32: 80.0, torch.float64: 600.0}

#: Blocks per chunk on the CPU (a chunk's tables stay in the cache).
DEFAULT_CHUNK = 4096

_THREAD_LOCK = threading.Lock()


def bit_labels(order: int) -> np.ndarray:
    """Natural binary labelling: ``labels[m, t] = (m >> t) & 1``, shape (M, log2 M).

    Bit 0 is the least significant bit of the codeword index (AFF3CT's SCMA modem maps
    the bits the same way).

    Examples
    --------
    >>> bit_labels(4)
    array([[0, 0],
           [1, 0],
           [0, 1],
           [1, 1]], dtype=int8)
    """
    bits = order.bit_length() - 1
    m = np.arange(order)[:, None]
    return ((m >> np.arange(bits)[None, :]) & 1).astype(np.int8)


class _Group:
    """The resources of one degree d: their users and joint-hypothesis tables."""

    def __init__(
        self,
        resources: np.ndarray,
        users: np.ndarray,
        table: np.ndarray,
        dtype: torch.dtype,
        device: torch.device,
    ) -> None:
        # resources (G,), users (G, d), table (G, d, M) complex: x_{users[g,i]}[resources[g], m]
        self.resources = torch.as_tensor(resources, device=device)
        self.users = torch.as_tensor(users, device=device)
        n_group, degree, order = table.shape
        self.degree = degree
        self.order = order
        self.size = n_group
        n_hyp = order**degree
        # C[g, h, i] = table[g, i, m_i(h)], m_0 the most significant digit of h.
        digits = (np.arange(n_hyp)[:, None] // order ** np.arange(degree - 1, -1, -1)) % order
        superposed = table[:, np.arange(degree)[None, :], digits].sum(axis=2)  # (G, n_hyp)
        awgn = np.stack(
            [2 * superposed.real, 2 * superposed.imag, -(np.abs(superposed) ** 2)], axis=2
        )
        self.awgn = torch.as_tensor(awgn, dtype=dtype, device=device)  # (G, n_hyp, 3)
        self.table_re = torch.as_tensor(table.real[..., None], dtype=dtype, device=device)
        self.table_im = torch.as_tensor(table.imag[..., None], dtype=dtype, device=device)


class MPADetector:
    """Log-MPA / Max-Log-MPA detector for SCMA, batched over blocks.

    Parameters
    ----------
    codewords : Codebook or array_like of complex, shape (J, K, M)
        What each user transmits: ``codewords[j, k, m]`` on resource ``k`` for codeword
        ``m`` (a codebook, or a codebook already scaled by the transmit powers).
    graph : array_like, shape (K, J), optional
        The factor graph to run on (0/1). Default: the non-zero pattern of
        ``codewords``. Entries of ``codewords`` off the graph are ignored.
    iterations : int, default 6
        Function-node updates (each followed by the variable-node update).
    method : {"log-mpa", "max-log-mpa"}
        Exact sum-product in the log domain, or its max-log approximation.
    dtype : torch.dtype, default torch.float32
        ``torch.float32`` or ``torch.float64``.
    device : str or torch.device, optional
        Default: CUDA when available, else the CPU.
    chunk_size : int, optional
        Blocks per chunk (default 4096 on the CPU; the whole batch on a GPU).
    threads : int, optional
        CPU threads that process chunks in parallel (default: ``torch.get_num_threads()``).
        While the detector runs with more than one, torch's own intra-op threading is set
        to 1 (and restored after).

    Raises
    ------
    TypeError, ValueError
        On bad arguments, naming the argument.

    Notes
    -----
    See the module docstring for the algorithm, the numerical floor and the conventions
    (LLR sign, bit labelling). Cost per block and iteration: about ``2 M**d`` multiply-adds
    per resource of degree d.

    Examples
    --------
    >>> import numpy as np
    >>> from scma_alloc.link import MPADetector, load_codebook
    >>> cb = load_codebook("CS1")
    >>> det = MPADetector(cb, iterations=6)
    >>> m = np.array([[0, 1, 2, 3, 0, 1]])  # one block: a codeword per user
    >>> y = cb.codewords[np.arange(6), :, m[0]].sum(axis=0)[None, :]  # noiseless
    >>> det.decide(y, noise_var=0.01)
    array([[0, 1, 2, 3, 0, 1]])
    """

    def __init__(
        self,
        codewords: Codebook | ArrayLike,
        graph: ArrayLike | None = None,
        *,
        iterations: int = 6,
        method: str = "log-mpa",
        dtype: torch.dtype = torch.float32,
        device: str | torch.device | None = None,
        chunk_size: int | None = None,
        threads: int | None = None,
    ) -> None:
        table = codewords.codewords if isinstance(codewords, Codebook) else codewords
        try:
            table = np.asarray(table)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"codewords must be a complex array: {exc}") from None
        if table.dtype.kind not in "biufc":
            raise TypeError(f"codewords must be a numeric array, got dtype {table.dtype}")
        if table.ndim != 3 or 0 in table.shape:
            raise ValueError(f"codewords must have shape (J, K, M), got shape {table.shape}")
        table = table.astype(np.complex128)
        if not np.all(np.isfinite(table)):
            raise ValueError("codewords must be finite")
        n_users, n_resources, order = table.shape
        if order < 2 or order & (order - 1):
            raise ValueError(f"the order M must be a power of two >= 2, got {order}")
        if graph is None:
            graph = np.any(table != 0, axis=2).T
        graph = np.asarray(graph)
        if graph.shape != (n_resources, n_users):
            raise ValueError(
                f"graph must have shape (K, J) = ({n_resources}, {n_users}), got {graph.shape}"
            )
        if graph.dtype.kind not in "biuf" or not np.all(np.isin(graph, (0, 1))):
            raise ValueError("graph must hold only 0 and 1")
        self.iterations = _check_count(iterations, "iterations")
        if method not in DETECTORS:
            raise ValueError(f"method must be one of {DETECTORS}, got {method!r}")
        self.method = method
        if dtype not in FLOOR:
            raise TypeError(f"dtype must be torch.float32 or torch.float64, got {dtype}")
        self.dtype = dtype
        self.device = torch.device(
            device if device is not None else ("cuda" if torch.cuda.is_available() else "cpu")
        )
        if chunk_size is not None:
            chunk_size = _check_count(chunk_size, "chunk_size")
        self.chunk_size = chunk_size
        self.threads = None if threads is None else _check_count(threads, "threads")
        self.n_users, self.n_resources, self.order = n_users, n_resources, order
        self.bits_per_codeword = order.bit_length() - 1
        self.graph = graph.astype(np.int8)
        self._build(table)

    # -- set-up -------------------------------------------------------------------------
    def _build(self, table: np.ndarray) -> None:
        degrees = self.graph.sum(axis=1)
        self._groups: list[_Group] = []
        edge_users = []
        for degree in sorted(set(degrees.tolist()) - {0}):
            resources = np.flatnonzero(degrees == degree)
            users = np.stack([np.flatnonzero(self.graph[k]) for k in resources])
            values = table[users, resources[:, None], :]  # (G, d, M)
            self._groups.append(_Group(resources, users, values, self.dtype, self.device))
            edge_users.append(users.ravel())
        edge_user = np.concatenate(edge_users) if edge_users else np.zeros(0, dtype=int)
        self._n_edges = edge_user.size
        self._edge_user = torch.as_tensor(edge_user, device=self.device)
        # Variable-node update as one gather when no user has more than two edges: the
        # message to one resource is the message from the other (row n_edges is zero).
        per_user = np.bincount(edge_user, minlength=self.n_users)
        self._pairwise = bool(per_user.max(initial=0) <= 2)
        partner = np.full(self._n_edges, self._n_edges)
        for user in range(self.n_users):
            edges = np.flatnonzero(edge_user == user)
            if edges.size == 2:
                partner[edges[0]], partner[edges[1]] = edges[1], edges[0]
        self._partner = torch.as_tensor(partner, device=self.device)
        labels = bit_labels(self.order).astype(bool)
        self._ones = [
            torch.as_tensor(np.flatnonzero(labels[:, t])) for t in range(labels.shape[1])
        ]
        self._zeros = [
            torch.as_tensor(np.flatnonzero(~labels[:, t])) for t in range(labels.shape[1])
        ]

    # -- public interface ---------------------------------------------------------------
    def log_posteriors(self, y: Any, noise_var: Any, channel: Any = None) -> torch.Tensor:
        """Log-posteriors of every user's codewords, shape (B, J, M).

        Parameters
        ----------
        y : array_like or torch.Tensor of complex, shape (B, K)
            Received blocks.
        noise_var : float or array_like, shape (B,)
            N0, the complex noise variance per resource element (per block or common).
        channel : array_like or torch.Tensor of complex, shape (B, K, J), optional
            ``h[b, k, j]``, known at the detector. Default: 1 (AWGN).

        Returns
        -------
        torch.Tensor
            ``log P(m_j = m | y)`` (Log-MPA: normalised to sum 1; Max-Log-MPA: shifted so
            that the largest is 0), on the detector's device.
        """
        return self._run(y, noise_var, channel, self.order, _identity)

    def __call__(self, y: Any, noise_var: Any, channel: Any = None) -> torch.Tensor:
        """Per-bit LLRs, shape (B, J, log2 M): :meth:`llr`."""
        return self.llr(y, noise_var, channel)

    def llr(self, y: Any, noise_var: Any, channel: Any = None) -> torch.Tensor:
        """Per-bit LLRs ``log P(b=1|y)/P(b=0|y)``, shape (B, J, log2 M).

        Log-MPA: the log-sum-exp of the codeword log-posteriors whose bit is 1 minus that
        of those whose bit is 0; Max-Log-MPA: the difference of the largest ones.
        Arguments as in :meth:`log_posteriors`.
        """
        return self._run(y, noise_var, channel, self.bits_per_codeword, self._bit_llrs)

    def decide(self, y: Any, noise_var: Any, channel: Any = None) -> np.ndarray:
        """The most likely codeword of every user, shape (B, J) (numpy int)."""
        return self.log_posteriors(y, noise_var, channel).argmax(dim=-1).cpu().numpy()

    # -- internals ----------------------------------------------------------------------
    def _run(self, y: Any, noise_var: Any, channel: Any, width: int, finish: Any) -> torch.Tensor:
        y, inv_n0, channel = self._inputs(y, noise_var, channel)
        n_blocks = y.shape[0]
        out = torch.empty((self.n_users, width, n_blocks), dtype=self.dtype, device=self.device)
        chunk = self.chunk_size or (DEFAULT_CHUNK if self.device.type == "cpu" else n_blocks)
        chunk = max(1, min(chunk, n_blocks))
        starts = list(range(0, n_blocks, chunk))

        def work(start: int) -> None:
            stop = min(start + chunk, n_blocks)
            h = None if channel is None else channel[start:stop]
            n0 = inv_n0 if inv_n0.ndim == 0 else inv_n0[start:stop]
            out[:, :, start:stop] = finish(self._detect_chunk(y[start:stop], n0, h))

        threads = self.threads or torch.get_num_threads()
        if self.device.type != "cpu" or threads <= 1 or len(starts) <= 1:
            for start in starts:
                work(start)
        else:
            with _single_threaded_ops(), ThreadPoolExecutor(min(threads, len(starts))) as pool:
                list(pool.map(work, starts))
        return out.permute(2, 0, 1)

    def _bit_llrs(self, total: torch.Tensor) -> torch.Tensor:
        """(J, M, b) codeword log-posteriors -> (J, bits, b) LLRs."""
        reduce = _lse if self.method == "log-mpa" else _max
        return torch.stack(
            [
                reduce(total.index_select(1, ones)) - reduce(total.index_select(1, zeros))
                for ones, zeros in zip(self._ones, self._zeros, strict=True)
            ],
            dim=1,
        )

    def _inputs(self, y: Any, noise_var: Any, channel: Any) -> tuple[Any, ...]:
        y = _complex_tensor(y, "y", self.device)
        if y.ndim != 2 or y.shape[1] != self.n_resources:
            raise ValueError(f"y must have shape (B, K={self.n_resources}), got {tuple(y.shape)}")
        if isinstance(noise_var, torch.Tensor):
            n0 = noise_var.detach().to(self.device, torch.float64)
        else:
            if isinstance(noise_var, bool) or not isinstance(
                noise_var, numbers.Real | np.ndarray | list | tuple
            ):
                raise TypeError(f"noise_var must be a positive number or array, got {noise_var!r}")
            n0 = torch.as_tensor(np.asarray(noise_var, dtype=float), device=self.device)
        if n0.ndim not in (0, 1) or (n0.ndim == 1 and n0.shape[0] != y.shape[0]):
            raise ValueError(f"noise_var must be a scalar or have shape ({y.shape[0]},)")
        if not bool(torch.all(torch.isfinite(n0) & (n0 > 0))):
            raise ValueError("noise_var must be positive and finite")
        inv_n0 = (1.0 / n0).to(self.dtype)
        if channel is not None:
            channel = _complex_tensor(channel, "channel", self.device)
            expected = (y.shape[0], self.n_resources, self.n_users)
            if tuple(channel.shape) != expected:
                raise ValueError(
                    f"channel must have shape (B, K, J) = {expected}, got {tuple(channel.shape)}"
                )
            channel = torch.view_as_real(channel.to(_complex_of(self.dtype)))  # (B, K, J, 2)
        y = torch.view_as_real(y.to(_complex_of(self.dtype)))  # (B, K, 2)
        return y, inv_n0, channel

    def _metric(
        self, group: _Group, y: torch.Tensor, inv_n0: torch.Tensor, h: Any
    ) -> torch.Tensor:
        """``phi - max phi`` on every resource of the group, shape (G, M**d, b)."""
        yk = y[group.resources]  # (G, 2, b)
        if h is None:
            if inv_n0.ndim == 0:
                coef = group.awgn * inv_n0
                phi = coef[:, :, 0:1] * yk[:, 0:1]
                phi.addcmul_(coef[:, :, 1:2], yk[:, 1:2]).add_(coef[:, :, 2:3])
            else:
                scaled = yk * inv_n0
                coef = group.awgn
                phi = coef[:, :, 0:1] * scaled[:, 0:1]
                phi.addcmul_(coef[:, :, 1:2], scaled[:, 1:2])
                phi.addcmul_(coef[:, :, 2:3], inv_n0.view(1, 1, -1))
        else:
            # Contribution of each user i to the resource: a_i(m) = h_i x_i(m), (G, d, M, b).
            hk = h[group.resources[:, None], group.users]  # (G, d, 2, b)
            hr, hi = hk[:, :, 0, None], hk[:, :, 1, None]
            xr, xi = group.table_re, group.table_im  # (G, d, M, 1)
            ar = hr * xr - hi * xi
            ai = hr * xi + hi * xr
            rr, ri = yk[:, 0:1], yk[:, 1:2]  # (G, 1, b): residual y - sum_i a_i(m_i)
            for i in range(group.degree):
                width = rr.shape[1] * group.order
                rr = (rr[:, :, None] - ar[:, i, None]).view(group.size, width, -1)
                ri = (ri[:, :, None] - ai[:, i, None]).view(group.size, width, -1)
            phi = rr.mul_(rr).addcmul_(ri, ri)
            phi.mul_(-inv_n0 if inv_n0.ndim == 0 else -inv_n0.view(1, 1, -1))
        phi.sub_(phi.amax(dim=1, keepdim=True))
        return phi

    def _detect_chunk(self, y: torch.Tensor, inv_n0: torch.Tensor, h: Any) -> torch.Tensor:
        """Codeword log-posteriors (J, M, b) of one chunk; ``y`` (b, K, 2), ``h`` (b, K, J, 2)."""
        n_blocks = y.shape[0]
        y = y.permute(1, 2, 0).contiguous()  # (K, 2, b)
        if h is not None:
            h = h.permute(1, 2, 3, 0).contiguous()  # (K, J, 2, b)
        floor = FLOOR[self.dtype]
        log_domain = self.method == "max-log-mpa"
        tables = []
        for group in self._groups:
            phi = self._metric(group, y, inv_n0, h)
            if not log_domain:
                phi = phi.clamp_(min=-floor).exp_()
            tables.append(phi.view(group.size, *([group.order] * group.degree), n_blocks))
        n_edges = self._n_edges
        shape = (n_edges + 1, self.order, n_blocks)
        incoming = torch.empty(shape, dtype=self.dtype, device=self.device)  # v -> f, log
        outgoing = torch.empty(shape, dtype=self.dtype, device=self.device)  # f -> v, log
        outgoing[n_edges].zero_()  # the message of a missing second resource
        if log_domain:
            incoming.zero_()  # uniform first messages (Log-MPA: a plain sum instead)
        scratch = None if log_domain else torch.empty_like(incoming)
        for iteration in range(self.iterations):
            if not log_domain and iteration:
                torch.clamp(incoming, min=-floor, out=scratch).exp_()
            offset = 0
            for group, table in zip(self._groups, tables, strict=True):
                size = group.size * group.degree
                rows = slice(offset, offset + size)
                view = (group.size, group.degree, self.order, n_blocks)
                out = outgoing[rows].view(view)
                if log_domain:
                    _leave_one_out(table, incoming[rows].view(view), out, _contract_max)
                else:
                    q = scratch[rows].view(view) if iteration else None
                    _leave_one_out(table, q, out, _contract_sum)
                offset += size
            if not log_domain:
                outgoing[:n_edges].clamp_(min=torch.finfo(self.dtype).tiny).log_()
            if iteration + 1 < self.iterations:
                self._variable_update(outgoing, incoming)
        total = torch.zeros(
            (self.n_users, self.order, n_blocks), dtype=self.dtype, device=self.device
        )
        total.index_add_(0, self._edge_user, outgoing[:n_edges])
        if log_domain:
            return total.sub_(total.amax(dim=1, keepdim=True))
        return total.sub_(torch.logsumexp(total, dim=1, keepdim=True))

    def _variable_update(self, outgoing: torch.Tensor, incoming: torch.Tensor) -> None:
        """Extrinsic sums: ``incoming[e] = sum of the user's other outgoing[e']``, max 0."""
        n_edges = self._n_edges
        if self._pairwise:
            torch.index_select(outgoing, 0, self._partner, out=incoming[:n_edges])
        else:
            total = outgoing.new_zeros((self.n_users, *outgoing.shape[1:]))
            total.index_add_(0, self._edge_user, outgoing[:n_edges])
            torch.sub(total[self._edge_user], outgoing[:n_edges], out=incoming[:n_edges])
        live = incoming[:n_edges]
        live.sub_(live.amax(dim=1, keepdim=True))


# --------------------------------------------------------------------------- contractions
def _broadcast(message: torch.Tensor, m: int, ndim: int) -> torch.Tensor:
    """``message[:, m]`` (G, b) viewed as (G, 1, ..., 1, b) for a tensor of ``ndim`` dims."""
    column = message[:, m]
    return column.view(column.shape[0], *([1] * (ndim - 2)), column.shape[1])


def _contract_sum(
    table: torch.Tensor, q: torch.Tensor | None, axis: int, out: torch.Tensor | None = None
) -> torch.Tensor:
    """``sum_m table.select(axis, m) * q[:, m]`` (q None: uniform messages, a plain sum)."""
    if q is None:
        return torch.sum(table, dim=axis, out=out) if out is not None else table.sum(dim=axis)
    ndim = table.ndim - 1
    out = torch.mul(table.select(axis, 0), _broadcast(q, 0, ndim), out=out)
    for m in range(1, table.shape[axis]):
        out.addcmul_(table.select(axis, m), _broadcast(q, m, ndim))
    return out


def _contract_max(
    table: torch.Tensor, v: torch.Tensor, axis: int, out: torch.Tensor | None = None
) -> torch.Tensor:
    """``max_m table.select(axis, m) + v[:, m]``."""
    ndim = table.ndim - 1
    out = torch.add(table.select(axis, 0), _broadcast(v, 0, ndim), out=out)
    scratch = torch.empty_like(out)
    for m in range(1, table.shape[axis]):
        torch.add(table.select(axis, m), _broadcast(v, m, ndim), out=scratch)
        torch.maximum(out, scratch, out=out)
    return out


def _leave_one_out(table: torch.Tensor, messages: Any, out: torch.Tensor, contract: Any) -> None:
    """``out[:, i]`` = ``table`` contracted with the messages of every user but i.

    ``table`` (G, M, ..., M, b) has one axis per user of the resource (axis i + 1 for user
    i); ``messages`` (G, d, M, b) (None: uniform); ``out`` (G, d, M, b).
    """
    _split(table, list(range(out.shape[1])), messages, out, contract)


def _split(
    table: torch.Tensor, users: list[int], messages: Any, out: torch.Tensor, contract: Any
) -> None:
    """Divide and conquer over ``users`` (the axes of ``table``, in order): each half gets
    the table contracted over the other half, so the partial products are shared
    (d = 3: 2 M**3 + 3 M**2 multiply-adds for the three messages, instead of 3 M**3)."""
    if len(users) == 1:  # only for a resource of degree 1
        out[:, users[0]].copy_(table)
        return
    half = len(users) // 2
    for keep, drop in (
        (users[:half], range(len(users) - 1, half - 1, -1)),
        (users[half:], range(half - 1, -1, -1)),
    ):
        reduced = table
        drop = list(drop)
        for n, position in enumerate(drop):
            last = n == len(drop) - 1 and len(keep) == 1
            target = out[:, keep[0]] if last else None
            reduced = contract(reduced, _message(messages, users[position]), position + 1, target)
        if len(keep) > 1:
            _split(reduced, keep, messages, out, contract)


def _message(messages: Any, user: int) -> Any:
    return None if messages is None else messages[:, user]


def _lse(x: torch.Tensor) -> torch.Tensor:
    return torch.logsumexp(x, dim=1)


def _max(x: torch.Tensor) -> torch.Tensor:
    return x.amax(dim=1)


def _identity(x: torch.Tensor) -> torch.Tensor:
    return x


def _complex_of(dtype: torch.dtype) -> torch.dtype:
    return torch.complex128 if dtype == torch.float64 else torch.complex64


# --------------------------------------------------------------------------- helpers
def _check_count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def _complex_tensor(value: Any, name: str, device: torch.device) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        tensor = value.detach()
    else:
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a complex array: {exc}") from None
        if array.dtype.kind not in "biufc":
            raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}")
        tensor = torch.as_tensor(array)
    if not tensor.is_complex():
        tensor = tensor.to(torch.complex128 if tensor.dtype == torch.float64 else torch.complex64)
    return tensor.to(device)


@contextlib.contextmanager
def _single_threaded_ops() -> Iterator[None]:
    """torch intra-op threads set to 1 while chunks run on our own threads."""
    with _THREAD_LOCK:
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(before)
