import gzip
import os
import struct

import numpy as np
import pytest

import nptorch
from nptorch.vision import datasets, transforms

Image = pytest.importorskip("PIL.Image")

SHARED_MNIST = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "mnist")


def idx_bytes(array, magic_type=0x08):
    header = bytes([0, 0, magic_type, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write(path, payload, gz):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if gz:
        path += ".gz"
        payload = gzip.compress(payload)
    with open(path, "wb") as f:
        f.write(payload)


def fake_mnist(folder, n=5, gz=False, prefix="t10k"):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    write(os.path.join(folder, f"{prefix}-images-idx3-ubyte"), idx_bytes(images), gz)
    write(os.path.join(folder, f"{prefix}-labels-idx1-ubyte"), idx_bytes(labels), gz)
    return images, labels


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("layout", ["flat", "torchvision"])
def test_mnist_reads_idx(tmp_path, gz, layout):
    folder = tmp_path if layout == "flat" else tmp_path / "MNIST" / "raw"
    images, labels = fake_mnist(str(folder), gz=gz)
    ds = datasets.MNIST(str(tmp_path), train=False)
    assert len(ds) == 5
    assert ds.data.dtype == nptorch.uint8 and tuple(ds.data.shape) == (5, 28, 28)
    assert ds.targets.dtype == nptorch.int64
    np.testing.assert_array_equal(ds.data._data, images)
    np.testing.assert_array_equal(ds.targets._data, labels)
    img, label = ds[3]
    assert img.mode == "L" and label == int(labels[3]) and type(label) is int
    np.testing.assert_array_equal(np.asarray(img), images[3])


def test_mnist_transforms_and_repr(tmp_path):
    images, labels = fake_mnist(str(tmp_path), prefix="train")
    ds = datasets.MNIST(str(tmp_path), transform=transforms.ToTensor(), target_transform=lambda y: y + 100)
    x, y = ds[0]
    assert tuple(x.shape) == (1, 28, 28) and x.dtype == nptorch.float32
    np.testing.assert_allclose(x._data[0], images[0] / 255.0, rtol=1e-6)
    assert y == int(labels[0]) + 100
    text = repr(ds)
    assert text.startswith("Dataset MNIST\n    Number of datapoints: 5\n")
    assert "    Split: Train" in text and "    Transform: ToTensor()" in text
    assert ds.class_to_idx["3 - three"] == 3


def test_fashion_mnist_layout(tmp_path):
    fake_mnist(str(tmp_path / "FashionMNIST" / "raw"), gz=True)
    ds = datasets.FashionMNIST(str(tmp_path), train=False)
    assert len(ds) == 5 and ds.classes[9] == "Ankle boot"
    with pytest.raises(RuntimeError, match="Dataset not found"):
        datasets.MNIST(str(tmp_path), train=False)


def test_mnist_errors(tmp_path):
    with pytest.raises(RuntimeError, match=r"Downloading is not supported: put train-images-idx3-ubyte \(or "
                                           r"train-images-idx3-ubyte.gz\) in .*MNIST/raw"):
        datasets.MNIST(str(tmp_path), download=True)
    with pytest.raises(RuntimeError, match="Dataset not found: train-images-idx3-ubyte"):
        datasets.MNIST(str(tmp_path))
    images, labels = fake_mnist(str(tmp_path))
    assert len(datasets.MNIST(str(tmp_path), train=False, download=True)) == 5   # files present
    bad = tmp_path / "bad"
    write(str(bad / "t10k-images-idx3-ubyte"), b"\x12\x34\x08\x03" + idx_bytes(images)[4:], False)
    write(str(bad / "t10k-labels-idx1-ubyte"), idx_bytes(labels), False)
    with pytest.raises(RuntimeError, match="is not an IDX file: bad magic number 12340803"):
        datasets.MNIST(str(bad), train=False)
    write(str(bad / "t10k-images-idx3-ubyte"), idx_bytes(labels), False)
    with pytest.raises(RuntimeError, match="expected an IDX file with 3 dimensions, got 1"):
        datasets.MNIST(str(bad), train=False)
    write(str(bad / "t10k-images-idx3-ubyte"), idx_bytes(images)[:-10], False)
    with pytest.raises(RuntimeError, match=r"has 3926 bytes, but its header \(5, 28, 28\) needs 3936"):
        datasets.MNIST(str(bad), train=False)
    write(str(bad / "t10k-images-idx3-ubyte"), b"\x00\x00\x08\x03\x00", False)
    with pytest.raises(RuntimeError, match="is truncated: the header needs 16 bytes"):
        datasets.MNIST(str(bad), train=False)
    write(str(bad / "t10k-images-idx3-ubyte"), idx_bytes(images[:4]), False)
    with pytest.raises(RuntimeError, match="has 4 images but .* has 5 labels"):
        datasets.MNIST(str(bad), train=False)
    header = bytes([0, 0, 0x0C, 1]) + struct.pack(">I", 5)
    write(str(bad / "t10k-images-idx3-ubyte"), idx_bytes(images), False)
    write(str(bad / "t10k-labels-idx1-ubyte"), header + np.arange(5, dtype=">i4").tobytes(), False)
    with pytest.raises(RuntimeError, match="should hold unsigned bytes"):
        datasets.MNIST(str(bad), train=False)
    np.testing.assert_array_equal(datasets.read_idx(str(bad / "t10k-labels-idx1-ubyte")), np.arange(5))


@pytest.mark.skipif(not os.path.isdir(SHARED_MNIST), reason="shared MNIST data not present")
def test_real_mnist_test_set():
    ds = datasets.MNIST(SHARED_MNIST, train=False)
    assert len(ds) == 10000 and tuple(ds.data.shape) == (10000, 28, 28)
    assert sorted(set(ds.targets._data.tolist())) == list(range(10))
    img, label = ds[0]
    assert label == 7 and img.size == (28, 28)


def make_tree(root):
    colors = {"cat": [(255, 0, 0), (0, 255, 0)], "dog": [(0, 0, 255)]}
    for cls, values in colors.items():
        os.makedirs(os.path.join(root, cls))
        for k, value in enumerate(values):
            Image.new("RGB", (3, 2), value).save(os.path.join(root, cls, f"{k}.png"))
    Image.new("L", (3, 2), 9).save(os.path.join(root, "dog", "gray.png"))
    with open(os.path.join(root, "dog", "notes.txt"), "w") as f:
        f.write("not an image")


def test_image_folder(tmp_path):
    make_tree(str(tmp_path))
    ds = datasets.ImageFolder(str(tmp_path))
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert [os.path.basename(p) for p, _ in ds.samples] == ["0.png", "1.png", "0.png", "gray.png"]
    assert ds.targets == [0, 0, 1, 1] and ds.imgs == ds.samples and len(ds) == 4
    img, target = ds[1]
    assert img.mode == "RGB" and target == 0 and img.getpixel((0, 0)) == (0, 255, 0)
    assert ds[3][0].mode == "RGB"                                   # gray file converted to RGB
    x, _ = datasets.ImageFolder(str(tmp_path), transform=transforms.ToTensor())[2]
    np.testing.assert_array_equal(x._data[:, 0, 0], [0, 0, 1])
    only_gray = datasets.ImageFolder(str(tmp_path), is_valid_file=lambda p: "gray" in p, allow_empty=True)
    assert only_gray.targets == [1]
    texts = datasets.DatasetFolder(str(tmp_path), loader=lambda p: open(p).read(), extensions=".txt",
                                   allow_empty=True)
    assert texts[0] == ("not an image", 1)


def test_image_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(str(tmp_path))
    make_tree(str(tmp_path))
    with pytest.raises(FileNotFoundError,
                       match=r"Found no valid file for the classes cat. Supported extensions are: .txt"):
        datasets.DatasetFolder(str(tmp_path), loader=open, extensions=".txt")
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None or not None"):
        datasets.DatasetFolder(str(tmp_path), loader=open)


def test_digits():
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits
    digits = load_digits()
    train, test = datasets.Digits(), datasets.Digits(train=False)
    assert len(train) == 1437 and len(test) == 360
    assert train.data.dtype == nptorch.uint8 and tuple(train.data.shape) == (1437, 8, 8)
    assert test.targets.dtype == nptorch.int64
    np.testing.assert_array_equal(test.targets._data, digits.target[1437:])
    np.testing.assert_array_equal(train.data._data[0], np.round(digits.images[0] * 255 / 16))
    assert int(train.data._data.max()) == 255
    img, label = test[0]
    assert img.mode == "L" and img.size == (8, 8) and label == int(digits.target[1437])
    x, _ = datasets.Digits(transform=transforms.ToTensor())[0]
    assert tuple(x.shape) == (1, 8, 8) and float(x._data.max()) <= 1.0
    assert "Split: Test" in repr(test)
