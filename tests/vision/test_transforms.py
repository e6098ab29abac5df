import os
import subprocess
import sys

import numpy as np
import pytest

import nptorch
from nptorch.vision import transforms as T
from nptorch.vision.transforms import InterpolationMode
from nptorch.vision.transforms import functional as F

Image = pytest.importorskip("PIL.Image")
ImageEnhance = pytest.importorskip("PIL.ImageEnhance")


def rgb(h=9, w=12, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def pil(h=9, w=12, seed=0):
    return Image.fromarray(rgb(h, w, seed))


def chw(t):
    return t._data if isinstance(t, nptorch.Tensor) else np.asarray(t)


def test_to_tensor_pil_and_ndarray():
    a = rgb()
    for src in (Image.fromarray(a), a):
        t = T.ToTensor()(src)
        assert t.dtype == nptorch.float32 and tuple(t.shape) == (3, 9, 12)
        np.testing.assert_allclose(t._data, a.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    gray = T.ToTensor()(np.arange(6, dtype=np.uint8).reshape(2, 3))
    assert tuple(gray.shape) == (1, 2, 3)
    f = T.ToTensor()(Image.fromarray(np.full((2, 2), 3.5, np.float32)))
    assert f.dtype == nptorch.float32 and float(f._data.max()) == 3.5
    binary = T.ToTensor()(Image.fromarray(np.array([[0, 255]], np.uint8)).convert("1"))
    np.testing.assert_array_equal(binary._data, [[[0.0, 1.0]]])
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()([1, 2])
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional"):
        T.ToTensor()(np.zeros(3, np.uint8))


def test_pil_to_tensor_and_back():
    a = rgb()
    t = T.PILToTensor()(Image.fromarray(a))
    assert t.dtype == nptorch.uint8
    np.testing.assert_array_equal(t._data, a.transpose(2, 0, 1))
    np.testing.assert_array_equal(np.asarray(T.ToPILImage()(t)), a)
    back = T.ToPILImage()(T.ToTensor()(Image.fromarray(a)))
    assert back.mode == "RGB"
    assert np.abs(np.asarray(back).astype(int) - a).max() <= 1   # x / 255 * 255 truncates
    sixteen = Image.fromarray(np.array([[1, 40000]], np.uint16))
    t16 = T.PILToTensor()(sixteen)
    assert t16.dtype == nptorch.int16 and t16._data.tolist() == [[[1, 40000 - 65536]]]
    assert T.ToTensor()(sixteen).dtype == nptorch.int16
    assert np.asarray(T.ToPILImage()(t16)).tolist() == [[1, 40000]]
    assert T.ToPILImage()(nptorch.zeros(1, 2, 2)).mode == "L"
    assert T.ToPILImage(mode="F")(nptorch.zeros(1, 2, 2)).mode == "F"
    assert T.ToPILImage()(nptorch.zeros(4, 2, 2)).mode == "RGBA"
    assert T.ToPILImage()(np.zeros((2, 2, 2), np.uint8)).mode == "LA"
    assert T.ToPILImage(mode="HSV")(np.zeros((2, 2, 3), np.uint8)).mode == "HSV"
    assert repr(T.ToPILImage(mode="HSV")) == "ToPILImage(mode=HSV)"
    with pytest.raises(TypeError, match="pic should be PIL Image"):
        T.PILToTensor()(a)
    with pytest.raises(ValueError, match=r"Incorrect mode \(RGB\) supplied"):
        T.ToPILImage(mode="RGB")(nptorch.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="Only modes"):
        T.ToPILImage(mode="L")(np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(ValueError, match="should not have > 4 channels"):
        T.ToPILImage()(nptorch.zeros(5, 2, 2))
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional"):
        T.ToPILImage()(nptorch.zeros(1, 1, 2, 2))
    with pytest.raises(TypeError, match="Input type float64 is not supported"):
        T.ToPILImage()(np.zeros((2, 2, 3)))
    with pytest.raises(TypeError, match="pic should be Tensor or ndarray"):
        T.ToPILImage()([1])


def test_normalize():
    x = nptorch.rand(3, 4, 5)
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    want = (x._data - np.array(mean, np.float32)[:, None, None]) / np.array(std, np.float32)[:, None, None]
    y = T.Normalize(mean, std)(x)
    np.testing.assert_allclose(y._data, want, rtol=1e-6)
    assert y is not x and y.dtype == nptorch.float32
    z = T.Normalize(mean, std, inplace=True)(x)
    assert z is x
    np.testing.assert_allclose(x._data, want, rtol=1e-6)
    assert repr(T.Normalize((0.5,), (0.5,))) == "Normalize(mean=(0.5,), std=(0.5,))"
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize(0, (1, 0, 1))(x)
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        T.Normalize(0, 1)(nptorch.zeros(1, 2, 2, dtype=nptorch.uint8))
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        T.Normalize(0, 1)(pil())
    with pytest.raises(ValueError, match="Expected tensor to be a tensor image"):
        T.Normalize(0, 1)(nptorch.zeros(2, 2))


def test_normalize_is_differentiable():
    x = nptorch.rand(2, 3, 3, requires_grad=True)
    T.Normalize((0.0, 1.0), (2.0, 4.0))(x).sum().backward()
    np.testing.assert_allclose(x.grad._data[:, 0, 0], [0.5, 0.25])


def test_resize_pil_matches_pil():
    img = pil(10, 16)
    out = T.Resize(5)(img)                                 # shorter side 10 -> 5, 16 -> 8
    assert out.size == (8, 5)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img.resize((8, 5), Image.BILINEAR)))
    out = T.Resize((7, 3), interpolation=InterpolationMode.NEAREST)(img)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img.resize((3, 7), Image.NEAREST)))
    assert T.Resize([7])(pil(7, 9)).size == (9, 7)           # already the right size
    assert T.Resize(5, max_size=6)(img).size == (6, 3)
    assert T.Resize(4, interpolation=Image.BICUBIC).interpolation is InterpolationMode.BICUBIC
    assert repr(T.Resize(5)) == "Resize(size=5, interpolation=bilinear, max_size=None, antialias=True)"
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="it should have 1 or 2 values"):
        T.Resize((1, 2, 3))
    with pytest.raises(ValueError, match="max_size = 5 must be strictly greater"):
        T.Resize(5, max_size=5)(img)
    with pytest.raises(ValueError, match="max_size should only be passed"):
        T.Resize((5, 5), max_size=8)(img)
    with pytest.raises(TypeError, match="should be of type InterpolationMode"):
        T.Resize(5, interpolation="bilinear")


