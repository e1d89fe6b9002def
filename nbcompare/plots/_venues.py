"""Page geometry and body font size of the venues that ``style(venue=...)`` and ``figure_size`` know.

Every width is the one a figure has when a paper includes it at 100 % in a
single column (``\\columnwidth``) or across the page (``\\textwidth``). The
source of each value is written beside it. LaTeX points are TeX points, 72.27
to the inch, so 506.295 pt is 7.006 in.
"""

from __future__ import annotations

from dataclasses import dataclass

_TEX_POINTS_PER_INCH = 72.27

DEFAULT_ASPECT = 0.62


@dataclass(frozen=True)
class Venue:
    """Page geometry and body text of one venue's LaTeX template.

    Attributes
    ----------
    name : str
        Display name, e.g. "NeurIPS".
    column_width : float
        ``\\columnwidth`` in inches. Equal to ``text_width`` for single-column venues.
    text_width : float
        ``\\textwidth`` in inches, the width of a figure spanning the page.
    body_size : float
        Font size of the body text in points.
    two_column : bool
        True when the body text is set in two columns.
    serif_fonts : tuple of str
        Fonts closest to the body font, tried in order before DejaVu Serif,
        which ships with matplotlib.
    """

    name: str
    column_width: float
    text_width: float
    body_size: float
    two_column: bool
    serif_fonts: tuple[str, ...]


_TIMES_LIKE = ("Times New Roman", "Times", "Nimbus Roman", "TeX Gyre Termes")
_LIBERTINE_LIKE = ("Linux Libertine O", "Linux Libertine", "Libertinus Serif")

VENUES: dict[str, Venue] = {
    # neurips_2024.sty: geometry textwidth=5.5in, \normalsize is \@xpt (10 pt),
    # \rmdefault ptm (Times).
    "neurips": Venue("NeurIPS", 5.5, 5.5, 10.0, False, _TIMES_LIKE),
    # iclr2024_conference.sty: "\textwidth 5.5 true in", \normalsize is \xpt
    # (10 pt). The template loads the times package.
    "iclr": Venue("ICLR", 5.5, 5.5, 10.0, False, _TIMES_LIKE),
    # icml2025.sty: \textwidth 6.75in and \columnsep 0.25in in two columns, so
    # \columnwidth is (6.75 - 0.25) / 2 = 3.25 in. It loads the times package.
    # NOTE: the 10 pt body size is the article class default, because
    # icml2025.sty does not set \normalsize. The example paper's class options were not checked.
    "icml": Venue("ICML", 3.25, 6.75, 10.0, True, _TIMES_LIKE),
    # IEEE Author Center, "Size Requirements for Graphics": one column 3.5 in
    # (21 picas), two columns 7.16 in (43 picas). IEEEtran.cls sets \textwidth
    # 43pc and \columnsep 1pc in TeX picas, i.e. \columnwidth 3.487 in and
    # \textwidth 7.140 in, 0.4 % narrower than IEEE's figures. Body text is the
    # class default 10 pt, in Times.
    "ieee": Venue("IEEE", 3.5, 7.16, 10.0, True, _TIMES_LIKE),
    # acmart.dtx, format sigconf: geometry paperwidth=8.5in, inner=outer=54pt,
    # columnsep=2pc, so \textwidth = 614.295 pt - 108 pt = 506.295 pt and
    # \columnwidth = (506.295 pt - 24 pt) / 2 = 241.148 pt. The default font
    # size of sigconf is 9pt, in Linux Libertine.
    "acm": Venue(
        "ACM sigconf",
        241.1475 / _TEX_POINTS_PER_INCH,
        506.295 / _TEX_POINTS_PER_INCH,
        9.0,
        True,
        _LIBERTINE_LIKE,
    ),
}


def venue_names() -> list[str]:
    """Return the venue keys that ``get_venue`` accepts, sorted."""
    return sorted(VENUES)


def get_venue(venue: str | Venue) -> Venue:
    """Return the Venue for a name such as "neurips" (any case), or ``venue`` itself if it is a Venue.

    Raises
    ------
    ValueError
        If the name is not a known venue. The message lists the valid names.
    """
    if isinstance(venue, Venue):
        return venue
    key = str(venue).strip().lower()
    if key not in VENUES:
        raise ValueError(
            f"unknown venue {venue!r}; the valid venues are {venue_names()}. "
            "For another template pass a Venue(...) with its widths and body size."
        )
    return VENUES[key]


def figure_width(venue: str | Venue, columns: int | str = 1) -> float:
    """Return the width in inches of a figure one column wide (``columns=1``) or page wide ("full").

    For a single-column venue both widths are the text width.
    """
    spec = get_venue(venue)
    if columns == 1:
        return spec.column_width
    if isinstance(columns, str) and columns.lower() == "full":
        return spec.text_width
    raise ValueError(
        f"columns must be 1 (one column) or 'full' (the text width); got {columns!r}."
    )


def figure_size(
    venue: str | Venue,
    columns: int | str = 1,
    aspect: float = DEFAULT_ASPECT,
    height: float | None = None,
) -> tuple[float, float]:
    """Return the (width, height) in inches of a figure that fits the venue's column or page.

    Parameters
    ----------
    venue : str or Venue
        One of ``venue_names()`` ("acm", "icml", "iclr", "ieee", "neurips"), any case.
    columns : 1 or "full", default 1
        1 for one column (the text width of a single-column venue), "full"
        for the width of the page's text block.
    aspect : float, default 0.62
        Height divided by width, used when ``height`` is None. 0.62 is close
        to the golden ratio's 0.618.
    height : float, optional
        Height in inches, overriding ``aspect``.

    Returns
    -------
    (float, float)
        Width and height in inches.

    Raises
    ------
    ValueError
        For an unknown venue, a ``columns`` other than 1 or "full", or a
        non-positive ``aspect`` or ``height``.
    """
    width = figure_width(venue, columns)
    if height is None:
        if not aspect > 0:
            raise ValueError(f"aspect must be positive, got {aspect!r}; pass e.g. aspect=0.62.")
        return (width, width * aspect)
    if not height > 0:
        raise ValueError(f"height must be positive inches, got {height!r}; pass e.g. height=2.0.")
    return (width, float(height))
