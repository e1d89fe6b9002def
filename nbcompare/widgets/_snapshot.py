"""Static HTML copies of the widgets, for renderers that have no widget manager.

Such renderers (nbcompare's HTML export, and stock nbconvert and nbviewer for a
notebook without stored widget state) show the ``text/html`` of a widget's output
instead of the live controls. For the results dashboard that ``text/html`` is a
snapshot of the options, the summary in words, the tables and the figures as inline
PNG. The study builder shows its equivalent code, and the launch panel its trial table.
"""

from __future__ import annotations

import base64
import html
import io
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

logger = logging.getLogger(__name__)

# matplotlib's default figure.dpi, which matplotlib-inline 0.2 also uses for its PNGs. The
# demo's figures come out about 500 to 550 px wide and 12 to 15 kB each.
SNAPSHOT_DPI = 100
# A figure whose PNG is larger than this is drawn again at a lower dpi, and left out
# with a note when that is still too large.
MAX_FIGURE_BYTES = 300_000
# Maximum length of a figure's longer side in pixels. Figures grow with the number of candidates.
MAX_FIGURE_PIXELS = 2400

SNAPSHOT_CLASS = "nbcompare-dashboard-snapshot"
SNAPSHOT_NOTE = ("Static snapshot of the results dashboard, made when this output was created. "
                 "For the interactive controls, open the notebook in JupyterLab or Jupyter Notebook "
                 "with ipywidgets 8 installed and run the cell again.")


def options_html(options: Mapping[str, Any], candidates: Sequence[str]) -> str:
    """Render the dashboard's control values as one line of escaped HTML.

    ``options`` maps each label (Metric, Test, ...) to the value shown.
    ``candidates`` are the compared candidates in the order of the comparison.
    """
    items = [f"<b>{html.escape(label)}:</b> {html.escape(str(value))}" for label, value in options.items()]
    items.append("<b>Candidates:</b> " + html.escape(", ".join(candidates)))
    return "<p>" + " &middot; ".join(items) + "</p>"


def _png_bytes(figure: Any, dpi: float) -> bytes:
    buffer = io.BytesIO()
    # backend="agg" renders with Agg whatever backend created the figure (inline, ipympl),
    # and leaves the figure's own canvas in place.
    figure.savefig(buffer, format="png", dpi=dpi, backend="agg")
    return buffer.getvalue()


def figure_png(figure: Any) -> bytes | None:
    """Render ``figure`` as PNG within the snapshot's size limits, or return None when it cannot fit."""
    width, height = figure.get_size_inches()
    dpi = min(SNAPSHOT_DPI, MAX_FIGURE_PIXELS / max(width, height, 1e-6))
    data = _png_bytes(figure, dpi)
    if len(data) <= MAX_FIGURE_BYTES:
        return data
    # The PNG size grows about with the pixel count, so scale the dpi by the square root.
    # The 0.9 leaves room for the estimate being off.
    dpi *= 0.9 * (MAX_FIGURE_BYTES / len(data)) ** 0.5
    data = _png_bytes(figure, dpi)
    if len(data) <= MAX_FIGURE_BYTES:
        return data
    return None


def static_copy_html(title: str, body: str) -> str:
    """Wrap escaped HTML ``body`` as the static copy of a widget named ``title``."""
    note = (f"Static copy of the {title}, made when this output was last updated. For the "
            "interactive form, open the notebook in JupyterLab or Jupyter Notebook with ipywidgets 8 "
            "installed and run the cell again.")
    return (f'<div class="{SNAPSHOT_CLASS}"><p style="color:#555"><i>{html.escape(note)}</i></p>\n'
            f"{body}</div>")


def snapshot_html(*, options: str, status: str, summary: str, table: str, figures: str) -> str:
    """Assemble the snapshot from HTML fragments that are already escaped."""
    parts = [f'<div class="{SNAPSHOT_CLASS}">',
             f'<p style="color:#555"><i>{html.escape(SNAPSHOT_NOTE)}</i></p>',
             options]
    parts += [fragment for fragment in (status, summary, table, figures) if fragment]
    parts.append("</div>")
    return "\n".join(parts)


def images_html(images: Iterable[tuple[bytes | None, str]]) -> str:
    """Render ``(PNG bytes, alt text)`` pairs as base64 ``<img>`` elements; None bytes give a note."""
    parts = []
    for data, alt in images:
        if data is None:
            parts.append(f"<p><i>{html.escape(alt)}: left out because its PNG exceeds "
                         f"{MAX_FIGURE_BYTES // 1000} kB.</i></p>")
            continue
        encoded = base64.b64encode(data).decode("ascii")
        parts.append(f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt, quote=True)}" '
                     'style="max-width:100%; height:auto; display:block; margin:0.5em 0">')
    return "\n".join(parts)


class StaticCopyDisplay:
    """Mixin for a widget whose output carries a ``text/html`` copy that follows its state.

    Renderers without a widget manager (nbconvert and nbviewer, and GitHub's
    preview as far as is known) show the ``text/html`` of an output. IPython's display protocol allows an output to be
    replaced later through its display id, so the widget displays itself with an
    id and :meth:`refresh_static_copy` sends the current copy to every output of
    it. JupyterLab 4 and nbclient apply such an update to the stored notebook (the
    browser and quickstart tests check both), so a notebook saved after a launch
    finished shows the finished state. An update sent after its cell has finished
    is dropped by nbclient, so callers refresh at once rather than later.

    A subclass implements ``static_html()`` and may override ``static_plain()``.
    """

    _display_id: str | None = None

    def static_html(self) -> str:
        raise NotImplementedError

    def static_plain(self) -> str | None:
        return None

    def _mimebundle_with_copy(self, bundle: dict[str, Any] | None, include=None, exclude=None):
        if bundle is None:
            return None
        if (include is None or "text/html" in include) and not (exclude and "text/html" in exclude):
            bundle["text/html"] = self.static_html()
        plain = self.static_plain()
        if plain is not None:
            # ipywidgets' text/plain is the truncated repr of the children, which is of no
            # use to a reader of a terminal or a LaTeX export.
            bundle["text/plain"] = plain
        return bundle

    def _ipython_display_(self) -> None:
        from IPython.display import display

        if self._display_id is None:
            import uuid

            self._display_id = uuid.uuid4().hex
        display(self._repr_mimebundle_(), raw=True, display_id=self._display_id)

    def refresh_static_copy(self) -> None:
        """Replace the ``text/html`` copy in every output that displays this widget.

        Does nothing before the widget is displayed in IPython. Errors are logged,
        because a stale copy must not break the live widget.
        """
        if self._display_id is None:
            return
        try:
            from IPython.display import update_display

            update_display(self._repr_mimebundle_(), raw=True, display_id=self._display_id)
        except Exception:  # noqa: BLE001 - the live widget keeps working without the copy
            logger.exception("Updating the static copy of %s failed.", type(self).__name__)
