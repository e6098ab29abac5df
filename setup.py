"""Builds nptorch's compiled extensions; the package metadata lives in pyproject.toml.

Every ``nptorch/_C/<name>.pyx`` becomes the extension ``nptorch._C.<name>``: adding a kernel module
needs no edit here. ``NPTORCH_CYTHON_DEBUG=1`` turns Cython's bounds, wraparound and
initialization checks back on (slow, for hunting memory errors).
"""
import os
import sys
from pathlib import Path

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

DEBUG = os.environ.get("NPTORCH_CYTHON_DEBUG", "") == "1"

COMPILER_DIRECTIVES = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "cdivision": True,
    "initializedcheck": DEBUG,
}

EXTENSIONS = [
    Extension(
        f"nptorch._C.{pyx.stem}",
        [pyx.as_posix()],
        include_dirs=[numpy.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )
    for pyx in sorted(Path("nptorch", "_C").glob("*.pyx"))
]


def _compiler_flags(compiler_type):
    """(compile args, link args): optimised, without debug info, with OpenMP where it exists."""
    if compiler_type == "msvc":
        return ["/O2", "/openmp"], []
    # -g0: Python's default -g makes each .so 5x larger. -fno-trapping-math: with traps possible
    # (they never are enabled here) gcc keeps float selects as branches and vectorises nothing.
    # -fno-math-errno: sqrt's errno (never read here) would keep its loops scalar.
    compile_args, link_args = ["-O3", "-g0", "-fno-trapping-math", "-fno-math-errno"], []
    if sys.platform != "darwin":  # Apple's clang ships no OpenMP runtime: prange runs serially there
        compile_args.append("-fopenmp")
        link_args.append("-fopenmp")
    return compile_args, link_args


def _debug_switch_flipped():
    """True when the previous build used the other NPTORCH_CYTHON_DEBUG setting.

    Timestamps cannot tell that the directives changed, so a flip forces both cythonize and the
    C compiler.
    """
    stamp = Path("build", "nptorch-cython-mode")
    mode = "debug" if DEBUG else "release"
    previous = stamp.read_text() if stamp.exists() else "release"
    stamp.parent.mkdir(exist_ok=True)
    stamp.write_text(mode)
    return previous != mode


FORCE = _debug_switch_flipped()


class BuildExt(build_ext):
    """Picks optimisation and OpenMP flags for the compiler in use."""

    def finalize_options(self):
        super().finalize_options()
        self.force = self.force or FORCE
        if self.parallel is None:
            self.parallel = os.cpu_count() or 1

    def build_extensions(self):
        compile_args, link_args = _compiler_flags(self.compiler.compiler_type)
        for ext in self.extensions:
            ext.extra_compile_args += compile_args
            ext.extra_link_args += link_args
        super().build_extensions()


setup(
    ext_modules=cythonize(EXTENSIONS, compiler_directives=COMPILER_DIRECTIVES, force=FORCE),
    cmdclass={"build_ext": BuildExt},
)
