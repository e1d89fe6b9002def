"""ResultsDashboard, driven as a user would: set control values and click buttons."""

import base64
import html
import re
import shutil
import warnings
from pathlib import Path

import pytest

pytest.importorskip("ipywidgets", minversion="8")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import nbcompare as nbc
from nbcompare.stats._render import format_number, format_pvalue
from nbcompare.widgets import ResultsDashboard
from nbcompare.widgets._snapshot import MAX_FIGURE_BYTES, SNAPSHOT_CLASS

DEMO_RESULTS = Path(__file__).resolve().parents[1] / "notebooks" / "data" / "digits-architectures"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SCRIPT_NAME = "<script>alert(1)</script>"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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


def test_summary_sentences_and_table_reasons(dashboard):
    text = html.unescape(dashboard.summary.value)
    table = html.unescape(dashboard.table.value)
    assert "<strong>resnet</strong> ranks first" in text
    assert "p = " in text
    # The reasons appear once, in the table's HTML under the summary.
    for reason in dashboard.comparison.reasons:
        assert reason not in text
        assert reason in table


def test_figures_output_holds_two_pngs(dashboard):
    import base64

    outputs = dashboard.figures.outputs
    assert len(outputs) == 2
    for output in outputs:
        assert output["output_type"] == "display_data"
        assert base64.b64decode(output["data"]["image/png"]).startswith(b"\x89PNG")
    assert "accuracy" in outputs[1]["data"]["text/plain"]


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


# --- Static snapshot (text/html of the output) ----------------------------------------------


def _tables(snapshot):
    """Return the snapshot's tables as lists of rows, each a list of cell texts."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(snapshot, "html.parser")
    return [[[cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
             for row in table.find_all("tr")]
            for table in soup.find_all("table")]


def _png_images(snapshot):
    return [base64.b64decode(data) for data in
            re.findall(r'<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', snapshot)]


def _summary_means(snapshot):
    header, *rows = _tables(snapshot)[0]
    column = header.index("mean")
    return {row[0]: row[column] for row in rows}


def _adjusted_pvalue_cell(snapshot, model_a, model_b):
    header, *rows = _tables(snapshot)[1]
    column = next(i for i, name in enumerate(header) if name.startswith("p (") and "uncorrected" not in name)
    return next(row[column] for row in rows if row[:2] == [model_a, model_b])


def test_mimebundle_has_view_html_text(dashboard):
    bundle = dashboard._repr_mimebundle_()

    assert set(bundle) == {WIDGET_VIEW, "text/html", "text/plain"}
    assert bundle[WIDGET_VIEW]["model_id"] == dashboard.model_id
    assert bundle["text/html"] == dashboard.snapshot_html()
    assert "children=" not in bundle["text/plain"]
    assert "accuracy" in bundle["text/plain"]


def test_mimebundle_respects_exclude(dashboard):
    bundle = dashboard._repr_mimebundle_(exclude={"text/html"})

    assert "text/html" not in bundle
    assert WIDGET_VIEW in bundle


def test_snapshot_means_match_comparison(dashboard):
    means = _summary_means(dashboard.snapshot_html())

    assert set(means) == set(dashboard.comparison.candidates)
    for row in dashboard.comparison.summary:
        assert means[row.candidate] == format_number(row.mean), row.candidate
        assert float(means[row.candidate]) == pytest.approx(row.mean, rel=1e-3), row.candidate


def test_snapshot_adjusted_pvalue_matches(dashboard):
    pair = dashboard.comparison.pairwise[0]
    cell = _adjusted_pvalue_cell(dashboard.snapshot_html(), pair.model_a, pair.model_b)

    assert cell == format_pvalue(pair.pvalue_adjusted)
    assert float(cell) == pytest.approx(pair.pvalue_adjusted, rel=1e-3)


def test_snapshot_has_png_figures(dashboard):
    images = _png_images(dashboard.snapshot_html())

    assert len(images) == 2
    for image in images:
        assert image.startswith(PNG_SIGNATURE)
        assert len(image) <= MAX_FIGURE_BYTES


def test_snapshot_has_note_and_options(dashboard):
    snapshot = dashboard.snapshot_html()

    assert SNAPSHOT_CLASS in snapshot
    assert "Static snapshot" in snapshot
    assert "run the cell again" in snapshot
    for label, value in (("Metric", "accuracy"), ("Test", "auto"), ("Correction", "holm"),
                         ("Alpha", "0.05"), ("CI level", "0.95")):
        assert f"<b>{label}:</b> {value}" in snapshot, label
    assert "<b>Candidates:</b> resnet, mlp, vit" in snapshot
    assert dashboard.summary.value in snapshot


def test_snapshot_follows_controls(dashboard):
    before = dashboard.snapshot_html()
    dashboard.correction.value = "bonferroni"
    after = dashboard.snapshot_html()
    pair = dashboard.comparison.pairwise[0]

    assert after != before
    assert "<b>Correction:</b> bonferroni" in after
    assert _adjusted_pvalue_cell(after, pair.model_a, pair.model_b) == format_pvalue(pair.pvalue_adjusted)


def test_snapshot_cached_until_update(dashboard):
    first = dashboard.snapshot_html()

    assert dashboard.snapshot_html() is first
    dashboard.alpha.value = 0.1
    assert dashboard.snapshot_html() is not first


def test_snapshot_invalid_options_keep_last(dashboard):
    means = _summary_means(dashboard.snapshot_html())
    dashboard.candidates.value = ("mlp",)
    snapshot = dashboard.snapshot_html()

    assert _summary_means(snapshot) == means
    assert "at least 2 candidates" in snapshot
    assert "<b>Candidates:</b> resnet, mlp, vit" in snapshot


def test_snapshot_leaves_no_pyplot_figures(dashboard):
    import matplotlib.pyplot as plt

    plt.close("all")
    dashboard.metric.value = "f1_macro"
    dashboard.snapshot_html()

    assert plt.get_fignums() == []


def test_code_unchanged_by_snapshot(dashboard):
    dashboard.test.value = "friedman"
    code = dashboard.code()
    dashboard._repr_mimebundle_()

    assert dashboard.code() == code


def test_snapshot_escapes_candidate_names(results_dir):
    frame = nbc.ResultSet.from_directory(results_dir).frame
    frame = frame[frame["metric"] == "accuracy"].copy()
    frame["candidate"] = frame["candidate"].replace({"resnet": SCRIPT_NAME})
    dashboard = ResultsDashboard(nbc.ResultSet.from_frame(frame, {"accuracy": True}))
    snapshot = dashboard.snapshot_html()

    assert SCRIPT_NAME not in snapshot
    assert "<script" not in snapshot
    assert f"<b>Candidates:</b> {html.escape(SCRIPT_NAME)}, mlp, vit" in snapshot
    means = _summary_means(snapshot)
    assert means[SCRIPT_NAME] == format_number(dashboard.comparison.summary[0].mean)
    assert len(_png_images(snapshot)) == 2


def test_figures_show_dollar_names_as_text(results_dir):
    from matplotlib.text import Text

    name = "a$b_{x}$"
    frame = nbc.ResultSet.from_directory(results_dir).frame
    frame = frame[frame["metric"] == "accuracy"].copy()
    frame["candidate"] = frame["candidate"].replace({"mlp": name})
    dashboard = ResultsDashboard(nbc.ResultSet.from_frame(frame, {"accuracy": True}))
    labels = [text for figure in dashboard._figure_pair(dashboard.comparison)
              for text in figure.findobj(Text) if text.get_text() == name]

    assert labels
    for label in labels:
        assert label.get_parse_math() is False


# --- Exported notebooks ---------------------------------------------------------------------

DASHBOARD_SOURCE = """\
from nbcompare.widgets import ResultsDashboard

