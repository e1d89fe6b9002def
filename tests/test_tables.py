"""Tests of nbcompare.tables on comparisons built from hand-written data."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import shutil
import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest

from nbcompare import tables
from nbcompare.stats import analyze, compare
from nbcompare.stats import _render

SCRIPT = "<script>alert(1)</script>"
LATEX_NAME = "50%_{x}&y"
PIPE_NAME = "a|b"

# Mean accuracy per candidate. SCRIPT is within noise of "alpha", so some pairs
# with the best candidate are rejected and some are not.
ACCURACY = {"alpha": 0.90, SCRIPT: 0.899, "beta": 0.85, LATEX_NAME: 0.80, PIPE_NAME: 0.70}
# Mean ECE (lower is better). "beta" is best here, unlike accuracy.
ECE = {"alpha": 0.030, SCRIPT: 0.040, "beta": 0.020, LATEX_NAME: 0.021, PIPE_NAME: 0.060}

PROCEDURES = {
    "default": {},
    "friedman-nemenyi": {"test": "friedman", "posthoc": "nemenyi"},
    "auto": {"test": "auto"},
}


def make_frame(seeds: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for candidate in ACCURACY:
        for seed in range(seeds):
            accuracy = ACCURACY[candidate] + rng.normal(0, 0.01)
            ece = ECE[candidate] + rng.normal(0, 0.003)
            rows.append({"candidate": candidate, "task": "t", "seed": seed, "metric": "accuracy", "value": accuracy})
            rows.append({"candidate": candidate, "task": "t", "seed": seed, "metric": "ece", "value": ece})
    return pd.DataFrame(rows)


@contextlib.contextmanager
def ignore_warnings():
    """Silence the small-sample and bootstrap warnings of the tested procedures."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.fixture(scope="module")
def analyses():
    frame = make_frame()
    results = {}
    with ignore_warnings():
        for name, options in PROCEDURES.items():
            results[name] = analyze(frame, {"accuracy": True, "ece": False}, **options)
    return results


def summary_of(comparison, candidate):
    return next(row for row in comparison.summary if row.candidate == candidate)


def pair_of(comparison, first, second):
    return next(t for t in comparison.pairwise if {t.model_a, t.model_b} == {first, second})


def latex_rows(latex: str) -> dict[str, list[str]]:
    """Return the body rows of a LaTeX table, keyed by the escaped first cell."""
    body = latex.split("\\midrule\n")[1].split("\\bottomrule")[0]
    rows = {}
    for line in body.strip().splitlines():
        assert line.endswith(r" \\"), line
        cells = line[: -len(r" \\")].split(" & ")
        rows[cells[0]] = cells[1:]
    return rows


def markdown_rows(markdown: str) -> dict[str, list[str]]:
    lines = [line for line in markdown.splitlines() if line.startswith("| ")][1:]
    rows = {}
    for line in lines:
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        cells = [cell.strip() for cell in cells]
        rows[cells[0]] = cells[1:]
    return rows


def best_by_mean(comparison):
    pick = max if comparison.higher_is_better else min
    return pick(comparison.summary, key=lambda row: row.mean).candidate


# ---------------------------------------------------------------------------
# Numbers, bold and daggers


def test_cells_equal_summary_fields(analyses):
    for analysis in analyses.values():
        frame = tables.results_table(analysis)
        for comparison in analysis:
            for candidate, text in frame[comparison.metric].items():
                match = re.match(r"(-?\d+\.\d+) ± (\d+\.\d+)", text)
                assert match, text
                decimals = len(match.group(1).split(".")[1])
                tolerance = 0.5 * 10.0**-decimals + 1e-12
                row = summary_of(comparison, candidate)
                assert abs(float(match.group(1)) - row.mean) <= tolerance
                assert abs(float(match.group(2)) - (row.ci_high - row.ci_low) / 2) <= tolerance


def test_interval_cells_equal_ci_bounds(analyses):
    comparison = analyses["default"]["ece"]
    frame = tables.results_table(comparison, ci="interval")
    for candidate, text in frame["ece"].items():
        match = re.match(r"(-?\d+\.\d+) \[(-?\d+\.\d+), (-?\d+\.\d+)\]", text)
        assert match, text
        row = summary_of(comparison, candidate)
        assert float(match.group(2)) == pytest.approx(row.ci_low, abs=1e-4)
        assert float(match.group(3)) == pytest.approx(row.ci_high, abs=1e-4)


def test_rows_follow_mean_rank(analyses):
    analysis = analyses["default"]
    frame = tables.results_table(analysis)
    ranks = analysis.ranks_frame().mean(axis=1).sort_values(kind="stable")
    assert list(frame.index) == list(ranks.index)


