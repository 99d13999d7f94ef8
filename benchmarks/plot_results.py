"""Draw the fit-time ratios of a ``benchmarks/run.py --json`` file as a bar chart.

Usage::

    python benchmarks/plot_results.py results.json docs/_static/benchmark.png
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(source, target):
    with open(source) as f:
        results = json.load(f)
    rows = results["fit"] + results["perceptron"] + results["predict"]
    names = [row["workload"] for row in rows]
    ratios = [row["ratio"] for row in rows]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1))
    bars = ax.barh(range(len(rows)), ratios, color="tab:blue")
    ax.axvline(1.0, color="k", lw=1, linestyle="--")
    ax.set_yticks(range(len(rows)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("skperceptron time / scikit-learn time (lower is faster)")
    for bar, ratio in zip(bars, ratios):
        ax.text(
            bar.get_width() + 0.02,
            bar.get_y() + bar.get_height() / 2,
            f"{ratio:.2f}",
            va="center",
            fontsize=8,
        )
    floors = [
        (i, row["gemm_floor_ratio"])
        for i, row in enumerate(rows)
        if "gemm_floor_ratio" in row
    ]
    if floors:
        ax.plot(
            [f for _, f in floors],
            [i for i, _ in floors],
            "k|",
            markersize=14,
            label="matrix products alone (BLAS floor)",
        )
        ax.legend(loc="center right", fontsize=8)
    ax.set_xlim(0, max(1.1, max(ratios) + 0.2))
    fig.tight_layout()
    fig.savefig(target, dpi=110)


if __name__ == "__main__":
    main(*sys.argv[1:3])