dashboard = ResultsDashboard("digits-architectures")
dashboard
"""


@pytest.fixture(scope="module")
def executed_notebook(tmp_path_factory):
    """A notebook that displays a dashboard, executed with nbclient's defaults (widget state stored)."""
    import nbformat
    import nbformat.v4 as nbf
    from nbclient import NotebookClient

    root = tmp_path_factory.mktemp("notebook")
    shutil.copytree(DEMO_RESULTS, root / "digits-architectures")
    nb = nbf.new_notebook(cells=[nbf.new_code_cell(DASHBOARD_SOURCE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(root)}}).execute()
    path = root / "dashboard.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def expected_comparison(executed_notebook):
    # The notebook's own copy of the records, because reading them may write a cache.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return nbc.compare(nbc.ResultSet.from_directory(executed_notebook.parent / "digits-architectures"),
                           "accuracy", test="auto", correction="holm", alpha=0.05, confidence_level=0.95)


def _assert_snapshot_in(page, comparison):
    assert SNAPSHOT_CLASS in page
    means = _summary_means(page)
    for row in comparison.summary:
        assert means[row.candidate] == format_number(row.mean), row.candidate
    pair = comparison.pairwise[0]
    assert _adjusted_pvalue_cell(page, pair.model_a, pair.model_b) == format_pvalue(pair.pvalue_adjusted)
    assert len(_png_images(page)) == 2


@pytest.mark.slow
def test_executed_output_has_snapshot(executed_notebook):
    import nbformat

    nb = nbformat.read(executed_notebook, as_version=4)
    data = nb.cells[0].outputs[-1]["data"]

    assert set(data) == {WIDGET_VIEW, "text/html", "text/plain"}
    assert data[WIDGET_VIEW]["model_id"] in nb.metadata["widgets"][
        "application/vnd.jupyter.widget-state+json"]["state"]


