"""Paper style and deterministic saving of figures."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ._venues import DEFAULT_ASPECT, figure_size, get_venue

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

# Draws that save() allows the layout engine to settle the axes positions.
_MAX_LAYOUT_DRAWS = 10

# Fixed seed for the ids that the SVG backend derives from random numbers.
_SVG_HASH_SALT = "nbcompare"


# Fonts tried in order for family="sans-serif". DejaVu Sans ships with matplotlib.
_SANS_FONTS = ("Helvetica", "Arial", "Nimbus Sans", "TeX Gyre Heros", "DejaVu Sans")
_FAMILIES = ("serif", "sans-serif")
# Smallest font size that venue_rc sets, in points.
_MIN_FONT_SIZE = 6.0


def venue_rc(venue, columns: int | str = 1, family: str = "serif", aspect: float = DEFAULT_ASPECT) -> dict:
    """Return the rcParams that fit figures to a venue's column width and body font.

    Axis labels and titles are set one point below the body text, and tick
    labels and legends two points below. Text in a figure included at 100 %
    then reads like caption-size text: 9 and 8 pt under a 10 pt body, and 8
    and 7 pt under ACM's 9 pt body. The figure size is ``figure_size(venue, columns, aspect)``.

    Parameters
    ----------
    venue : str or Venue
        One of ``venue_names()``.
    columns : 1 or "full", default 1
        Width of new figures: one column, or the full text width.
    family : {"serif", "sans-serif"}, default "serif"
        "serif" matches the body text of all five venues (Times, or Linux
        Libertine for ACM) when one of those fonts is installed, and falls back
        to DejaVu Serif. "sans-serif" uses Helvetica or Arial when installed and
        DejaVu Sans otherwise. No LaTeX is needed for either.
    aspect : float, default 0.62
        Height of new figures divided by their width.
    """
    spec = get_venue(venue)
    if family not in _FAMILIES:
        raise ValueError(f"family must be one of {list(_FAMILIES)}; got {family!r}.")

    label_size = max(spec.body_size - 1, _MIN_FONT_SIZE)
    tick_size = max(spec.body_size - 2, _MIN_FONT_SIZE)
    if family == "serif":
        fonts = {"font.family": "serif", "font.serif": [*spec.serif_fonts, "DejaVu Serif"], "mathtext.fontset": "stix"}
    else:
        fonts = {"font.family": "sans-serif", "font.sans-serif": list(_SANS_FONTS), "mathtext.fontset": "dejavusans"}
    return {
        **fonts,
        "font.size": label_size,
        "axes.titlesize": label_size,
        "axes.labelsize": label_size,
        "xtick.labelsize": tick_size,
        "ytick.labelsize": tick_size,
        "legend.fontsize": tick_size,
        "legend.title_fontsize": tick_size,
        "figure.titlesize": spec.body_size,
        "figure.labelsize": label_size,
        "figure.figsize": figure_size(spec, columns, aspect),
    }


@contextlib.contextmanager
def style(
    venue=None,
    columns: int | str = 1,
    rc: Mapping[str, object] | None = None,
    *,
    family: str = "serif",
    aspect: float = DEFAULT_ASPECT,
) -> Iterator[None]:
    """Apply the publication style inside a ``with`` block and restore the previous rcParams after it.

    The style has a white background, no top and right spines, and TrueType
    font embedding (``pdf.fonttype`` and ``ps.fonttype`` 42), so saved PDFs
    contain no Type 3 fonts. Without a venue the fonts are 7-8 pt in the current
    font family. With a venue, new figures get the venue's column (or text) width and fonts
    sized from its body text, as ``venue_rc`` describes.

    Parameters
    ----------
    venue : str or Venue, optional
        One of ``venue_names()``: "acm", "icml", "iclr", "ieee", "neurips".
        A mapping here is taken as ``rc``, so the older call ``style({...})``
        keeps working.
    columns : 1 or "full", default 1
        Width of new figures when ``venue`` is given.
    rc : mapping, optional
        rcParams that override the style, e.g. ``{"font.size": 9}``.
    family : {"serif", "sans-serif"}, default "serif"
        Font family when ``venue`` is given.
    aspect : float, default 0.62
        Height divided by width of new figures when ``venue`` is given.

    Raises
    ------
    ValueError
        For an unknown venue (the message lists the valid ones), ``columns``
        or ``family``.
    """
    import matplotlib as mpl

    if isinstance(venue, Mapping) and rc is None:
        venue, rc = None, venue
    params = dict(PUBLICATION_RC)
    if venue is not None:
        params.update(venue_rc(venue, columns, family, aspect))
    params.update(dict(rc or {}))
    with mpl.rc_context(params):
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
    with mpl.rc_context({**_FONT_EMBEDDING_RC, "svg.hashsalt": _SVG_HASH_SALT}), _settled_layout(figure):
        for name in names:
            target = path.with_name(f"{path.name}.{name}")
            figure.savefig(target, format=name, dpi=dpi, metadata=_DETERMINISTIC_METADATA[name],
                           bbox_inches="tight", pad_inches=0.03)
            written.append(target)
    return written


@contextlib.contextmanager
def _settled_layout(figure: Figure) -> Iterator[None]:
    """Run the figure's layout engine until the axes stop moving, and pause the engine inside the block.

    Constrained layout starts from the current axes positions, so each draw can
    move them by a fraction of a point (seen with log-scale tick labels in
    matplotlib 3.11). Without settling, two saves of one figure differ in bytes.
    """
    engine = figure.get_layout_engine()
    if engine is None:
        yield
        return

    previous = None
    for _ in range(_MAX_LAYOUT_DRAWS):
        figure.draw_without_rendering()
        positions = [axes.get_position().bounds for axes in figure.axes]
        if positions == previous:
            break
        previous = positions
    figure.set_layout_engine("none")
    try:
        yield
    finally:
        figure.set_layout_engine(engine)
