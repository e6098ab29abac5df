"""The compiled input gradient of a convolution takes one of two routes (a convolution with the
flipped weight for "same" convolutions with C >= O, columns and col2im otherwise); both agree
with the reference."""
import numpy as np
import pytest

from nptorch._ops import Ops, Window

cython_ops = pytest.importorskip("nptorch._ops.cython_ops")


@pytest.mark.parametrize("C, O, groups, win, H", [
    (6, 4, 1, Window(3, 3, 1, 1, 1, 1), 7),          # same, C >= O: flipped weight
    (4, 4, 2, Window(3, 5, 1, 1, 2, 4, 2, 2), 6),    # same, dilated, grouped: flipped weight
    (3, 5, 1, Window(3, 3, 1, 1, 1, 1), 7),          # same, C < O: columns
    (6, 4, 1, Window(3, 3), 7),                      # valid: columns
    (6, 4, 1, Window(3, 3, 2, 2, 1, 1), 7),          # strided: columns
])
def test_conv2d_input_routes(C, O, groups, win, H):
    try:
        ops = cython_ops.CythonOps()
    except ImportError:
        pytest.skip("compiled twin not built")
    rng = np.random.default_rng(0)
    OH = (H + 2 * win.PH - win.DH * (win.KH - 1) - 1) // win.SH + 1
    OW = (H + 2 * win.PW - win.DW * (win.KW - 1) - 1) // win.SW + 1
    w = rng.standard_normal((O, C // groups, win.KH, win.KW))
    gy = rng.standard_normal((2, O, OH, OW))
    got = ops.conv2d_input(gy, w, H, H, win, groups)
    np.testing.assert_allclose(got, Ops().conv2d_input(gy, w, H, H, win, groups), rtol=1e-12,
                               atol=1e-12)
