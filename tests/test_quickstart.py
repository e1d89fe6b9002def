"""The quickstart notebook executed headless with nbclient, then exported to HTML.

Running all cells shows the builder, the launch panel and a waiting dashboard. In
the same kernel, the test then adds a candidate, sets the seeds and clicks Launch,
as a user does with the mouse. It checks that the dashboard filled in from the
records. The browser test in test_browser_quickstart.py does the same through
JupyterLab's page.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

pytest.importorskip("ipywidgets")
pytest.importorskip("torch")

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "00-quickstart.ipynb"

USER_ACTIONS = """
row = builder.add_candidate("resnet", "digits", {"architecture": "resnet", "epochs": 3})
builder.seeds.value = 2
panel.launch_button.click()
panel.wait(timeout=600)
dashboard.wait_ready(timeout=120)
print("trials:", panel.progress.value, "of", panel.progress.max)
print("candidates:", sorted(dashboard.comparison.candidates))
print("table has both:", "resnet" in dashboard.table.value and "mlp" in dashboard.table.value)
"""


@pytest.fixture
def notebook_env(tmp_path, monkeypatch):
    monkeypatch.setenv("NEMORUN_HOME", str(tmp_path / "nemorun-home"))
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return tmp_path


def test_quickstart_notebook_runs_a_study(notebook_env):
    import nbformat
    from nbclient import NotebookClient

    import nbcompare as nbc
    from nbcompare.report import export_notebook

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(USER_ACTIONS))
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(notebook_env)}}).execute()

    printed = "".join(output.get("text", "") for output in nb.cells[-1].outputs)
    assert "trials: 4 of 4" in printed
    assert "candidates: ['mlp', 'resnet']" in printed
    assert "table has both: True" in printed
    results = nbc.ResultSet.from_directory(notebook_env / "results" / "quickstart")
    assert results.frame["trial_id"].nunique() == 4
    assert set(results.frame["status"]) == {"completed"}

    # The widgets replaced their outputs' text/html copies through their display ids
    # when the launch finished, so the saved notebook shows the finished state.
    outputs = {cell.source.splitlines()[0]: cell.outputs for cell in nb.cells if cell.cell_type == "code"}
    builder_copy = outputs['builder = StudyBuilder(default_workload="digits")'][0]["data"]["text/html"]
    assert "nbc.Candidate(&#x27;resnet&#x27;" in builder_copy
    assert "seeds=range(2)" in builder_copy
    panel_copy = outputs["panel = LaunchPanel(builder)"][0]["data"]["text/html"]
    dashboard_copy = outputs["dashboard = ResultsDashboard(panel)"][0]["data"]["text/html"]
    assert "4/4 trials finished" in panel_copy
    assert "Waiting for the launch" not in dashboard_copy
    assert "resnet" in dashboard_copy
    assert dashboard_copy.count("data:image/png;base64") == 2

    # Exported without a widget manager, each widget falls back to its static copy.
    executed = notebook_env / "quickstart-executed.ipynb"
    nbformat.write(nb, executed)
    html_path = export_notebook(executed, notebook_env / "quickstart.html", formats=("html",))
    text = Path(html_path).read_text()
    assert "Static copy of the study builder" in text
    assert "Static copy of the launch panel" in text
    assert "Static snapshot of the results dashboard" in text
    assert text.count("data:image/png;base64") >= 2
