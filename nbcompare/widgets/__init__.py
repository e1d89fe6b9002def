"""Notebook widgets: build a study in a form, launch it with a live progress table and compare its results.

Needs ipywidgets 8 (``pip install "ipywidgets>=8"``). ``import nbcompare`` does not
import this package, so the rest of the toolkit works without ipywidgets.
"""

from nbcompare.widgets._builder import StudyBuilder
from nbcompare.widgets._dashboard import ResultsDashboard
from nbcompare.widgets._launch import LaunchPanel

__all__ = ["StudyBuilder", "LaunchPanel", "ResultsDashboard"]
