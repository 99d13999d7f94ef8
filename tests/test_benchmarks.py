"""The benchmark scripts stay runnable (timings themselves are never asserted)."""

import importlib.util
import json
import pathlib

import pytest

BENCH = pathlib.Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_runner_has_every_section_and_kernel_rows_run(capsys):
    run = _load("run")
    for name in (
        "gemm_peak",
        "run_kernel_rows",
        "run_compile_rows",
        "run_fit_rows",
        "run_perceptron_rows",
        "run_predict_rows",
        "run_training_option_rows",
        "run_thread_rows",
        "run_dask_rows",
        "main",
    ):
        assert callable(getattr(run, name))
    rows = run.run_kernel_rows()
    assert all(row["ns_per_element"] > 0 for row in rows)
    assert "ns/element" in capsys.readouterr().out


def test_markdown_report_has_provenance_and_tables():
    _load("run")  # puts the benchmark modules on the path
    report = _load("report")
    results = {
        "kernels": [{"kernel": "adam step", "ns_per_element": 1.5}],
        "fit": [
            {"workload": "digits", "ours_s": 0.5, "sklearn_s": 1.5, "ratio": 1 / 3}
        ],
    }
    page = report.markdown(results, quick=True)
    assert "commit" in page and "numba" in page and "cores" in page
    assert "| digits | 0.5000 | 1.500 | 0.33 |" in page
    assert "| adam step | 1.50 |" in page


def test_results_chart(tmp_path):
    pytest.importorskip("matplotlib", reason="the chart needs matplotlib")
    rows = [{"workload": "a", "ratio": 0.5}, {"workload": "b", "ratio": 1.2}]
    source = tmp_path / "results.json"
    source.write_text(json.dumps({"fit": rows, "perceptron": rows[:1], "predict": []}))
    _load("plot_results").main(source, tmp_path / "chart.png")
    assert (tmp_path / "chart.png").stat().st_size > 1000