@pytest.mark.slow
def test_export_notebook_shows_snapshot(executed_notebook, expected_comparison, tmp_path):
    from nbcompare.report import export_notebook

    out = export_notebook(executed_notebook, tmp_path / "dashboard.html")
    page = out.read_text(encoding="utf-8")

    _assert_snapshot_in(page, expected_comparison)
    assert WIDGET_VIEW not in page
    assert "widget-state+json" not in page
    assert "unpkg.com" not in page


@pytest.mark.slow
def test_stock_nbconvert_prefers_widget_view(executed_notebook):
    # Documents what export_html works around: with the widget state stored, stock
    # nbconvert drops the text/html and loads the widget manager from unpkg.com.
    import nbformat
    from nbconvert import HTMLExporter

    page, _ = HTMLExporter().from_notebook_node(nbformat.read(executed_notebook, as_version=4))

    assert SNAPSHOT_CLASS not in page
    assert f'type="{WIDGET_VIEW}"' in page
    assert "unpkg.com" in page


@pytest.mark.slow
def test_stock_nbconvert_without_state_shows_snapshot(executed_notebook, expected_comparison):
    # JupyterLab saves no widget state by default, and then stock nbconvert picks text/html.
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed_notebook, as_version=4)
    del nb.metadata["widgets"]
    page, _ = HTMLExporter().from_notebook_node(nb)

    _assert_snapshot_in(page, expected_comparison)


def test_dashboard_follows_attached_panel(results_dir, tmp_path):
    from nbcompare.widgets import LaunchPanel

    panel = LaunchPanel()
    panel.attach(results_dir, follow=False)
    dashboard = ResultsDashboard(panel, export_dir=tmp_path / "export")

    comparison = dashboard.wait_ready(timeout=0)
    expected = _expected(results_dir, metric="accuracy", test="auto", correction="holm",
                         alpha=0.05, confidence_level=0.95)
    _assert_same(comparison, expected)
    assert dashboard.children[0] is not dashboard.waiting


def test_dashboard_waits_then_reports_failed_launch(tmp_path, monkeypatch):
    import nbcompare as nbc
    from nbcompare.widgets import LaunchPanel

    monkeypatch.chdir(tmp_path)
    study = nbc.Study("missing-module", [nbc.Candidate("a", "no_such_module_xyz:fit"),
                                         nbc.Candidate("b", "no_such_module_xyz:fit")],
                      seeds=range(2), metrics=[nbc.Metric("acc", higher_is_better=True)])
    panel = LaunchPanel(study, results_dir=tmp_path / "results")
    dashboard = ResultsDashboard(panel)

    assert dashboard.children == (dashboard.waiting,)
    assert "Waiting for the launch" in dashboard.waiting.value
    assert "Waiting for the launch" in dashboard.snapshot_html()
    with pytest.raises(RuntimeError, match="no results yet"):
        dashboard.code()

    panel.launch()
    with pytest.raises(Exception):
        panel.wait(timeout=60)
    text = html.unescape(dashboard.waiting.value)
    assert "The launch failed" in text
    assert "no_such_module_xyz" in text
    with pytest.raises(TimeoutError):
        dashboard.wait_ready(timeout=0)


def test_figures_follow_table_in_event_loop(dashboard):
    import asyncio

    before = dashboard.figures.outputs

    async def change_metric():
        dashboard.metric.value = "f1_macro"
        table_first = "f1_macro" in dashboard.table.value
        figures_waiting = dashboard.figures.outputs == before
        await asyncio.sleep(0)  # the loop runs the queued draw
        return table_first, figures_waiting

    table_first, figures_waiting = asyncio.run(change_metric())
    assert table_first
    assert figures_waiting
    assert "f1_macro" in dashboard.figures.outputs[1]["data"]["text/plain"]


def test_flush_draws_pending_figures(dashboard):
    import asyncio

    async def change_and_flush():
        dashboard.metric.value = "ece"
        dashboard.flush_figures()
        return dashboard.figures.outputs

    outputs = asyncio.run(change_and_flush())
    assert "ece" in outputs[1]["data"]["text/plain"]


def test_alpha_out_of_range_named(dashboard):
    previous_comparison = dashboard.comparison
    dashboard.alpha.value = 1.5

    assert dashboard.comparison is previous_comparison
    assert "1.5" in html.unescape(dashboard.message.value)
    assert "alpha" in html.unescape(dashboard.message.value)


def test_code_repeats_shown_comparison_after_invalid_change(dashboard):
    dashboard.correction.value = "bonferroni"
    displayed_comparison = dashboard.comparison
    dashboard.alpha.value = 1.5

    assert dashboard.comparison is displayed_comparison
    assert "alpha=0.05" in dashboard.code()
    assert "correction='bonferroni'" in dashboard.code()
    namespace = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(dashboard.code(), namespace)
    _assert_same(namespace["comparison"], displayed_comparison)
