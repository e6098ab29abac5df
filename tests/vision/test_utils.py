import numpy as np
import pytest

import nptorch
from nptorch.vision.utils import make_grid, save_image


def test_make_grid_layout_and_padding():
    x = nptorch.arange(5 * 3 * 2 * 2, dtype=nptorch.float32).reshape(5, 3, 2, 2)
    grid = make_grid(x, nrow=2, padding=1, pad_value=-1.0)
    # 2 columns, 3 rows of 2x2 images, 1 pixel of padding between and around
    assert tuple(grid.shape) == (3, 3 * 3 + 1, 2 * 3 + 1)
    g = grid._data
    np.testing.assert_array_equal(g[:, 1:3, 1:3], x._data[0])
    np.testing.assert_array_equal(g[:, 1:3, 4:6], x._data[1])
    np.testing.assert_array_equal(g[:, 4:6, 1:3], x._data[2])
    np.testing.assert_array_equal(g[:, 7:9, 1:3], x._data[4])
    assert (g[:, 7:9, 4:6] == -1).all() and (g[:, 0] == -1).all() and (g[:, :, 3] == -1).all()


def test_make_grid_gray_single_and_list():
    one = make_grid(nptorch.ones(1, 1, 2, 3))
    assert tuple(one.shape) == (3, 2, 3)
    grid = make_grid([nptorch.zeros(1, 2, 2), nptorch.ones(1, 2, 2)], padding=0)
    assert tuple(grid.shape) == (3, 2, 4)
    np.testing.assert_array_equal(grid._data[2], [[0, 0, 1, 1]] * 2)
    assert tuple(make_grid(nptorch.zeros(4, 5)).shape) == (3, 4, 5)


def test_make_grid_normalize():
    x = nptorch.tensor([[[[0.0, 2.0]]], [[[4.0, 8.0]]]])
    whole = make_grid(x, padding=0, normalize=True)._data[0]
    np.testing.assert_allclose(whole, [[0.0, 0.25, 0.5, 1.0]])
    each = make_grid(x, padding=0, normalize=True, scale_each=True)._data[0]
    np.testing.assert_allclose(each, [[0.0, 1.0, 0.0, 1.0]])
    ranged = make_grid(x, padding=0, normalize=True, value_range=(2.0, 6.0))._data[0]
    np.testing.assert_allclose(ranged, [[0.0, 0.0, 0.5, 1.0]])
    np.testing.assert_array_equal(x._data.ravel(), [0, 2, 4, 8])            # input untouched
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(x, normalize=True, value_range=[0, 1])
    with pytest.raises(TypeError, match="tensor or list of tensors expected"):
        make_grid(np.zeros((2, 3, 4, 4)))
    with pytest.raises(TypeError, match="tensor or list of tensors expected"):
        make_grid([np.zeros((3, 4, 4))])
    with pytest.raises(ValueError, match="make_grid expects 2, 3 or 4 dimensions, got 5"):
        make_grid(nptorch.zeros(1, 1, 1, 1, 1))


def test_save_image_writes_png(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    x = nptorch.tensor([[[0.0, 0.5], [1.0, 2.0]]]).expand(3, 2, 2).unsqueeze(0)
    path = tmp_path / "out.png"
    save_image(nptorch.cat([x, x]), str(path), padding=1)
    img = Image.open(path)
    assert img.mode == "RGB" and img.size == (7, 4)
    np.testing.assert_array_equal(np.asarray(img)[1:3, 1:3, 0], [[0, 128], [255, 255]])
    save_image(x[0], str(tmp_path / "one.jpg"), format="PNG")
    assert Image.open(tmp_path / "one.jpg").format == "PNG"
