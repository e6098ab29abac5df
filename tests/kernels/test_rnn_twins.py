"""The LSTM/GRU time-loop kernels agree with the reference ``Ops``; the reference agrees with
PyTorch's ``lstm_cell`` / ``gru_cell`` stepped through time (values and autograd gradients)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from helpers import host_array
from kernel_twins import ACCELERATED as TWINS, REF


def _close(ours, ref, dtype, what, atol=None):
    tol = 2e-5 if dtype == np.float32 else 1e-11
    np.testing.assert_allclose(host_array(ours), ref, rtol=tol, atol=atol or tol, err_msg=what)


def _close_or_none(ours, ref, dtype, what, atol=None):
    if ref is None:
        assert ours is None, what
    else:
        _close(ours, ref, dtype, what, atol)


def _problem(seed, T, B, H, dtype, gates, zero_h0, h0_grad, I=3, bias=True, x_grad=True):
    rng = np.random.default_rng(seed)

    def arr(*shape, scale=1.0):
        return (scale * rng.standard_normal(shape)).astype(dtype)

    # batch-major, as the kernels take them: (time, batch, features) and (batch, features)
    h0 = arr(B, H, scale=0.0 if zero_h0 else 1.0)
    return dict(T=T, B=B, H=H, dtype=dtype, xw=arr(T, B, gates * H, scale=2.0),
                x=arr(T, B, I), w_ih=arr(gates * H, I, scale=0.7),
                bias=arr(gates * H) if bias else None,
                w_hh=arr(gates * H, H, scale=0.7), h0=h0, c0=arr(B, H), b_hn=arr(H),
                dhs=arr(T, B, H), dcs=arr(T, B, H), dh=arr(B, H), dc=arr(B, H),
                h0_grad=h0_grad, x_grad=x_grad)


@st.composite
def problems(draw, gates):
    # batches past 4 rows and gate widths past 24 columns reach the step products' whole
    # register blocks and several weight panels (packed_gemm.h); half the problems start
    # from a zero h0, the layers' default
    return _problem(draw(st.integers(0, 2 ** 16)), draw(st.integers(1, 6)),
                    draw(st.integers(1, 14)), draw(st.integers(1, 20)),
                    draw(st.sampled_from([np.float32, np.float64])), gates,
                    draw(st.booleans()), draw(st.booleans()), I=draw(st.integers(0, 20)),
                    bias=draw(st.booleans()), x_grad=draw(st.booleans()))


pytestmark = pytest.mark.skipif(not TWINS, reason="no compiled or GPU kernels")


@settings(max_examples=15, deadline=None)
@given(problems(4))
def test_lstm_twins(p):
    _check_lstm_twins(p)


@settings(max_examples=15, deadline=None)
@given(problems(3))
def test_gru_twins(p):
    _check_gru_twins(p)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("B", range(1, 14))
def test_twins_on_every_block_of_the_step_products(B, dtype):
    """Every count of leftover batch rows (the register blocks take 4), with a last weight
    panel that is partly padding, forward (G = 36 columns; the LSTM's [W_ih | W_hh] 9 + 4)
    and backward (H = 9, or 4 + 9 with x's gradient)."""
    for check, gates in ((_check_lstm_twins, 4), (_check_gru_twins, 3)):
        check(_problem(B, 3, B, 9, dtype, gates, zero_h0=False, h0_grad=True, I=4))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_twins_on_layer_sized_steps(dtype):
    """Steps of a layer's size: 14-53 weight panels and batch rows past several whole
    register blocks. float32's rounding grows with the 210 units: gradients that cancel to
    ~1e-3 need a looser atol."""
    for check, gates in ((_check_lstm_twins, 4), (_check_gru_twins, 3)):
        p = _problem(0, 5, 37, 210, dtype, gates, zero_h0=False, h0_grad=True, I=50)
        check(dict(p, atol=5e-4 if dtype == np.float32 else None))


def _check_lstm_twins(p):
    x_side = [p[k] for k in ("x", "w_ih", "w_hh", "bias")]
    hs, cs, gates = REF.lstm_forward(*x_side, p["h0"], p["c0"])
    back_ref = REF.lstm_backward(gates, cs, p["w_ih"], p["w_hh"], p["dhs"], p["dcs"], p["dh"],
                                 p["dc"], p["x_grad"], p["h0_grad"])
    assert (back_ref[1] is None) == (not p["x_grad"])
    assert (back_ref[2] is None) == (not p["h0_grad"])
    for ops in TWINS:
        to = lambda a: None if a is None else ops.xp.array(a)  # noqa: E731
        out = ops.lstm_forward(*map(to, x_side), to(p["h0"]), to(p["c0"]))
        for name, a, r in zip(("hs", "cs", "gates"), out, (hs, cs, gates)):
            assert a.dtype == p["dtype"]
            _close(a, r, p["dtype"], name, p.get("atol"))
        dh, dc = to(p["dh"]), to(p["dc"])
        back = ops.lstm_backward(to(gates), to(cs), to(p["w_ih"]), to(p["w_hh"]),
                                 to(p["dhs"]), to(p["dcs"]), dh, dc, p["x_grad"], p["h0_grad"])
        for name, a, r in zip(("dgates", "dx", "dh0", "dc0"), back, back_ref):
            _close_or_none(a, r, p["dtype"], name, p.get("atol"))
        # the caller's final-state gradients are left untouched
        np.testing.assert_array_equal(host_array(dh), p["dh"])
        np.testing.assert_array_equal(host_array(dc), p["dc"])


def _check_gru_twins(p):
    hs, gates, hn = REF.gru_forward(p["xw"].copy(), p["w_hh"], p["b_hn"], p["h0"])
    dgx, dgh, dh0 = REF.gru_backward(gates, hn, hs, p["w_hh"], p["dhs"], p["dh"], p["h0_grad"])
    assert (dh0 is None) == (not p["h0_grad"])
    for ops in TWINS:
        to = lambda a: ops.xp.array(a)  # noqa: E731
        out = ops.gru_forward(to(p["xw"]), to(p["w_hh"]), to(p["b_hn"]), to(p["h0"]))
        for name, a, r in zip(("hs", "gates", "hn"), out, (hs, gates, hn)):
            assert a.dtype == p["dtype"]
            _close(a, r, p["dtype"], name, p.get("atol"))
        dh = to(p["dh"])
        back = ops.gru_backward(to(gates), to(hn), to(hs), to(p["w_hh"]), to(p["dhs"]), dh,
                                p["h0_grad"])
        for name, a, r in zip(("dgx", "dgh", "dh0"), back, (dgx, dgh, dh0)):
            _close_or_none(a, r, p["dtype"], name, p.get("atol"))
        np.testing.assert_array_equal(host_array(dh), p["dh"])


@pytest.mark.parametrize("ops", TWINS, ids=lambda o: type(o).__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_matmul_twins(ops, dtype):
    """The layers' products outside the loop, on every memory layout the layers pass."""
    rng = np.random.default_rng(1)
    a = (10 * rng.standard_normal((7, 5))).astype(dtype)
    b = (10 * rng.standard_normal((5, 3))).astype(dtype)
    layouts = {"C": lambda m: m, "F": np.asfortranarray,
               "strided": lambda m: np.repeat(m, 2, axis=1)[:, ::2]}
    for la, fa in layouts.items():
        for lb, fb in layouts.items():
            got = ops.matmul(ops.xp.asarray(fa(a)), ops.xp.asarray(fb(b)))
            assert got.dtype == dtype and got.flags.c_contiguous, (la, lb)
            _close(got, a @ b, dtype, f"{la} @ {lb}")
    empty = ops.matmul(ops.xp.asarray(a[:, :0]), ops.xp.asarray(b[:0]))
    np.testing.assert_array_equal(host_array(empty), np.zeros((7, 3), dtype))


def test_non_contiguous_inputs_and_shape_checks():
    if not any(type(ops).__name__ == "CythonOps" for ops in TWINS):
        pytest.skip("compiled kernels not built")
    ops = next(ops for ops in TWINS if type(ops).__name__ == "CythonOps")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 2, 3)).transpose(1, 2, 0)  # (2, 3, 5), not contiguous
    w_ih = rng.standard_normal((5, 8)).T  # (8, 5)
    w_hh = rng.standard_normal((2, 8)).T  # (8, 2)
    bias = rng.standard_normal(16)[::2]
    h0, c0 = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    expected = REF.lstm_forward(x, w_ih, w_hh, bias, h0, c0)
    for a, r in zip(ops.lstm_forward(x, w_ih, w_hh, bias, h0, c0), expected):
        np.testing.assert_allclose(a, r, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match=r"lstm_forward: expected an array of shape \(8, 5\), "
                                         r"got \(8, 3\)"):
        ops.lstm_forward(x, np.zeros((8, 3)), w_hh, bias, h0, c0)
    with pytest.raises(ValueError, match=r"lstm_forward: expected an array of shape \(8,\), "
                                         r"got \(9,\)"):
        ops.lstm_forward(x, w_ih, w_hh, np.zeros(9), h0, c0)
    with pytest.raises(ValueError, match=r"lstm_forward: expected w_hh of shape "
                                         r"\(4 \* hidden, hidden\), got \(7, 2\)"):
        ops.lstm_forward(x, w_ih, np.zeros((7, 2)), bias, h0, c0)
    with pytest.raises(ValueError, match="lstm_backward: mixed dtypes float64 and float32"):
        hs, cs, gates = expected
        dhs = np.zeros((2, 3, 2))
        ops.lstm_backward(gates, cs, w_ih, w_hh.astype(np.float32), dhs, dhs, h0, c0)
    with pytest.raises(ValueError, match="gru_forward: mixed dtypes float64 and float32"):
        ops.gru_forward(np.zeros((2, 3, 6)), np.zeros((6, 2)), np.zeros(2, np.float32),
                        np.zeros((3, 2)))


# -- the reference against PyTorch's cells -----------------------------------------------------
def _torch_inputs(torch, p, *names):
    """float64 leaf tensors (the kernels' layout is PyTorch's)."""
    return [torch.tensor(p[name].astype(np.float64), requires_grad=True) for name in names]


@settings(max_examples=15, deadline=None)
@given(problems(4))
def test_lstm_reference_matches_torch_cell(p):
    torch = pytest.importorskip("torch")
    T, H, G = p["T"], p["H"], 4 * p["H"]
    names = ("x", "w_ih", "w_hh", "h0", "c0", "dhs", "dcs", "dh", "dc")
    f64 = {k: p[k].astype(np.float64) for k in names}
    bias = None if p["bias"] is None else p["bias"].astype(np.float64)
    hs, cs, gates = REF.lstm_forward(f64["x"], f64["w_ih"], f64["w_hh"], bias, f64["h0"],
                                     f64["c0"])
    dgates, dx, dh0, dc0 = REF.lstm_backward(gates, cs, f64["w_ih"], f64["w_hh"], f64["dhs"],
                                             f64["dcs"], f64["dh"], f64["dc"])
    x, w_ih, w_hh, h0, c0 = _torch_inputs(torch, f64, "x", "w_ih", "w_hh", "h0", "c0")
    b = None if bias is None else torch.tensor(bias, requires_grad=True)
    grad = {k: torch.tensor(f64[k]) for k in ("dhs", "dcs")}
    h, c, loss = h0, c0, 0
    for step in range(T):
        h, c = torch.lstm_cell(x[step], (h, c), w_ih, w_hh, b)
        np.testing.assert_allclose(hs[step + 1], h.detach().numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(cs[step + 1], c.detach().numpy(), rtol=1e-12, atol=1e-12)
        loss = loss + (h * grad["dhs"][step]).sum() + (c * grad["dcs"][step]).sum()
    loss = loss + (h * torch.tensor(f64["dh"])).sum() + (c * torch.tensor(f64["dc"])).sum()
    loss.backward()
    for ours, theirs in ((dx, x.grad), (dh0, h0.grad), (dc0, c0.grad)):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-10, atol=1e-10)
    # the weights' gradients are dgates^T @ x and dgates^T @ (h_0 .. h_{T-1}), the bias's the
    # sum of dgates, as the layer computes them
    for gw, weight in ((np.einsum("tbg,tbh->gh", dgates, hs[:-1]), w_hh),
                       (np.einsum("tbg,tbi->gi", dgates, f64["x"]), w_ih)):
        np.testing.assert_allclose(gw, weight.grad.numpy(), rtol=1e-10, atol=1e-10)
    if b is not None:
        np.testing.assert_allclose(dgates.sum((0, 1)), b.grad.numpy(), rtol=1e-10, atol=1e-10)
    assert gates.shape == (T, p["B"], G) and np.all((gates[..., :H] > 0) & (gates[..., :H] < 1))


@settings(max_examples=15, deadline=None)
@given(problems(3))
def test_gru_reference_matches_torch_cell(p):
    torch = pytest.importorskip("torch")
    T, H = p["T"], p["H"]
    f64 = {k: p[k].astype(np.float64) for k in ("xw", "w_hh", "b_hn", "h0", "dhs", "dh")}
    hs, gates, hn = REF.gru_forward(f64["xw"].copy(), f64["w_hh"], f64["b_hn"], f64["h0"])
    dgx, dgh, dh0 = REF.gru_backward(gates, hn, hs, f64["w_hh"], f64["dhs"], f64["dh"])
    xw, w_hh, h0 = _torch_inputs(torch, p, "xw", "w_hh", "h0")
    b_hh = torch.tensor(np.concatenate([np.zeros(2 * H), f64["b_hn"]]), requires_grad=True)
    eye, zero = torch.eye(3 * H, dtype=torch.float64), torch.zeros(3 * H, dtype=torch.float64)
    dhs = torch.tensor(f64["dhs"])
    h, loss = h0, 0
    for step in range(T):
        h = torch.gru_cell(xw[step], h, eye, w_hh, zero, b_hh)
        np.testing.assert_allclose(hs[step + 1], h.detach().numpy(), rtol=1e-12, atol=1e-12)
        loss = loss + (h * dhs[step]).sum()
    (loss + (h * torch.tensor(f64["dh"])).sum()).backward()
    np.testing.assert_allclose(dgx, xw.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dh0, h0.grad.numpy(), rtol=1e-10, atol=1e-10)
    # dgh is the gradient of h @ W_hh^T + b_hh: through the weight and the bias
    np.testing.assert_allclose(np.einsum("tbg,tbh->gh", dgh, hs[:-1]), w_hh.grad.numpy(),
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dgh.sum((0, 1)), b_hh.grad.numpy(), rtol=1e-10, atol=1e-10)
    # hn is the recurrent part of the n gate, with its bias
    np.testing.assert_allclose(hn, np.einsum("gh,tbh->tbg", f64["w_hh"][2 * H:], hs[:-1])
                               + f64["b_hn"], rtol=1e-12, atol=1e-15)
