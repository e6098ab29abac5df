"""Image transforms, as ``torchvision.transforms``: classes here, functions in ``functional``."""
from . import functional
from .functional import InterpolationMode
from .transforms import (CenterCrop, ColorJitter, Compose, Grayscale, Lambda, Normalize, Pad,
                         PILToTensor, RandomCrop, RandomErasing, RandomHorizontalFlip,
                         RandomResizedCrop, RandomRotation, RandomVerticalFlip, Resize, ToPILImage,
                         ToTensor)

__all__ = ["functional", "InterpolationMode", "CenterCrop", "ColorJitter", "Compose", "Grayscale",
           "Lambda", "Normalize", "Pad", "PILToTensor", "RandomCrop", "RandomErasing",
           "RandomHorizontalFlip", "RandomResizedCrop", "RandomRotation", "RandomVerticalFlip",
           "Resize", "ToPILImage", "ToTensor"]
