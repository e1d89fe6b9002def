"""The report: a generated notebook, executed and exported to HTML with nbconvert."""

from nbcompare.report._build import build_report_notebook, write_report

__all__ = ["build_report_notebook", "write_report"]
