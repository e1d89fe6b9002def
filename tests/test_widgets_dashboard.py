"""ResultsDashboard, driven as a user would: set control values and click buttons."""

import html
import shutil
import warnings
from pathlib import Path

import pytest

pytest.importorskip("ipywidgets", minversion="8")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import nbcompare as nbc
from nbcompare.stats._render import format_number
from nbcompare.widgets import ResultsDashboard

DEMO_RESULTS = Path(__file__).resolve().parents[1] / "notebooks" / "data" / "digits-architectures"


@pytest.fixture
def results_dir(tmp_path):
    # Reading a results directory writes a Parquet cache, so read a copy.
    target = tmp_path / "digits-architectures"
    shutil.copytree(DEMO_RESULTS, target)
    return target


@pytest.fixture
def dashboard(results_dir, tmp_path):
    return ResultsDashboard(results_dir, export_dir=tmp_path / "export")


def _expected(results_dir, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return nbc.compare(nbc.ResultSet.from_directory(results_dir), **options)


def _adjusted(comparison):
    return {(p.model_a, p.model_b): p.pvalue_adjusted for p in comparison.pairwise}


def _assert_same(actual, expected):
    assert actual.candidates == expected.candidates
    assert actual.omnibus.test == expected.omnibus.test
    assert actual.omnibus.pvalue == pytest.approx(expected.omnibus.pvalue, rel=1e-12)
    assert _adjusted(actual).keys() == _adjusted(expected).keys()
    for pair, pvalue in _adjusted(expected).items():
        assert _adjusted(actual)[pair] == pytest.approx(pvalue, rel=1e-12, nan_ok=True)


def test_dashboard_defaults_match_compare(dashboard, results_dir):
    assert dashboard.metric.value == "accuracy"
    assert set(dashboard.candidates.value) == {"mlp", "resnet", "vit"}
    expected = _expected(results_dir, metric="accuracy", test="auto", correction="holm",
                         alpha=0.05, confidence_level=0.95)
    _assert_same(dashboard.comparison, expected)


def test_dashboard_controls_match_compare(dashboard, results_dir):
    dashboard.metric.value = "f1_macro"
    dashboard.test.value = "friedman"
    dashboard.alpha.value = 0.1
    dashboard.confidence_level.value = 0.9
    dashboard.correction.value = "fdr_bh"

    expected = _expected(results_dir, metric="f1_macro", test="friedman", correction="fdr_bh",
                         alpha=0.1, confidence_level=0.9)
    _assert_same(dashboard.comparison, expected)
    assert dashboard.comparison.alpha == 0.1
    assert dashboard.comparison.confidence_level == 0.9
    assert dashboard.error is None


def test_classic_test_is_compare_default(dashboard, results_dir):
    dashboard.test.value = "classic"
    assert dashboard.options()["test"] is None
    _assert_same(dashboard.comparison, _expected(results_dir, metric="accuracy"))


def test_table_shows_summary_means(dashboard):
    summary = dashboard.comparison.summary_frame()
    assert len(summary) == 3
    for candidate, mean in zip(summary["candidate"], summary["mean"]):
        assert f"<td>{candidate}</td>" in dashboard.table.value
        assert f"<td>{format_number(mean)}</td>" in dashboard.table.value


def test_summary_has_sentences_and_reasons(dashboard):
    text = html.unescape(dashboard.summary.value)
    assert "<strong>resnet</strong> ranks first" in text
    assert "p = " in text
    for reason in dashboard.comparison.reasons:
        assert reason in text


def test_bonferroni_multiplies_raw_pvalues(dashboard):
    holm = _adjusted(dashboard.comparison)
    dashboard.correction.value = "bonferroni"
    bonferroni = dashboard.comparison

    assert bonferroni.correction == "bonferroni"
    assert _adjusted(bonferroni) != holm
    family = len(bonferroni.pairwise)
    for pair in bonferroni.pairwise:
        assert pair.pvalue_adjusted == pytest.approx(min(1.0, pair.pvalue * family), rel=1e-12)


def test_one_candidate_shows_error_keeps_comparison(dashboard):
    previous = dashboard.comparison
    previous_table = dashboard.table.value
    dashboard.candidates.value = ("mlp",)

    assert dashboard.comparison is previous
    assert dashboard.table.value == previous_table
    assert isinstance(dashboard.error, ValueError)
    assert "at least 2 candidates" in dashboard.message.value


def test_unfit_test_shows_error(dashboard):
    previous = dashboard.comparison
    dashboard.test.value = "wilcoxon"

    assert dashboard.comparison is previous
    assert "compares 2 candidates" in dashboard.message.value


def test_two_candidates_with_wilcoxon(dashboard, results_dir):
    dashboard.candidates.value = ("mlp", "vit")
    dashboard.test.value = "wilcoxon"

    expected = _expected(results_dir, metric="accuracy", test="wilcoxon", candidates=["mlp", "vit"])
    _assert_same(dashboard.comparison, expected)
    assert dashboard.error is None


def test_invalid_alpha_shows_error(dashboard):
    previous = dashboard.comparison
    dashboard.alpha.value = 0.0

    assert dashboard.comparison is previous
    assert "alpha" in dashboard.message.value


def test_code_reproduces_pvalues(dashboard):
    dashboard.correction.value = "bonferroni"
    dashboard.test.value = "friedman"
    dashboard.candidates.value = ("resnet", "vit")
    dashboard.test.value = "classic"
    namespace = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(dashboard.code(), namespace)

    _assert_same(namespace["comparison"], dashboard.comparison)
    assert "candidates=['resnet', 'vit']" in dashboard.code()


def test_code_with_resultset_uses_variable(results_dir):
    results = nbc.ResultSet.from_directory(results_dir)
    results.source = None
    dashboard = ResultsDashboard(results)
    namespace = {"results": results}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(dashboard.code(), namespace)

    _assert_same(namespace["comparison"], dashboard.comparison)
    assert dashboard.export_report() is None
    assert "needs a results directory" in dashboard.message.value


def test_figures_keep_study_palette(dashboard):
    full = dict(dashboard.palette)
    dashboard.candidates.value = ("mlp", "vit")
    assert dashboard.palette == full
    assert set(full) == {"mlp", "resnet", "vit"}


def test_export_figures_button_writes_files(dashboard, tmp_path):
    dashboard.export_figures_button.click()

    export = tmp_path / "export"
    for name in ("accuracy_ci.pdf", "accuracy_ci.png", "accuracy_cd.pdf", "accuracy_cd.png"):
        assert (export / name).stat().st_size > 0, name
    assert "Wrote" in dashboard.message.value


def test_export_latex_button_writes_table(dashboard, tmp_path):
    dashboard.export_latex_button.click()

    text = (tmp_path / "export" / "accuracy_table.tex").read_text(encoding="utf-8")
    assert r"\toprule" in text
    assert "resnet" in text


@pytest.mark.slow
def test_report_button_writes_report(dashboard):
    # Runs the real report: a notebook executed in a new kernel and exported to HTML.
    dashboard.correction.value = "hommel"
    dashboard.export_report_button.click()
    dashboard.wait_report(timeout=300)

    reports = list(Path(dashboard.export_dir.value).glob("*-report.html"))
    assert len(reports) == 1
    html = reports[0].read_text(encoding="utf-8")
    assert "Hommel" in html
    assert str(reports[0]) in dashboard.message.value


def test_unknown_metric_raises(results_dir):
    with pytest.raises(ValueError, match="not in the results"):
        ResultsDashboard(results_dir, metric="bleu")