@pytest.mark.parametrize("size", [(5, 8), (13, 20), (10, 7)])
def test_resize_tensor_matches_pil_float(size):
    a = np.random.default_rng(1).random((10, 16), dtype=np.float32)
    out = F.resize(nptorch.from_numpy(a[None].copy()), list(size))
    want = np.asarray(Image.fromarray(a, mode="F").resize(size[::-1], Image.BILINEAR))
    np.testing.assert_allclose(out._data[0], want, atol=1e-5)
    bicubic = F.resize(nptorch.from_numpy(a[None].copy()), list(size), InterpolationMode.BICUBIC)
    want = np.asarray(Image.fromarray(a, mode="F").resize(size[::-1], Image.BICUBIC))
    np.testing.assert_allclose(bicubic._data[0], want, atol=1e-5)


def test_resize_tensor_nearest_and_uint8():
    x = nptorch.arange(16).reshape(1, 4, 4).to(nptorch.uint8)
    out = F.resize(x, [2, 2], InterpolationMode.NEAREST)
    np.testing.assert_array_equal(out._data[0], [[0, 2], [8, 10]])
    exact = F.resize(x, [2, 2], InterpolationMode.NEAREST_EXACT)
    np.testing.assert_array_equal(exact._data[0], [[5, 7], [13, 15]])
    up = F.resize(x, [8, 8], antialias=False)
    assert up.dtype == nptorch.uint8 and tuple(up.shape) == (1, 8, 8)
    assert int(up._data[0, 0, 0]) == 0 and int(up._data[0, 0, 1]) == 0   # clamped border, weights .75/.25
    with pytest.raises(ValueError, match="not supported for tensors"):
        F.resize(x, [2, 2], InterpolationMode.LANCZOS)


