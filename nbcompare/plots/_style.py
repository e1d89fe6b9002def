"""Paper style and deterministic saving of figures."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Embedding fonts as TrueType (Type 42) keeps PDF and PS text editable and avoids
# the Type 3 fonts that many publishers reject.
_FONT_EMBEDDING_RC = {"pdf.fonttype": 42, "ps.fonttype": 42}

# rcParams of the publication style that style() applies.
PUBLICATION_RC = {
    **_FONT_EMBEDDING_RC,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "figure.titlesize": 9,
    "axes.linewidth": 0.6,
    "axes.edgecolor": "0.2",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 3,
    "ytick.major.size": 3,
    "lines.linewidth": 1.0,
    "legend.frameon": False,
    "svg.fonttype": "none",
}

# Format -> savefig metadata that drops every timestamp and version string, so
# saving the same figure twice gives identical bytes.
_DETERMINISTIC_METADATA = {
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None},
    "png": {"Software": None},
    "svg": {"Creator": None, "Date": None},
}
ALLOWED_FORMATS = tuple(_DETERMINISTIC_METADATA)

# Fixed seed for the ids that the SVG backend derives from random numbers.
_SVG_HASH_SALT = "nbcompare"


@contextlib.contextmanager
def style(rc: Mapping[str, object] | None = None) -> Iterator[None]:
    """Apply the publication style inside a ``with`` block and restore the previous rcParams after it.

    The style has a white background, 7-8 pt fonts, no top and right spines, and
    TrueType font embedding (``pdf.fonttype`` and ``ps.fonttype`` 42).

    Parameters
    ----------
    rc : mapping, optional
        rcParams that override the publication style, e.g. ``{"font.size": 9}``.
    """
    import matplotlib as mpl

    with mpl.rc_context({**PUBLICATION_RC, **dict(rc or {})}):
        yield


def normalise_formats(formats: str | Iterable[str]) -> list[str]:
    """Return the formats lower-cased without duplicates, raising ValueError for unknown ones."""
    if isinstance(formats, str):
        formats = [formats]
    normalised = []
    for fmt in formats:
        name = str(fmt).lower().lstrip(".")
        if name not in _DETERMINISTIC_METADATA:
            raise ValueError(f"unknown figure format {fmt!r}; the allowed formats are {list(ALLOWED_FORMATS)}.")
        if name not in normalised:
            normalised.append(name)
    if not normalised:
        raise ValueError(f"formats is empty; pass at least one of {list(ALLOWED_FORMATS)}.")
    return normalised


def _figure_of(fig) -> Figure:
    """Return the root figure of a Figure or Axes, raising TypeError for anything else."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(fig, Axes):
        fig = fig.get_figure(root=True)
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure or Axes, got {type(fig).__name__}.")
    return fig


def save(
    fig: Figure,
    path: str | Path,
    formats: str | Iterable[str] = ("pdf", "png"),
    dpi: float = 200,
) -> list[Path]:
    """Write a figure once per format, with identical bytes on every save.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure. An Axes is accepted and its figure saved.
    path : str or pathlib.Path
        Output path without suffix, e.g. ``figures/accuracy_ci``. Each format
        appends its own suffix. Missing parent directories are created.
    formats : str or iterable of str, default ("pdf", "png")
        Any of "pdf", "png" and "svg".
    dpi : float, default 200
        Resolution of the PNG output in dots per inch.

    Returns
    -------
    list of pathlib.Path
        The written files, in the order of ``formats``.

    Raises
    ------
    ValueError
        For an unknown format, a non-positive ``dpi`` or a ``path`` that already
        ends in a format suffix.
    """
    import matplotlib as mpl

    figure = _figure_of(fig)
    names = normalise_formats(formats)
    if not dpi > 0:
        raise ValueError(f"dpi must be positive, got {dpi!r}; pass e.g. dpi=200.")
    path = Path(path)
    if path.suffix.lower().lstrip(".") in _DETERMINISTIC_METADATA:
        raise ValueError(
            f"path {str(path)!r} ends in {path.suffix!r}; pass it without a suffix "
            f"(e.g. {str(path.with_suffix(''))!r}) and choose suffixes with formats=."
        )
    path.parent.mkdir(parents=True, exist_ok=True)

    written = []
    with mpl.rc_context({**_FONT_EMBEDDING_RC, "svg.hashsalt": _SVG_HASH_SALT}):
        for name in names:
            target = path.with_name(f"{path.name}.{name}")
            figure.savefig(target, format=name, dpi=dpi, metadata=_DETERMINISTIC_METADATA[name],
                           bbox_inches="tight", pad_inches=0.03)
            written.append(target)
    return written
