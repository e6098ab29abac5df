"""Image datasets, as ``torchvision.datasets``: MNIST and FashionMNIST from their IDX files,
ImageFolder / DatasetFolder over a directory tree, and scikit-learn's bundled 8x8 Digits.

Nothing is downloaded: the files must already be on disk.
"""
import gzip
import os

import numpy as np

from .._tensor import Tensor


class VisionDataset:
    """Base of the image datasets: ``root``, ``transform``, ``target_transform`` and a readable repr."""
    _repr_indent = 4

    def __init__(self, root=None, transform=None, target_transform=None):
        self.root = os.path.expanduser(root) if isinstance(root, str) else root
        self.transform = transform
        self.target_transform = target_transform

    def _apply(self, img, target):
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def extra_repr(self):
        return ""

    def __repr__(self):
        body = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        for name, t in (("Transform", self.transform), ("Target transform", self.target_transform)):
            if t is not None:
                lines = repr(t).splitlines()
                body += [f"{name}: {lines[0]}"] + [" " * (len(name) + 2) + line for line in lines[1:]]
        return "\n".join([f"Dataset {self.__class__.__name__}"]
                         + [" " * self._repr_indent + line for line in body])


# ----------------------------------------------------------------------------- IDX / MNIST

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
               0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path, ndim=None):
    """Read an IDX file (optionally gzipped) into an ndarray, checking its header and size."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise RuntimeError(f"{path} is not an IDX file: bad magic number {raw[:4].hex()}")
    dims = raw[3]
    if ndim is not None and dims != ndim:
        raise RuntimeError(f"{path}: expected an IDX file with {ndim} dimensions, got {dims} "
                           f"(magic number {raw[:4].hex()})")
    header = 4 + 4 * dims
    if len(raw) < header:
        raise RuntimeError(f"{path} is truncated: the header needs {header} bytes, the file has {len(raw)}")
    shape = tuple(int.from_bytes(raw[4 + 4 * k:8 + 4 * k], "big") for k in range(dims))
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise RuntimeError(f"{path} has {len(raw)} bytes, but its header {shape} needs {expected}")
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


class MNIST(VisionDataset):
    """The MNIST digits, read from the original IDX files.

    The files (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
    ``t10k-labels-idx1-ubyte``, each optionally ``.gz``) are looked up in ``root`` and in
    ``root/MNIST/raw`` (torchvision's layout). Items are ``(PIL image of mode 'L', int label)``.
    Nothing is downloaded: ``download=True`` is accepted when the files are present (so torchvision
    scripts run unchanged) and raises, saying where to put them, when they are not.

    Attributes:
        data: uint8 tensor ``(N, 28, 28)``.
        targets: int64 tensor ``(N,)``.
    """
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six",
               "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform, target_transform)
        self.train = train
        prefix = "train" if train else "t10k"
        names = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
        images_path, labels_path = (self._find(name, download) for name in names)
        images = read_idx(images_path, ndim=3)
        labels = read_idx(labels_path, ndim=1)
        if images.dtype != np.uint8 or labels.dtype != np.uint8:
            raise RuntimeError(f"{images_path} and {labels_path} should hold unsigned bytes")
        if len(images) != len(labels):
            raise RuntimeError(f"{images_path} has {len(images)} images but {labels_path} has "
                               f"{len(labels)} labels")
        self.data = Tensor._make(images)
        self.targets = Tensor._make(labels.astype(np.int64))

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    def _find(self, name, download):
        for folder in (self.root, self.raw_folder):
            for candidate in (name, name + ".gz"):
                path = os.path.join(folder, candidate)
                if os.path.isfile(path):
                    return path
        where = f"{self.root} or {self.raw_folder}"
        if download:
            raise RuntimeError(f"Downloading is not supported: put {name} (or {name}.gz) in {where}")
        raise RuntimeError(f"Dataset not found: {name} (or {name}.gz) is missing from {where}")

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        from PIL import Image
        img = Image.fromarray(self.data._data[index], mode="L")
        return self._apply(img, int(self.targets._data[index]))

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando), in MNIST's file format; the layout folder is ``root/FashionMNIST/raw``."""
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
               "Bag", "Ankle boot"]


