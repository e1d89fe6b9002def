"""The quickstart notebook in a real JupyterLab, driven through headless Chromium.

The test starts JupyterLab on 127.0.0.1 in a temporary directory and opens
``notebooks/00-quickstart.ipynb`` in Debian's Chromium through Playwright. It runs all
cells, builds a two-candidate study by typing into the form and launches it. Then it
checks the dashboard's table against the records on disk and the notebook JupyterLab
saves. Screenshots
go to ``$NBCOMPARE_ARTIFACTS`` (default ``test-artifacts/`` in the repository).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from _browser import ALLOWED_URL_PREFIXES, JupyterLab, SinkProxy, chromium_args, find_chromium, jupyter_environment

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "00-quickstart.ipynb"
CHROMIUM = find_chromium()

# Seconds. Two digits candidates x 3 seeds at 3 epochs take about 25 s here; the rest
# is NeMo Run start-up and a slower machine's margin.
LAUNCH_TIMEOUT_S = 300

playwright_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("jupyterlab")
pytest.importorskip("torch")
if CHROMIUM is None:
    pytest.skip("no system Chromium (apt-get install chromium)", allow_module_level=True)


def artifacts_dir() -> Path:
    path = Path(os.environ.get("NBCOMPARE_ARTIFACTS", REPO / "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def sink():
    proxy = SinkProxy()
    yield proxy
    proxy.close()


@pytest.fixture
def lab(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    server = JupyterLab(root, jupyter_environment(tmp_path / "jupyter"), tmp_path / "lab.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(tmp_path, sink):
    blocked: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(ALLOWED_URL_PREFIXES):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    with playwright_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True,
            args=chromium_args(sink.port), viewport={"width": 1400, "height": 1000},
        )
        context.route("**/*", guard)
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(60_000)
        try:
            yield page
        finally:
            context.close()
    assert blocked == [], "the page requested another host"
    assert sink.proxied_requests() == [], "Chromium tried to reach another host through the proxy"


def wait_for_idle_kernel(page) -> None:
    page.wait_for_function(
        """() => {
            const kernel = window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel;
            return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
        }""",
        timeout=120_000,
    )


def fill_text(locator, text: str) -> None:
    """Type into an ipywidgets Text and commit it (the model updates on blur or Enter)."""
    locator.fill(text)
    locator.press("Enter")


def test_quickstart_builds_launches_and_compares(lab, page):
    expect = playwright_api.expect
    shots = artifacts_dir()

    page.goto(lab.url(f"lab/tree/{NOTEBOOK.name}"))
    wait_for_idle_kernel(page)
    # The command's promise settles only when every cell has run, and evaluate() has no
    # timeout, so start it without awaiting it and wait on the page instead.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")

    builder = page.locator(".nbc-builder")
    expect(builder).to_be_visible(timeout=120_000)
    expect(page.locator(".nbc-dashboard-waiting")).to_be_visible(timeout=120_000)

    fill_text(builder.locator(".nbc-study-name input"), "browser-quickstart")
    rows = builder.locator(".nbc-candidate")
    expect(rows).to_have_count(1)

    builder.locator(".nbc-add-candidate").click()
    expect(rows).to_have_count(2)
    second = rows.nth(1)
    fill_text(second.locator(".nbc-candidate-name input"), "resnet")
    second.locator(".nbc-architecture select").select_option("resnet")
    second.locator(".nbc-add-param").click()
    fill_text(second.locator(".nbc-param-key input").last, "epochs")
    fill_text(second.locator(".nbc-param-value input").last, "3")
    seeds = builder.locator(".nbc-seeds input")
    fill_text(seeds, "3")
    expect(builder.locator(".nbc-builder-message")).to_have_text("Valid study: 6 trials.", timeout=10_000)
    page.screenshot(path=str(shots / "quickstart-builder.png"), full_page=True)

    page.locator(".nbc-launch").click()
    status = page.locator(".nbc-launch-status")
    expect(status).to_contain_text("6/6 trials finished", timeout=LAUNCH_TIMEOUT_S * 1000)

    dashboard = page.locator(".nbc-dashboard")
    summary_table = dashboard.locator(".nbc-dashboard-table table").first
    expect(summary_table).to_be_visible(timeout=120_000)
    expect(dashboard.locator(".nbc-dashboard-figures img").first).to_be_visible(timeout=60_000)
    page.screenshot(path=str(shots / "quickstart-page.png"))
    # The notebook scrolls inside its own panel, so a tall window shows the whole dashboard.
    page.set_viewport_size({"width": 1400, "height": 2400})
    dashboard.scroll_into_view_if_needed()
    dashboard.screenshot(path=str(shots / "quickstart-dashboard.png"))

    # Saved from JupyterLab, the outputs carry the static copies that the widgets
    # replaced through their display ids after the launch, not the waiting state.
    page.evaluate("() => { window.jupyterapp.commands.execute('docmanager:save'); }")
    saved_path = lab.root / NOTEBOOK.name
    dashboard_copy = ""
    for _ in range(100):
        saved = json.loads(saved_path.read_text())
        # nbformat stores multi-line strings as lists of lines.
        copies = ["".join(output.get("data", {}).get("text/html", ""))
                  for cell in saved["cells"] if cell["cell_type"] == "code"
                  and "".join(cell["source"]).startswith("dashboard = ResultsDashboard")
                  for output in cell.get("outputs", [])]
        dashboard_copy = "".join(copies)
        if "resnet" in dashboard_copy:
            break
        page.wait_for_timeout(100)
    assert "Waiting for the launch" not in dashboard_copy
    assert "resnet" in dashboard_copy
    assert dashboard_copy.count("data:image/png;base64") == 2

    records = [json.loads(path.read_text())
               for path in sorted((lab.root / "results" / "browser-quickstart" / "records").glob("*.json"))]
    assert len(records) == 6
    assert {record["status"] for record in records} == {"completed"}
    # The dashboard opens on the first metric, accuracy; each candidate's row shows
    # the mean over its seeds to 4 significant digits.
    for candidate in ("mlp", "resnet"):
        values = [r["metrics"]["accuracy"] for r in records if r["candidate"] == candidate]
        assert len(values) == 3
        row = summary_table.locator("tbody tr").filter(has_text=candidate)
        expect(row).to_contain_text(f"{sum(values) / len(values):.4g}")
