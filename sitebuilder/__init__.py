"""The static export: the advice guides in content/ as a website and printable PDFs."""

from .builder import BuildConfig, BuildReport, build
from .errors import BuildError, Problem

__all__ = ["BuildConfig", "BuildError", "BuildReport", "Problem", "build"]