# ----------------------------------------------------------------------------- folders

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename, extensions):
    return filename.lower().endswith(extensions if isinstance(extensions, str) else tuple(extensions))


def is_image_file(filename):
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def pil_loader(path):
    """Open an image file as RGB."""
    from PIL import Image
    with open(path, "rb") as f:
        return Image.open(f).convert("RGB")


default_loader = pil_loader


def find_classes(directory):
    """The sorted sub-folder names of ``directory`` and their indices."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None, allow_empty=False):
    """``(path, class_index)`` for every valid file under ``directory/<class>/``, in sorted order."""
    directory = os.path.expanduser(directory)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
    if extensions is not None:
        def is_valid_file(path):
            return has_file_allowed_extension(path, extensions)
    instances, found = [], set()
    for target_class in sorted(class_to_idx):
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        for root, _, fnames in sorted(os.walk(target_dir, followlinks=True)):
            for fname in sorted(fnames):
                path = os.path.join(root, fname)
                if is_valid_file(path):
                    instances.append((path, class_to_idx[target_class]))
                    found.add(target_class)
    empty = set(class_to_idx) - found
    if empty and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            listed = extensions if isinstance(extensions, str) else ", ".join(extensions)
            msg += f"Supported extensions are: {listed}"
        raise FileNotFoundError(msg)
    return instances


class DatasetFolder(VisionDataset):
    """Samples arranged as ``root/<class>/**/<file>``; classes are the sorted sub-folders.

    Attributes:
        classes: class names; ``class_to_idx``: name to index;
        samples: ``(path, class_index)`` list; ``targets``: the class index of each sample.
    """

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None,
                 is_valid_file=None, allow_empty=False):
        super().__init__(root, transform, target_transform)
        self.classes, self.class_to_idx = self.find_classes(self.root)
        self.samples = make_dataset(self.root, self.class_to_idx, extensions, is_valid_file,
                                    allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.targets = [s[1] for s in self.samples]

    @staticmethod
    def find_classes(directory):
        return find_classes(directory)

    def __getitem__(self, index):
        path, target = self.samples[index]
        return self._apply(self.loader(path), target)

    def __len__(self):
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """Images arranged as ``root/<class>/<image>``, loaded as RGB PIL images by default."""

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader,
                 is_valid_file=None, allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform,
                         target_transform, is_valid_file, allow_empty)
        self.imgs = self.samples


# ----------------------------------------------------------------------------- Digits

class Digits(VisionDataset):
    """scikit-learn's bundled 8x8 handwritten digits (1,797 images, no download).

    The split is fixed: the first 1,437 images are ``train=True``, the last 360 ``train=False``.
    Pixel values 0-16 are scaled to 0-255 (``round(v * 255 / 16)``); items are
    ``(PIL image of mode 'L', int label)`` as in :class:`MNIST`.

    Attributes:
        data: uint8 tensor ``(N, 8, 8)``.
        targets: int64 tensor ``(N,)``.
    """
    classes = [str(d) for d in range(10)]
    train_size = 1437

    def __init__(self, train=True, transform=None, target_transform=None):
        super().__init__(None, transform, target_transform)
        try:
            from sklearn.datasets import load_digits
        except ImportError as e:
            raise ImportError("Digits needs scikit-learn (pip install scikit-learn)") from e
        digits = load_digits()
        split = slice(None, self.train_size) if train else slice(self.train_size, None)
        self.train = train
        images = np.round(digits.images[split] * (255.0 / 16.0)).astype(np.uint8)
        self.data = Tensor._make(images)
        self.targets = Tensor._make(digits.target[split].astype(np.int64))

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        from PIL import Image
        img = Image.fromarray(self.data._data[index], mode="L")
        return self._apply(img, int(self.targets._data[index]))

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


__all__ = ["VisionDataset", "MNIST", "FashionMNIST", "DatasetFolder", "ImageFolder", "Digits",
           "IMG_EXTENSIONS", "default_loader", "pil_loader", "find_classes", "make_dataset",
           "has_file_allowed_extension", "is_image_file", "read_idx"]
