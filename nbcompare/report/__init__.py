"""The report: a generated notebook, executed with nbclient and exported to HTML and PDF."""

from nbcompare.report._build import build_report_notebook, export_notebook, write_report
from nbcompare.report._export import PdfToolMissingError

__all__ = ["PdfToolMissingError", "build_report_notebook", "export_notebook", "write_report"]
