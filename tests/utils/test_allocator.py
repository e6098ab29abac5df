"""glibc malloc tuning at import: applied on glibc, left alone when the user chose otherwise."""
import platform

import pytest

from nptorch._allocator import _glibc, tune_malloc

glibc_only = pytest.mark.skipif(not _glibc(), reason="malloc tuning exists only on glibc")


@glibc_only
def test_applied_by_default():
    assert tune_malloc({}) is True


@glibc_only
def test_unrelated_glibc_tunables_do_not_stop_it():
    assert tune_malloc({"GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX512F"}) is True


@pytest.mark.parametrize("environ", [
    {"NPTORCH_MALLOC_TUNING": "0"},
    {"MALLOC_MMAP_THRESHOLD_": "131072"},
    {"MALLOC_TRIM_THRESHOLD_": "131072"},
    {"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=131072"},
])
def test_user_choice_wins(environ):
    assert tune_malloc(environ) is False


def test_glibc_detection_agrees_with_platform():
    assert _glibc() == (platform.libc_ver()[0] == "glibc")