def test_bold_on_best_mean_each_metric(analyses):
    analysis = analyses["default"]
    rows = latex_rows(tables.to_latex(analysis))
    for column, comparison in enumerate(analysis):
        bold = [name for name, cells in rows.items() if r"\mathbf" in cells[column]]
        assert bold == [tables.escape_latex(best_by_mean(comparison))]
    assert best_by_mean(analysis["ece"]) == "beta"


def test_bold_in_markdown_and_html(analyses):
    analysis = analyses["default"]
    rows = markdown_rows(tables.to_markdown(analysis))
    bold_ece = [name for name, cells in rows.items() if cells[1].startswith("**")]
    assert bold_ece == ["beta"]
    frame = tables.results_table(analysis)
    assert frame.attrs["best"] == {"accuracy": ("alpha",), "ece": ("beta",)}
    assert frame.loc["beta", "ece"].endswith("(best)")


@pytest.mark.parametrize("procedure", list(PROCEDURES))
def test_daggers_where_pairwise_rejects(analyses, procedure):
    analysis = analyses[procedure]
    latex = latex_rows(tables.to_latex(analysis))
    markdown = markdown_rows(tables.to_markdown(analysis))
    frame = tables.results_table(analysis)
    for column, comparison in enumerate(analysis):
        best = best_by_mean(comparison)
        for candidate in comparison.candidates:
            expected = candidate != best and pair_of(comparison, best, candidate).reject
            assert (r"^{\dagger}" in latex[tables.escape_latex(candidate)][column]) == expected
            assert ("†" in markdown[tables.escape_markdown(candidate)][column]) == expected
            assert frame.loc[candidate, comparison.metric].endswith("†") == expected


def test_daggers_differ_between_procedures(analyses):
    default = tables.results_table(analyses["default"]).attrs["marked"]
    nemenyi = tables.results_table(analyses["friedman-nemenyi"]).attrs["marked"]
    assert default != nemenyi
    assert "beta" in default["accuracy"]
    assert "beta" not in nemenyi["accuracy"]


def test_bold_follows_mean_not_rank():
    # "steady" wins 9 of 10 seeds by 0.01 but loses one by 0.5, so it has the
    # better mean rank and "lucky" has the better mean.
    rows = []
    for seed in range(10):
        steady = 0.80 - (0.5 if seed == 0 else 0.0)
        lucky = 0.79 + 0.001 * seed
        rows.append({"candidate": "steady", "task": "t", "seed": seed, "metric": "acc", "value": steady})
        rows.append({"candidate": "lucky", "task": "t", "seed": seed, "metric": "acc", "value": lucky})
    comparison = compare(pd.DataFrame(rows), "acc", higher_is_better=True)
    assert comparison.best == "steady"
    frame = tables.results_table(comparison)
    assert frame.attrs["best"] == {"acc": ("lucky",)}
    # The rejection, if any, favours "steady", so "steady" gets no dagger.
    assert frame.attrs["marked"] == {"acc": ()}


# ---------------------------------------------------------------------------
# Notes name the procedure that ran


def test_note_names_default_procedure(analyses):
    note = tables.results_table(analyses["default"]).attrs["note"]
    assert "Wilcoxon signed-rank test" in note
    assert "Holm correction over 10 pairwise tests" in note
    assert "α = 0.05" in note
    assert "95% Student t confidence interval of the mean over 10 seeds" in note


def test_note_names_nemenyi_procedure(analyses):
    note = tables.results_table(analyses["friedman-nemenyi"]).attrs["note"]
    assert "Nemenyi test" in note
    assert "single-step studentized-range" in note
    assert "Wilcoxon" not in note
    assert "Holm" not in note


def test_note_names_auto_procedure(analyses):
    analysis = analyses["auto"]
    note = tables.results_table(analysis).attrs["note"]
    for comparison in analysis:
        test = comparison.pairwise[0].test
        assert _render.test_label(test) in note
    assert "Holm" in note


def test_note_names_bonferroni_and_level():
    with ignore_warnings():
        analysis = analyze(make_frame(), {"accuracy": True}, correction="bonferroni", alpha=0.01, confidence_level=0.9)
    note = tables.results_table(analysis).attrs["note"]
    assert "Bonferroni correction" in note
    assert "α = 0.01" in note
    assert "90% Student t" in note


