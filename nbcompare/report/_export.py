"""Export an executed report notebook to HTML and PDF.

PDF goes through nbconvert's LaTeX exporter when ``xelatex`` is on PATH, and
otherwise through the system Chromium printing the exported HTML. nbconvert's own
WebPDFExporter is not used because it needs Playwright's bundled browser.

The HTML loads no widget manager, so widgets are exported as their static
representation (see `static_widget_outputs`).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["export_html", "export_pdf", "find_pdf_tool", "PdfToolMissingError", "static_widget_outputs"]

WIDGET_VIEW_MIMETYPE = "application/vnd.jupyter.widget-view+json"

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Headless printing of one local file. The proxy points at a closed local port and
# background services are off, so Chromium sends nothing over the network.
_CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--proxy-server=http://127.0.0.1:9", "--no-pdf-header-footer",
)


class PdfToolMissingError(RuntimeError):
    """Neither xelatex nor Chromium is installed, so no PDF can be written."""


def find_pdf_tool() -> tuple[str, str]:
    """Return ``("xelatex", path)`` or ``("chromium", path)``, preferring xelatex.

    Raises
    ------
    PdfToolMissingError
        When neither program is on PATH; the message names the Debian packages.
    """
    xelatex = shutil.which("xelatex")
    if xelatex:
        return "xelatex", xelatex
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return "chromium", found
    raise PdfToolMissingError(
        "PDF export needs xelatex or Chromium, and neither is on PATH. Install one of them, "
        "for example on Debian or Ubuntu: `apt-get install texlive-xetex texlive-fonts-recommended "
        "texlive-plain-generic pandoc` (LaTeX) or `apt-get install chromium`; or write HTML only "
        "with formats=('html',) (CLI: --format html)."
    )


def static_widget_outputs(nb, resources):
    """Drop the widget views and the saved widget state, so widget outputs export as static types.

    nbconvert runs it as a preprocessor, a function of ``(nb, resources)``. Stock
    nbconvert 7.17 (``HTMLExporter``, lab template) renders a widget output as its
    ``application/vnd.jupyter.widget-view+json`` whenever the notebook's metadata
    stores that widget's state, which nbclient does by default
    (``store_widget_state=True``). ``WidgetsDataTypeFilter.__call__`` in
    ``nbconvert/filters/widgetsdatatypefilter.py`` returns only the first type of
    ``display_data_priority``, and ``HTMLExporter.default_config`` in
    ``nbconvert/exporters/html.py`` puts the widget view before ``text/html``. The
    page then loads ``@jupyter-widgets/html-manager`` from unpkg.com (the
    ``jupyter_widgets`` block of ``lab/index.html.j2``) and is blank offline.
    Without stored state, the filter skips the widget view and picks the next type.

    nbcompare's HTML loads no script from a CDN, so this removes the stored state
    and the widget view of every output that has another type. A ResultsDashboard
    then shows its ``text/html`` snapshot, and other widgets their ``text/plain``
    repr. nbconvert runs preprocessors on a copy, so the notebook passed to the
    exporter keeps both.
    """
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", ()):
            data = output.get("data", {})
            if WIDGET_VIEW_MIMETYPE in data and len(data) > 1:
                del data[WIDGET_VIEW_MIMETYPE]
    return nb, resources


def export_html(nb, path: Path, show_code: bool) -> Path:
    """Write the executed notebook ``nb`` as HTML with the offline nbcompare template.

    Widget outputs are exported as their static ``text/html`` or ``text/plain``,
    not as widget views (see `static_widget_outputs`).
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="nbcompare", extra_template_basedirs=[str(_TEMPLATES)],
                            exclude_input=not show_code, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    exporter.register_preprocessor(static_widget_outputs, enabled=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    path.write_text(body, encoding="utf-8")
    return path


def export_pdf(nb, path: Path, html_path: Path, show_code: bool, timeout_s: int = 120) -> Path:
    """Write the executed notebook ``nb`` as PDF to ``path``.

    ``html_path`` is the exported HTML, which the Chromium route prints.
    """
    tool, executable = find_pdf_tool()
    if tool == "xelatex":
        # NOTE: this route is not run by the tests or CI, which have no TeX installation.
        return _latex_pdf(nb, path, show_code)
    return _chromium_pdf(executable, html_path, path, timeout_s)


def _latex_pdf(nb, path: Path, show_code: bool) -> Path:
    from nbconvert import PDFExporter

    exporter = PDFExporter(exclude_input=not show_code, exclude_input_prompt=True,
                           exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    path.write_bytes(body)
    return path


def _chromium_pdf(executable: str, html_path: Path, path: Path, timeout_s: int) -> Path:
    path = path.resolve()
    path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="nbcompare-chromium-") as profile:
        command = [executable, *_CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   f"--print-to-pdf={path}", html_path.resolve().as_uri()]
        try:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise RuntimeError(
                f"Chromium did not finish printing {html_path} within {timeout_s} s; pass a larger "
                "timeout_s or open the HTML report instead."
            ) from None
    if completed.returncode != 0 or not path.is_file() or path.stat().st_size == 0:
        raise RuntimeError(
            f"Chromium ({executable}) failed to print {html_path} to PDF (exit code "
            f"{completed.returncode}). Its error output ends with: {completed.stderr[-800:]!r}"
        )
    return path