def test_center_crop():
    a = rgb(9, 12)
    out = T.CenterCrop((4, 5))(Image.fromarray(a))
    top, left = int(round((9 - 4) / 2)), int(round((12 - 5) / 2))
    np.testing.assert_array_equal(np.asarray(out), a[top:top + 4, left:left + 5])
    t = T.CenterCrop(4)(nptorch.from_numpy(a.transpose(2, 0, 1).copy()))
    np.testing.assert_array_equal(t._data, a.transpose(2, 0, 1)[:, 2:6, 4:8])
    big = T.CenterCrop((11, 12))(nptorch.ones(1, 9, 12))          # zero-padded 1 top, 1 bottom
    np.testing.assert_array_equal(big._data[0, :, 0], [0] + [1] * 9 + [0])
    assert np.asarray(T.CenterCrop(14)(Image.fromarray(a))).shape == (14, 14, 3)
    assert repr(T.CenterCrop(3)) == "CenterCrop(size=(3, 3))"
    with pytest.raises(ValueError, match="Please provide only two dimensions"):
        T.CenterCrop((1, 2, 3))


def test_flips():
    a = rgb()
    t = nptorch.from_numpy(a.transpose(2, 0, 1).copy())
    np.testing.assert_array_equal(np.asarray(T.RandomHorizontalFlip(1.0)(Image.fromarray(a))), a[:, ::-1])
    np.testing.assert_array_equal(np.asarray(T.RandomVerticalFlip(1.0)(Image.fromarray(a))), a[::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(1.0)(t)._data, a.transpose(2, 0, 1)[:, :, ::-1])
    np.testing.assert_array_equal(T.RandomVerticalFlip(1.0)(t)._data, a.transpose(2, 0, 1)[:, ::-1])
    assert T.RandomHorizontalFlip(0.0)(t) is t
    assert repr(T.RandomVerticalFlip(0.3)) == "RandomVerticalFlip(p=0.3)"
    nptorch.manual_seed(3)
    flips = [T.RandomHorizontalFlip()(t) is not t for _ in range(200)]
    assert 60 < sum(flips) < 140


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
@pytest.mark.parametrize("padding,widths", [(2, ((2, 2), (2, 2))), ((1, 3), ((3, 3), (1, 1))),
                                            ((1, 2, 3, 4), ((2, 4), (1, 3)))])
def test_pad_matches_numpy(mode, padding, widths):
    a = rgb(5, 6)
    kwargs = {"constant_values": 7} if mode == "constant" else {}
    want = np.pad(a, widths + ((0, 0),), mode=mode, **kwargs)
    out = T.Pad(padding, fill=7, padding_mode=mode)(Image.fromarray(a))
    np.testing.assert_array_equal(np.asarray(out), want)
    t = T.Pad(padding, fill=7, padding_mode=mode)(nptorch.from_numpy(a.transpose(2, 0, 1).copy()))
    np.testing.assert_array_equal(t._data, want.transpose(2, 0, 1))


def test_pad_fill_per_channel_negative_and_errors():
    out = np.asarray(T.Pad(1, fill=(1, 2, 3))(Image.fromarray(rgb(2, 2))))
    np.testing.assert_array_equal(out[0, 0], [1, 2, 3])
    gray = Image.fromarray(np.full((2, 2), 9, np.uint8))
    np.testing.assert_array_equal(np.asarray(T.Pad((1, 0), fill=4)(gray)), [[4, 9, 9, 4]] * 2)
    cropped = F.pad(nptorch.arange(16.).reshape(1, 4, 4), [-1, 0, 0, -1])
    np.testing.assert_array_equal(cropped._data[0], np.arange(16.).reshape(4, 4)[:3, 1:])
    assert repr(T.Pad(2)) == "Pad(padding=2, fill=0, padding_mode=constant)"
    with pytest.raises(ValueError, match="Padding must be an int or a 1, 2, or 4 element tuple, not a 3"):
        T.Pad((1, 2, 3))
    with pytest.raises(ValueError, match="Padding mode should be either"):
        T.Pad(1, padding_mode="wrap")
    with pytest.raises(TypeError, match="Got inappropriate padding arg"):
        T.Pad("1")
    with pytest.raises(TypeError, match="Got inappropriate fill arg"):
        T.Pad(1, fill="red")
    with pytest.raises(TypeError, match="Got inappropriate padding_mode arg"):
        T.Pad(1, padding_mode=None)
    with pytest.raises(ValueError, match="number of elements in 'fill'"):
        T.Pad(1, fill=(1, 2))(Image.fromarray(rgb(2, 2)))
    with pytest.raises(TypeError, match="img should be PIL Image or Tensor"):
        T.Pad(1)(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="Tensor is not a torch image"):
        T.Pad(1)(nptorch.zeros(3))


def test_random_crop_sizes_values_and_seed():
    a = rgb(9, 12)
    t = nptorch.from_numpy(a.transpose(2, 0, 1).copy())
    nptorch.manual_seed(0)
    first = [T.RandomCrop((4, 5))(Image.fromarray(a)) for _ in range(5)]
    nptorch.manual_seed(0)
    second = [T.RandomCrop((4, 5))(t) for _ in range(5)]
    for p, q in zip(first, second):
        assert p.size == (5, 4)
        np.testing.assert_array_equal(np.asarray(p).transpose(2, 0, 1), q._data)
    assert len({np.asarray(p).tobytes() for p in first}) > 1
    whole = T.RandomCrop((9, 12))(t)
    np.testing.assert_array_equal(whole._data, t._data)
    padded = T.RandomCrop(13, padding=2)(Image.fromarray(a))
    assert padded.size == (13, 13)
    needed = T.RandomCrop((10, 14), pad_if_needed=True, padding_mode="edge")(t)
    assert tuple(needed.shape) == (3, 10, 14)
    assert repr(T.RandomCrop(3, 1)) == "RandomCrop(size=(3, 3), padding=1)"
    with pytest.raises(ValueError,
                       match=r"Required crop size \(10, 4\) is larger than input image size \(9, 12\)"):
        T.RandomCrop((10, 4))(t)


def test_random_resized_crop():
    img = pil(20, 30)
    nptorch.manual_seed(5)
    params = [T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3)) for _ in range(20)]
    for i, j, h, w in params:
        assert 0 <= i <= 20 - h and 0 <= j <= 30 - w and h > 0 and w > 0
        assert 0.08 * 600 * 0.8 <= h * w <= 600 and 0.6 < w / h < 1.6
    nptorch.manual_seed(5)
    again = [T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3)) for _ in range(20)]
    assert params == again
    out = T.RandomResizedCrop((6, 7))(img)
    assert out.size == (7, 6)
    assert tuple(T.RandomResizedCrop(5)(nptorch.rand(3, 20, 30)).shape) == (3, 5, 5)
    # no random box fits: centre crop with the ratio clamped to 4/3
    assert T.RandomResizedCrop.get_params(pil(10, 40), (1.0, 1.0), (3 / 4, 4 / 3)) == (0, 13, 10, 13)
    assert T.RandomResizedCrop.get_params(pil(40, 10), (1.0, 1.0), (3 / 4, 4 / 3)) == (13, 0, 13, 10)
    assert repr(T.RandomResizedCrop(4)) == ("RandomResizedCrop(size=(4, 4), scale=(0.08, 1.0), "
                                            "ratio=(0.75, 1.3333), interpolation=bilinear, antialias=True)")
    with pytest.warns(UserWarning, match="Scale should be of kind"):
        T.RandomResizedCrop(4, scale=(1.0, 0.5))
    with pytest.raises(TypeError, match="Ratio should be a sequence"):
        T.RandomResizedCrop(4, ratio=1.0)


