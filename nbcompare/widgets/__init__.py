"""Notebook widgets: build a study in a form and launch it with a live progress table.

Needs ipywidgets 8 (``pip install "ipywidgets>=8"``). ``import nbcompare`` does not
import this package, so the rest of the toolkit works without ipywidgets.
"""

from nbcompare.widgets._builder import StudyBuilder
from nbcompare.widgets._launch import LaunchPanel

__all__ = ["StudyBuilder", "LaunchPanel"]
