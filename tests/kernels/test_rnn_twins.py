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


def _problem(seed, T, B, H, dtype, gates, zero_h0, h0_grad):
    rng = np.random.default_rng(seed)

    def arr(*shape, scale=1.0):
        return (scale * rng.standard_normal(shape)).astype(dtype)

    # batch-major, as the kernels take them: (time, batch, features) and (batch, features)
    h0 = arr(B, H, scale=0.0 if zero_h0 else 1.0)
    return dict(T=T, B=B, H=H, dtype=dtype, xw=arr(T, B, gates * H, scale=2.0),
                w_hh=arr(gates * H, H, scale=0.7), h0=h0, c0=arr(B, H), b_hn=arr(H),
                dhs=arr(T, B, H), dcs=arr(T, B, H), dh=arr(B, H), dc=arr(B, H),
                h0_grad=h0_grad)


@st.composite
def problems(draw, gates):
    # batches past 6 rows and gate widths past 16 columns reach the step products' whole
    # register blocks and several weight panels (packed_gemm.h); half the problems start
    # from a zero h0, the layers' default
    return _problem(draw(st.integers(0, 2 ** 16)), draw(st.integers(1, 6)),
                    draw(st.integers(1, 14)), draw(st.integers(1, 20)),
                    draw(st.sampled_from([np.float32, np.float64])), gates,
                    draw(st.booleans()), draw(st.booleans()))


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
    """Every count of leftover batch rows (the register blocks take 6), with a last weight
    panel that is partly padding, forward (G = 36 columns) and backward (H = 9)."""
    for check, gates in ((_check_lstm_twins, 4), (_check_gru_twins, 3)):
        check(_problem(B, 3, B, 9, dtype, gates, zero_h0=False, h0_grad=True))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_twins_on_layer_sized_steps(dtype):
    """Steps of a layer's size: 14-53 weight panels and batch rows past several whole
    register blocks. float32's rounding grows with the 210 units: gradients that cancel to
    ~1e-3 need a looser atol."""
    for check, gates in ((_check_lstm_twins, 4), (_check_gru_twins, 3)):
        p = _problem(0, 5, 37, 210, dtype, gates, zero_h0=False, h0_grad=True)
        check(dict(p, atol=5e-4 if dtype == np.float32 else None))


def _check_lstm_twins(p):
    hs, cs, gates = REF.lstm_forward(p["xw"].copy(), p["w_hh"], p["h0"], p["c0"])
    dgates, dh0, dc0 = REF.lstm_backward(gates, cs, p["w_hh"], p["dhs"], p["dcs"], p["dh"],
                                         p["dc"], p["h0_grad"])
    assert (dh0 is None) == (not p["h0_grad"])
    for ops in TWINS:
        to = lambda a: ops.xp.array(a)  # noqa: E731  (a copy: xw is overwritten)
        out = ops.lstm_forward(to(p["xw"]), to(p["w_hh"]), to(p["h0"]), to(p["c0"]))
        for name, a, r in zip(("hs", "cs", "gates"), out, (hs, cs, gates)):
            assert a.dtype == p["dtype"]
            _close(a, r, p["dtype"], name, p.get("atol"))
        dh, dc = to(p["dh"]), to(p["dc"])
        back = ops.lstm_backward(to(gates), to(cs), to(p["w_hh"]), to(p["dhs"]), to(p["dcs"]),
                                 dh, dc, p["h0_grad"])
        for name, a, r in zip(("dgates", "dh0", "dc0"), back, (dgates, dh0, dc0)):
            _close_or_none(a, r, p["dtype"], name, p.get("atol"))
        # the caller's final-state gradients are left untouched
        np.testing.assert_array_equal(host_array(dh), p["dh"])


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
    xw = rng.standard_normal((8, 2, 3)).transpose(1, 2, 0)  # (2, 3, 8), not contiguous
    w_hh = rng.standard_normal((2, 8)).T  # (8, 2)
    h0, c0 = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    expected = REF.lstm_forward(np.array(xw), w_hh, h0, c0)
    for a, r in zip(ops.lstm_forward(xw, w_hh, h0, c0), expected):
        np.testing.assert_allclose(a, r, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match=r"lstm_forward: expected an array of shape \(8, 2\), "
                                         r"got \(8, 3\)"):
        ops.lstm_forward(xw, np.zeros((8, 3)), h0, c0)
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
    f64 = {k: p[k].astype(np.float64) for k in ("xw", "w_hh", "h0", "c0", "dhs", "dcs", "dh",
                                                 "dc")}
    hs, cs, gates = REF.lstm_forward(f64["xw"].copy(), f64["w_hh"], f64["h0"], f64["c0"])
    dgates, dh0, dc0 = REF.lstm_backward(gates, cs, f64["w_hh"], f64["dhs"], f64["dcs"],
                                         f64["dh"], f64["dc"])
    xw, w_hh, h0, c0 = _torch_inputs(torch, p, "xw", "w_hh", "h0", "c0")
    grad = {k: torch.tensor(f64[k]) for k in ("dhs", "dcs")}
    eye = torch.eye(G, dtype=torch.float64)  # the input side is xw itself
    h, c, loss = h0, c0, 0
    for step in range(T):
        h, c = torch.lstm_cell(xw[step], (h, c), eye, w_hh)
        np.testing.assert_allclose(hs[step + 1], h.detach().numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(cs[step + 1], c.detach().numpy(), rtol=1e-12, atol=1e-12)
        loss = loss + (h * grad["dhs"][step]).sum() + (c * grad["dcs"][step]).sum()
    loss = loss + (h * torch.tensor(f64["dh"])).sum() + (c * torch.tensor(f64["dc"])).sum()
    loss.backward()
    for ours, theirs in ((dgates, xw.grad), (dh0, h0.grad), (dc0, c0.grad)):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-10, atol=1e-10)
    # the recurrent weight's gradient is dgates^T @ (h_0 .. h_{T-1}), as the layer computes it
    gw = np.einsum("tbg,tbh->gh", dgates, hs[:-1])
    np.testing.assert_allclose(gw, w_hh.grad.numpy(), rtol=1e-10, atol=1e-10)
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
