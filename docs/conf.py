"""Sphinx configuration of the skperceptron documentation."""

import os
import warnings

import skperceptron

project = "skperceptron"
author = "the skperceptron developers"
copyright = "2026, the skperceptron developers"
release = version = skperceptron.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax shipped with the docs (no CDN): math renders offline
    "sphinx-mathjax-offline",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = [
    "_build",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.md5",
    "auto_examples/*.codeobj.json",
    "sg_execution_times.rst",
    "benchmark_results.md",  # included by benchmarks.md
    "tables_results.md",  # included by user_guide/tables.md
]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

intersphinx_mapping = {}  # no network at build time: links stay plain text

html_theme = "pydata_sphinx_theme"
html_title = f"skperceptron {version}"
html_theme_options = {"navigation_depth": 2, "show_toc_level": 2}

os.environ.setdefault("MPLBACKEND", "Agg")
warnings.filterwarnings(
    "ignore", category=UserWarning, message="Matplotlib is currently using agg"
)
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "only_warn_on_example_error": False,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "reset_modules": ("matplotlib", "seaborn"),
    "write_computation_times": False,
}

templates_path = ["_templates"]


def _skip_metadata_requests(app, what, name, obj, skip, options):
    """scikit-learn's generated set_*_request methods are documented there."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_requests)
