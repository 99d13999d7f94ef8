"""The package's version (one place: setuptools and pickles read it)."""

__version__ = "0.1.0.dev0"