def test_latex_caption_names_procedure(analyses):
    latex = tables.to_latex(analyses["friedman-nemenyi"], caption="Main results", label="tab:main")
    caption = re.search(r"\\caption\{(.*)\}\n", latex).group(1)
    assert caption.startswith("Main results. Cells: mean $\\pm$ half-width of the 95\\%")
    assert "Nemenyi" in caption
    assert r"$\alpha$ = 0.05" in caption
    assert r"\label{tab:main}" in latex


def test_html_caption_names_procedure(analyses):
    html = tables.to_html(analyses["default"])
    caption = re.search(r"<caption>(.*)</caption>", html).group(1)
    assert "Wilcoxon signed-rank test with Holm correction" in caption


# ---------------------------------------------------------------------------
# Escaping


def test_latex_escapes_names(analyses):
    latex = tables.to_latex(analyses["default"])
    assert r"50\%\_\{x\}\&y" in latex
    assert r"\textless{}script\textgreater{}alert(1)\textless{}/script\textgreater{}" in latex
    assert r"a\textbar{}b" in latex
    assert "<script>" not in latex
    assert LATEX_NAME not in latex


def test_markdown_escapes_names(analyses):
    markdown = tables.to_markdown(analyses["default"])
    assert r"| 50%\_{x}\&y |" in markdown
    assert r"| \<script\>alert(1)\</script\> |" in markdown
    assert r"| a\|b |" in markdown
    for line in markdown.splitlines():
        if line.startswith("| "):
            assert len(re.findall(r"(?<!\\)\|", line)) == 4, line


