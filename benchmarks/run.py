"""Time skperceptron against scikit-learn (and PyTorch where installed) in one run.

Usage::

    python benchmarks/run.py                 # every workload
    python benchmarks/run.py --quick         # small workloads only
    python benchmarks/run.py --json out.json # also write the results
    python benchmarks/run.py --markdown docs/benchmark_results.md
    python benchmarks/run.py --dask          # only the dask row (2,000,000 x 50)

Each workload fits both libraries on the same data with the same
hyperparameters, epochs and batch size, alternately (a busy spell slows both
alike), and prints fit times, their ratio (ours / theirs; below 1 is faster)
and the test scores. The sections live in their own modules: ``fits.py``
(minibatch and L-BFGS fits with their matrix-product floors, PyTorch's
seconds per epoch, peak memory, the training options' costs),
``perceptron_rows.py`` (dense, threaded and sparse Perceptron fits with the
sparse rows' floor), ``calls.py`` (one-row predictions, partial_fit streams,
kernel nanoseconds), ``cold.py`` (JIT compile time and cold starts),
``fresh.py`` (fresh processes side by side with scikit-learn: import,
serving, first fits, grid searches, hostile installs, a busy machine) and
``dask_rows.py``. ``--markdown`` writes the tables, with the
machine, versions, date and commit, as the page docs/benchmarks.md includes.
"""

import argparse
import json
import os
import platform
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from calls import run_kernel_rows, run_partial_fit_rows, run_predict_rows  # noqa: E402
from cold import run_cold_start_rows, run_compile_rows  # noqa: E402
from common import PEAKS, gemm_peak  # noqa: E402
from dask_rows import run_dask_rows  # noqa: E402
from fits import run_fit_rows, run_training_option_rows  # noqa: E402
from fresh import run_busy_rows, run_fresh_rows  # noqa: E402
from perceptron_rows import (  # noqa: E402
    run_perceptron_rows,
    run_sparse_perceptron_rows,
    run_thread_rows,
)
from report import markdown  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

import skperceptron  # noqa: E402

warnings.simplefilter("ignore", ConvergenceWarning)

__all__ = [
    "gemm_peak",
    "run_kernel_rows",
    "run_compile_rows",
    "run_cold_start_rows",
    "run_fit_rows",
    "run_perceptron_rows",
    "run_thread_rows",
    "run_sparse_perceptron_rows",
    "run_predict_rows",
    "run_partial_fit_rows",
    "run_training_option_rows",
    "run_dask_rows",
    "run_fresh_rows",
    "run_busy_rows",
    "main",
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 60000x784 rows")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--markdown", help="write the results' tables to this file")
    parser.add_argument(
        "--dask",
        action="store_true",
        help="run only the dask row (needs dask[distributed])",
    )
    parser.add_argument(
        "--dask-rows",
        type=int,
        default=2_000_000,
        help="rows of the dask workload (default 2,000,000)",
    )
    args = parser.parse_args(argv)

    print(
        f"skperceptron {skperceptron.__version__} | numpy {np.__version__} | "
        f"{platform.processor() or platform.machine()} | {os.cpu_count()} cores"
    )
    if args.dask:
        print(f"{'workload':<42}{'dask [s]':>10}{'memory':>10}{'ratio':>8}")
        results = {"dask": run_dask_rows(args.dask_rows)}
    else:
        print(
            f"{'workload':<42}{'ours [s]':>10}{'sklearn':>10}{'ratio':>8}"
            f"{'ours sc':>9}{'sk sc':>9}{'epochs':>8}"
        )
        PEAKS.update(gemm_peak())
        results = {
            "kernels": run_kernel_rows(),
            "compile": run_compile_rows() + run_cold_start_rows(),
            "fit": run_fit_rows(args.quick),
            "perceptron": run_perceptron_rows(args.quick),
            "threads": run_thread_rows(),
            "sparse_perceptron": run_sparse_perceptron_rows(),
            "predict": run_predict_rows(),
            "partial_fit": run_partial_fit_rows(),
            "training_options": run_training_option_rows(),
            "fresh": run_fresh_rows(),
            "busy": run_busy_rows(),
        }
        results["gemm_peak_gflops"] = dict(PEAKS)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown(results, args.quick))


if __name__ == "__main__":
    main()