def test_random_rotation():
    a = rgb(9, 9)
    img = Image.fromarray(a)
    out = T.RandomRotation((30, 30), fill=5)(img)
    want = img.rotate(30, Image.NEAREST, fillcolor=(5, 5, 5))
    np.testing.assert_array_equal(np.asarray(out), np.asarray(want))
    t = nptorch.from_numpy(a.transpose(2, 0, 1).copy())
    quarter = T.RandomRotation((90, 90))(t)
    np.testing.assert_array_equal(quarter._data, np.rot90(a, 1).transpose(2, 0, 1))
    expanded = T.RandomRotation((90, 90), expand=True)(pil(4, 6))
    assert expanded.size == (4, 6)
    nptorch.manual_seed(1)
    angles = [T.RandomRotation.get_params([-10.0, 10.0]) for _ in range(50)]
    assert all(-10 <= x <= 10 for x in angles) and len(set(angles)) == 50
    assert repr(T.RandomRotation(10, center=(1, 2))) == (
        "RandomRotation(degrees=[-10.0, 10.0], interpolation=nearest, expand=False, center=(1, 2), fill=0)")
    with pytest.raises(ValueError, match="it must be positive"):
        T.RandomRotation(-1)
    with pytest.raises(ValueError, match="it must be of len 2"):
        T.RandomRotation((1, 2, 3))
    with pytest.raises(ValueError, match="If center is a sequence"):
        T.RandomRotation(1, center=(1,))
    with pytest.raises(TypeError, match="Fill should be either a sequence or a number"):
        T.RandomRotation(1, fill={})
    with pytest.raises(ValueError, match="not supported by rotate"):
        F.rotate(img, 10, InterpolationMode.BOX)