def test_html_escapes_names(analyses):
    html = tables.to_html(analyses["default"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "50%_{x}&amp;y" in html
    assert ">a|b<" in html
    assert "<script>" not in html


def test_metric_names_escaped():
    frame = make_frame(seeds=6)
    frame["metric"] = frame["metric"].replace({"accuracy": "top_1 <%>"})
    with ignore_warnings():
        analysis = analyze(frame, {"top_1 <%>": True})
    assert r"top\_1 \textless{}\%\textgreater{} $\uparrow$" in tables.to_latex(analysis)
    assert r"top\_1 \<%\> ↑" in tables.to_markdown(analysis)
    assert "top_1 &lt;%&gt; ↑" in tables.to_html(analysis)


def test_caption_text_escaped(analyses):
    latex = tables.to_latex(analyses["default"], caption="100% & <more>")
    assert r"\caption{100\% \& \textless{}more\textgreater{}. Cells:" in latex


# ---------------------------------------------------------------------------
# LaTeX structure


def braces_balanced(latex: str) -> bool:
    depth = 0
    for token in re.findall(r"\\[{}]|[{}]", latex):
        if token in (r"\{", r"\}"):
            continue
        depth += 1 if token == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def test_latex_structure(analyses):
    latex = tables.to_latex(analyses["default"])
    for command in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{tabular}{lcc}"):
        assert latex.count(command) == 1, command
    assert braces_balanced(latex)
    assert len(latex_rows(latex)) == len(ACCURACY)
    header = latex.split("\\toprule\n")[1].splitlines()[0]
    assert header == r"Candidate & accuracy $\uparrow$ & ece $\downarrow$ \\"
    assert latex.count("$") % 2 == 0


def test_latex_writes_path(analyses, tmp_path):
    path = tmp_path / "table.tex"
    latex = tables.to_latex(analyses["default"], path)
    assert path.read_text(encoding="utf-8") == latex


@pytest.mark.skipif(
    not (shutil.which("pdflatex") or shutil.which("xelatex")), reason="no pdflatex or xelatex installed"
)
def test_latex_compiles(analyses, tmp_path):
    engine = shutil.which("pdflatex") or shutil.which("xelatex")
    body = tables.to_latex(analyses["default"]) + tables.pairwise_latex(analyses["default"]["accuracy"])
    document = "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n" + body + "\\end{document}\n"
    (tmp_path / "doc.tex").write_text(document, encoding="utf-8")
    result = subprocess.run(
        [engine, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]


# ---------------------------------------------------------------------------
# Options and errors


def test_metric_and_candidate_selection(analyses):
    frame = tables.results_table(analyses["default"], metrics=["ece"], candidates=["beta", "alpha"])
    assert list(frame.columns) == ["ece"]
    assert list(frame.index) == ["beta", "alpha"]
    assert frame.attrs["best"] == {"ece": ("beta",)}


def test_fixed_digits(analyses):
    frame = tables.results_table(analyses["default"], digits={"accuracy": 2})
    assert re.fullmatch(r"0\.\d\d ± 0\.\d\d.*", frame.loc["alpha", "accuracy"])


def test_invalid_options_name_value(analyses):
    with pytest.raises(ValueError, match="'f1'"):
        tables.results_table(analyses["default"], metrics=["f1"])
    with pytest.raises(ValueError, match="'gamma'"):
        tables.results_table(analyses["default"], candidates=["gamma"])
    with pytest.raises(ValueError, match="ci must be"):
        tables.results_table(analyses["default"], ci="sd")
    with pytest.raises(ValueError, match="digits"):
        tables.results_table(analyses["default"], digits=-1)
    with pytest.raises(TypeError, match="DataFrame"):
        tables.results_table(make_frame())


def test_decimals_separate_close_means():
    assert tables.column_decimals([0.91231, 0.91234], [0.01, 0.01]) == 5
    assert tables.column_decimals([0.9, 0.8], [0.0063, 0.012]) == 4
    assert tables.column_decimals([1234.5, 1500.2], [50.0, 60.0]) == 0
    assert tables.column_decimals([0.5, 0.5], [0.0, 0.0]) == 3


# ---------------------------------------------------------------------------
# p-values


def test_format_p_rule():
    assert tables.format_p(0.0123) == "0.0123"
    assert tables.format_p(0.5) == "0.5"
    assert tables.format_p(1e-4) == "0.0001"
    assert tables.format_p(3.2e-7, latex=True) == "$< 10^{-6}$"
    assert tables.format_p(3.2e-7) == "< 1e-06"
    assert tables.format_p(1e-5, latex=True) == "$< 10^{-4}$"
    assert tables.format_p(0.0, latex=True) == "$< 10^{-300}$"
    assert tables.format_p(1e-320, latex=True) == "$< 10^{-300}$"
    assert tables.format_p(float("nan")) == "n/a"


def test_format_p_keeps_side_of_alpha():
    assert tables.format_p(0.04996, alpha=0.05) == "0.04996"
    assert tables.format_p(0.0500001, alpha=0.05) == "0.0500001"
    assert tables.format_p(0.04996) == "0.05"


def test_pairwise_latex_rows(analyses):
    comparison = analyses["default"]["accuracy"]
    latex = tables.pairwise_latex(comparison)
    body = latex.split("\\midrule\n")[1].split("\\bottomrule")[0].strip().splitlines()
    assert len(body) == len(comparison.pairwise)
    for line, test in zip(body, comparison.pairwise):
        cells = line[: -len(r" \\")].split(" & ")
        assert cells[0] == tables.escape_latex(test.model_a)
        assert cells[1] == tables.escape_latex(test.model_b)
        assert cells[2] == tables.format_p(test.pvalue, latex=True)
        assert cells[3] == tables.format_p(test.pvalue_adjusted, alpha=comparison.alpha, latex=True)
        assert float(cells[4].strip("$")) == pytest.approx(test.effect_size, abs=5e-4)
        assert cells[5] == ("yes" if test.reject else "no")
    assert braces_balanced(latex)
    assert "Effect size (rank-biserial)" in latex


def test_pairwise_caption_names_procedure(analyses):
    default = tables.pairwise_latex(analyses["default"]["accuracy"])
    assert "Wilcoxon signed-rank tests of accuracy (higher is better) over 10 seeds" in default
    assert "Holm correction" in default
    assert r"$p$ (Holm)" in default
    nemenyi = tables.pairwise_latex(analyses["friedman-nemenyi"]["ece"])
    assert "Nemenyi tests of ece (lower is better)" in nemenyi
    assert "single-step studentized-range" in nemenyi
    assert r"$\alpha$ = 0.05" in nemenyi


def test_underflowed_p_counted_significant(analyses):
    comparison = analyses["friedman-nemenyi"]["accuracy"]
    index = next(
        i for i, t in enumerate(comparison.pairwise) if {t.model_a, t.model_b} == {"alpha", "beta"}
    )
    assert not comparison.pairwise[index].reject
    underflowed = dataclasses.replace(comparison.pairwise[index], pvalue=0.0, pvalue_adjusted=0.0, reject=True)
    pairwise = comparison.pairwise[:index] + (underflowed,) + comparison.pairwise[index + 1 :]
    changed = dataclasses.replace(comparison, pairwise=pairwise)

    latex = tables.pairwise_latex(changed)
    row = next(line for line in latex.splitlines() if line.startswith("alpha & beta &"))
    cells = row[: -len(r" \\")].split(" & ")
    assert cells[2] == "$< 10^{-300}$"
    assert cells[3] == "$< 10^{-300}$"
    assert cells[5] == "yes"
    assert "0" not in (cells[2], cells[3])
    assert "beta" in tables.results_table(changed).attrs["marked"]["accuracy"]
