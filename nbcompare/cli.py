"""Command line: ``nbcompare demo``, ``nbcompare run STUDY.yaml``, ``nbcompare analyze DIR``,
``nbcompare report DIR``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

from nbcompare.exceptions import StudyError

__all__ = ["main"]


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _add_analysis_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--metric", action="append", dest="metrics", metavar="NAME",
                        help="metric to analyse; repeat for several (default: the study's metrics)")
    parser.add_argument("--alpha", type=float, default=None,
                        help="significance level of the tests (default: the study's, usually 0.05)")
    parser.add_argument("--confidence-level", type=float, default=None,
                        help="level of the confidence intervals (default: the study's, usually 0.95)")
    parser.add_argument("--correction", default="holm",
                        help="multiple-comparison correction of the pairwise tests, any method of "
                             "statsmodels' multipletests (default: holm)")
    parser.add_argument("--test", default="auto",
                        help="omnibus test: 'auto' chooses from the design and the assumption checks "
                             "and states why (default); a name forces it: friedman, rm-anova, "
                             "iman-davenport, skillings-mack, wilcoxon, paired-t, sign, permutation; "
                             "'classic' runs Friedman (Wilcoxon for two) with pairwise Wilcoxon tests")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nbcompare",
        description="Compare ML models over seeds: run trials through NeMo Run, test the "
                    "differences, draw figures and write a report.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo", help="train an MLP, a residual CNN and a vision transformer on 8x8 digits and compare them",
        description="Train three PyTorch architectures on scikit-learn's bundled 8x8 digits over "
                    "several seeds (the trials run as parallel NeMo Run jobs on this machine), then print the "
                    "comparison and write figures and an HTML report.")
    demo.add_argument("--seeds", type=_positive_int, default=5,
                      help="number of seeds, one trial per architecture and seed (default: 5)")
    demo.add_argument("--out", type=Path, default=Path("."),
                      help="output directory: results/, figures/ and reports/ are created in it "
                           "(default: the current directory)")
    demo.add_argument("--workers", type=_positive_int, default=None,
                      help="parallel NeMo Run tasks (default: the number of CPU cores)")
    demo.add_argument("--epochs", type=_positive_int, default=None,
                      help="training epochs for every architecture (default: each architecture's "
                           "own: mlp 30, resnet 15, vit 40; the vit needs about 10 to pass 50%% accuracy)")
    demo.add_argument("--no-report", action="store_true", help="skip the HTML report")

    run = sub.add_parser("run", help="run a study described in a YAML file",
                         description="Run every pending trial of a study YAML file through NeMo Run, "
                                     "on the executor of the file's executor section (the local "
                                     "executor when it has none); trials that already have a "
                                     "completed record are skipped.")
    run.add_argument("study", type=Path, help="the study YAML file")
    run.add_argument("--results-dir", type=Path, default=None,
                     help="where the records go (default: results/<study name>)")
    run.add_argument("--workers", type=_positive_int, default=None,
                     help="parallel NeMo Run tasks (default: the executor section's workers, else "
                          "the number of CPU cores for the local executor)")
    run.add_argument("--no-resume", action="store_true",
                     help="run every trial again, even those with a completed record")
    run.add_argument("--keep-failed", action="store_true",
                     help="do not retry trials whose record has status failed")

    analyze = sub.add_parser("analyze", help="compare the candidates of a results directory",
                             description="Read a study's records, print the statistical comparison "
                                         "and optionally write figures and an HTML report.")
    analyze.add_argument("results_dir", type=Path, help="the study's results directory")
    _add_analysis_options(analyze)
    analyze.add_argument("--figures", type=Path, default=None, metavar="DIR",
                         help="write figures (PDF and PNG) to DIR")
    analyze.add_argument("--report", type=Path, default=None, metavar="PATH",
                         help="write the HTML report to PATH")

    _add_report_parser(sub)
    return parser


_REPORT_FORMATS = {"html": ("html",), "pdf": ("pdf",), "both": ("html", "pdf")}


def _add_report_parser(sub) -> None:
    report = sub.add_parser(
        "report", help="write the HTML and/or PDF report of a results directory",
        description="Run the comparison of a results directory in a fresh Jupyter kernel and export "
                    "the report notebook to HTML, PDF or both. PDF needs xelatex (LaTeX) or Chromium "
                    "on PATH.")
    report.add_argument("results_dir", type=Path, help="the study's results directory")
    report.add_argument("--format", choices=sorted(_REPORT_FORMATS), default="html",
                        help="html, pdf, or both (HTML and PDF with the same stem) (default: html)")
    report.add_argument("--out", type=Path, default=None, metavar="PATH",
                        help="report file; its suffix is replaced by .html or .pdf for each format "
                             "(default: <results dir name>.html or .pdf in the current directory)")
    report.add_argument("--show-code", action="store_true",
                        help="show the notebook's code cells in the report (hidden by default)")
    _add_analysis_options(report)

    export = sub.add_parser(
        "export", help="export your own notebook to HTML and/or PDF with the report's template",
        description="Export a notebook with the report's template: code hidden unless --show-code, "
                    "no scripts from a CDN, PDF through xelatex or Chromium.")
    export.add_argument("notebook", type=Path, help="the .ipynb file")
    export.add_argument("--format", choices=sorted(_REPORT_FORMATS), default="html",
                        help="html, pdf, or both (HTML and PDF with the same stem) (default: html)")
    export.add_argument("--out", type=Path, default=None, metavar="PATH",
                        help="output file; its suffix is replaced by .html or .pdf for each format "
                             "(default: the notebook's name in the current directory)")
    export.add_argument("--show-code", action="store_true", help="keep the code cells (hidden by default)")
    export.add_argument("--execute", action="store_true",
                        help="run the notebook in a fresh kernel first (default: export its saved outputs)")


def _print_failures(results) -> None:
    if results.failures.empty:
        return
    print("\nFailed, cancelled or missing trials (the analysis drops the blocks they leave incomplete):")
    for row in results.failures.itertuples():
        print(f"  {row.candidate} / {row.task} / seed {row.seed}: {row.message}")
        if row.log_path and Path(row.log_path).is_file():
            print(f"    log: {row.log_path}")


def _print_header(results_dir: Path) -> None:
    from nbcompare.results import ResultSet

    results = ResultSet.from_directory(results_dir)
    print(f"\n{results.study.name}: {results.summary_line()}")
    _print_failures(results)


def _print_analysis(outputs) -> None:
    print()
    print(outputs.analysis)
    for path in outputs.figures:
        if path.suffix == ".png":
            print(f"figure: {path}")
    if outputs.report is not None:
        print(f"report: {outputs.report}")


def _demo(args: argparse.Namespace) -> int:
    from nbcompare._workflow import analyze_directory, demo_study

    params = {"epochs": args.epochs} if args.epochs else {}
    study = demo_study(args.seeds, **params)
    out = args.out
    results_dir = out / "results" / study.name
    start = time.perf_counter()
    run = study.run(results_dir=results_dir, workers=args.workers)
    trained = time.perf_counter() - start
    report = None if args.no_report else out / "reports" / f"{study.name}.html"
    _print_header(run.results_dir)
    outputs = analyze_directory(run.results_dir, figures_dir=out / "figures", report_path=report)
    _print_analysis(outputs)
    print(f"\nTrials took {trained:.0f} s; everything took {time.perf_counter() - start:.0f} s.")
    return 0


def _run(args: argparse.Namespace) -> int:
    from nbcompare.study import load_study

    from nbcompare.results import ResultSet

    from nbcompare.launch import load_executor

    study = load_study(args.study)
    choice = load_executor(args.study)
    executor = None
    workers = args.workers
    if choice is not None:
        executor = choice.executor
        if workers is None:
            workers = choice.workers
    run = study.run(results_dir=args.results_dir, executor=executor, workers=workers,
                    resume=not args.no_resume, retry_failed=not args.keep_failed)
    progress = run.progress()
    print(f"{study.name}: {progress}. Records in {run.results_dir}")
    _print_failures(ResultSet.from_directory(run.results_dir))
    if progress.failed or progress.cancelled:
        print("\nFix the causes above and run the same command again: trials with a completed "
              "record are skipped and the failed and cancelled ones run again.")
    print(f"Analyse with: nbcompare analyze {run.results_dir}")
    return 0 if progress.failed == 0 and progress.cancelled == 0 else 1


def _analyze(args: argparse.Namespace) -> int:
    from nbcompare._workflow import analyze_directory

    if not args.results_dir.is_dir():
        raise FileNotFoundError(
            f"Results directory {str(args.results_dir)!r} does not exist; pass the directory "
            "that `nbcompare run` printed (by default results/<study name>)."
        )
    _print_header(args.results_dir)
    outputs = analyze_directory(args.results_dir, metrics=args.metrics, figures_dir=args.figures,
                                report_path=args.report, alpha=args.alpha,
                                confidence_level=args.confidence_level, correction=args.correction,
                                test=None if args.test == "classic" else args.test)
    _print_analysis(outputs)
    return 0


def _report(args: argparse.Namespace) -> int:
    from nbcompare.report import write_report
    from nbcompare.report._export import PdfToolMissingError

    if not args.results_dir.is_dir():
        raise FileNotFoundError(
            f"Results directory {str(args.results_dir)!r} does not exist; pass the directory "
            "that `nbcompare run` printed (by default results/<study name>)."
        )
    formats = _REPORT_FORMATS[args.format]
    out = args.out or Path(args.results_dir.resolve().name)
    stem = out.with_suffix("") if out.suffix.lower() in (".html", ".pdf") else out
    path = stem.parent / f"{stem.name}.{formats[0]}"
    try:
        write_report(args.results_dir, path, formats=formats, metrics=args.metrics, alpha=args.alpha,
                     confidence_level=args.confidence_level, correction=args.correction,
                     test=None if args.test == "classic" else args.test, show_code=args.show_code)
    except PdfToolMissingError as exc:
        print(f"nbcompare report: error: {exc}", file=sys.stderr)
        return 2
    for name in formats:
        print(f"report: {path.with_suffix('.' + name)}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from nbcompare.report import PdfToolMissingError, export_notebook

    formats = _REPORT_FORMATS[args.format]
    out = args.out or Path(args.notebook.stem)
    stem = out.with_suffix("") if out.suffix.lower() in (".html", ".pdf") else out
    path = stem.parent / f"{stem.name}.{formats[0]}"
    try:
        export_notebook(args.notebook, path, formats=formats, show_code=args.show_code,
                        execute=args.execute)
    except PdfToolMissingError as exc:
        print(f"nbcompare export: error: {exc}", file=sys.stderr)
        return 2
    for name in formats:
        print(f"exported: {path.with_suffix('.' + name)}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nbcompare`` command."""
    args = _build_parser().parse_args(argv)
    handlers = {"demo": _demo, "run": _run, "analyze": _analyze, "report": _report, "export": _export}
    try:
        return handlers[args.command](args)
    except (StudyError, ValueError, FileNotFoundError) as exc:
        print(f"nbcompare {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