@pytest.mark.parametrize("name,enhancer", [("brightness", "Brightness"), ("contrast", "Contrast"),
                                           ("saturation", "Color")])
def test_color_jitter_fixed_factor_equals_image_enhance(name, enhancer):
    img = pil()
    out = T.ColorJitter(**{name: (1.4, 1.4)})(img)
    want = getattr(ImageEnhance, enhancer)(img).enhance(1.4)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(want))


def test_color_jitter_hue_and_tensor_paths():
    img = pil()
    out = T.ColorJitter(hue=(0.2, 0.2))(img)
    h, s, v = img.convert("HSV").split()
    h = Image.fromarray(((np.asarray(h).astype(int) + 51) % 256).astype(np.uint8), "L")
    np.testing.assert_array_equal(np.asarray(out), np.asarray(Image.merge("HSV", (h, s, v)).convert("RGB")))
    x = nptorch.rand(3, 5, 6)
    np.testing.assert_allclose(F.adjust_brightness(x, 0.5)._data, x._data * 0.5, rtol=1e-6)
    gray = (0.2989 * x._data[0] + 0.587 * x._data[1] + 0.114 * x._data[2])
    np.testing.assert_allclose(F.adjust_saturation(x, 0.0)._data, np.broadcast_to(gray, x.shape), rtol=1e-5)
    np.testing.assert_allclose(F.adjust_contrast(x, 0.0)._data, np.full(x.shape, gray.mean()), rtol=1e-5)
    np.testing.assert_allclose(F.adjust_hue(x, 0.0)._data, x._data, atol=1e-6)
    # a hue shift of one third of the wheel rotates pure red to pure green
    red = nptorch.tensor([[[1.0]], [[0.0]], [[0.0]]])
    np.testing.assert_allclose(F.adjust_hue(red, 1 / 3)._data.ravel(), [0, 1, 0], atol=1e-5)
    u8 = nptorch.from_numpy(rgb(3, 3).transpose(2, 0, 1).copy())
    assert F.adjust_hue(u8, 0.1).dtype == nptorch.uint8
    assert F.adjust_saturation(nptorch.rand(1, 2, 2), 0.3).shape == (1, 2, 2)
    nptorch.manual_seed(2)
    jitter = T.ColorJitter(0.4, 0.4, 0.4, 0.1)
    a = jitter(img)
    nptorch.manual_seed(2)
    np.testing.assert_array_equal(np.asarray(jitter(img)), np.asarray(a))
    assert repr(T.ColorJitter(brightness=0.5)) == (
        "ColorJitter(brightness=(0.5, 1.5), contrast=None, saturation=None, hue=None)")
    with pytest.raises(ValueError, match="If brightness is a single number, it must be non negative"):
        T.ColorJitter(brightness=-1)
    with pytest.raises(ValueError, match=r"hue values should be between \(-0.5, 0.5\)"):
        T.ColorJitter(hue=(0, 0.7))
    with pytest.raises(TypeError, match="contrast should be a single number or a list/tuple with length 2"):
        T.ColorJitter(contrast=(1, 2, 3))
    with pytest.raises(ValueError, match=r"hue_factor \(0.6\) is not in \[-0.5, 0.5\]"):
        F.adjust_hue(img, 0.6)
    with pytest.raises(ValueError, match=r"brightness_factor \(-1\) is not non-negative"):
        F.adjust_brightness(x, -1)
    with pytest.raises(TypeError, match=r"permitted channel values are \[1, 3\], but found 2"):
        F.adjust_contrast(nptorch.rand(2, 3, 3), 0.5)


def test_grayscale():
    img = pil()
    np.testing.assert_array_equal(np.asarray(T.Grayscale()(img)), np.asarray(img.convert("L")))
    three = T.Grayscale(3)(img)
    assert three.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(three)[..., 2], np.asarray(img.convert("L")))
    x = nptorch.rand(3, 4, 4)
    g = T.Grayscale(3)(x)
    assert tuple(g.shape) == (3, 4, 4)
    np.testing.assert_allclose(g._data[1], 0.2989 * x._data[0] + 0.587 * x._data[1] + 0.114 * x._data[2],
                               rtol=1e-6)
    assert repr(T.Grayscale(3)) == "Grayscale(num_output_channels=3)"
    with pytest.raises(ValueError, match="num_output_channels should be either 1 or 3"):
        T.Grayscale(2)(img)
    with pytest.raises(TypeError, match="img should be PIL Image"):
        F.to_grayscale(x)


def test_lambda_and_compose():
    pipeline = T.Compose([T.ToTensor(), T.Lambda(lambda t: t * 2)])
    out = pipeline(Image.fromarray(np.full((2, 2), 255, np.uint8)))
    np.testing.assert_array_equal(out._data, np.full((1, 2, 2), 2.0))
    assert repr(pipeline).startswith("Compose(\n    ToTensor()\n    Lambda()\n)")
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)


def test_random_erasing():
    x = nptorch.ones(3, 10, 10)
    nptorch.manual_seed(4)
    out = T.RandomErasing(p=1.0, value=(0, 0, 0))(x)
    erased = (out._data == 0).all(axis=0)
    rows, cols = np.nonzero(erased)
    box = erased[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    assert box.all() and 0 < erased.sum() < 100 and float(x._data.min()) == 1.0
    nptorch.manual_seed(4)
    np.testing.assert_array_equal(T.RandomErasing(p=1.0, value=0)(x)._data, out._data)
    noisy = T.RandomErasing(p=1.0, value="random")(x)
    assert (noisy._data != 1).sum() > 0
    same = T.RandomErasing(p=1.0, inplace=True, value=5)(x)
    assert same is x and float(x._data.max()) == 5.0
    assert T.RandomErasing(p=0.0)(x) is x
    assert repr(T.RandomErasing()) == ("RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), "
                                       "value=0, inplace=False)")
    with pytest.raises(ValueError, match="it should have either a single value or 3"):
        T.RandomErasing(p=1.0, value=(1, 2))(x)
    with pytest.raises(TypeError, match="Argument value should be either a number or str or a sequence"):
        T.RandomErasing(value=None)
    with pytest.raises(ValueError, match="If value is str, it should be 'random'"):
        T.RandomErasing(value="noise")
    with pytest.raises(TypeError, match="Scale should be a sequence"):
        T.RandomErasing(scale=0.5)
    with pytest.raises(TypeError, match="Ratio should be a sequence"):
        T.RandomErasing(ratio=0.5)
    with pytest.raises(ValueError, match="Scale should be between 0 and 1"):
        T.RandomErasing(scale=(0.5, 2))
    with pytest.raises(ValueError, match="Random erasing probability should be between 0 and 1"):
        T.RandomErasing(p=2)
    with pytest.warns(UserWarning, match="Scale and ratio should be of kind"):
        T.RandomErasing(scale=(0.3, 0.1))
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        F.erase(pil(), 0, 0, 1, 1, 0)


def test_dimensions_helpers():
    assert F.get_dimensions(pil(4, 5)) == [3, 4, 5]
    assert F.get_image_size(nptorch.zeros(2, 4, 5)) == [5, 4]
    assert F.get_image_num_channels(nptorch.zeros(4, 5)) == 1


def test_tensor_transforms_work_without_pillow():
    code = ("import sys; sys.modules['PIL'] = None\n"
            "import nptorch\n"
            "from nptorch.vision import transforms as T, datasets, utils\n"
            "x = T.Compose([T.Resize(4), T.CenterCrop(3), T.RandomHorizontalFlip(), T.Pad(1),\n"
            "               T.Normalize((0.5,), (0.5,))])(nptorch.rand(1, 8, 8))\n"
            "print(tuple(x.shape), 'PIL.Image' in sys.modules)")
    root = os.path.dirname(nptorch.__path__[0])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                         env={**os.environ, "PYTHONPATH": root})
    assert out.stdout.strip() == "(1, 5, 5) False", out.stderr
