"""Candidate colours shared by every figure of a study."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

# seaborn's "colorblind" palette has 10 colours. Candidates past the tenth get
# evenly spaced HUSL hues, which are distinct but not checked for colour blindness.
_COLORBLIND_SIZE = 10


def candidate_palette(candidates: Iterable[str]) -> dict[str, tuple[float, float, float]]:
    """Assign one colour to each candidate from seaborn's "colorblind" palette.

    Parameters
    ----------
    candidates : iterable of str
        Candidate names in the order that fixes their colours. The same ordered
        list always yields the same mapping.

    Returns
    -------
    dict of str to (r, g, b)
        Each candidate's RGB colour with components in [0, 1].

    Raises
    ------
    ValueError
        If a candidate name appears twice.

    Notes
    -----
    NOTE: only the first 10 candidates get colour-blind-safe colours. Later ones
    get HUSL hues that some readers may not tell apart.
    """
    import seaborn as sns

    names = list(candidates)
    duplicates = sorted({str(name) for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(
            f"candidates contains duplicate names {duplicates}; pass each candidate once."
        )

    colours = [tuple(rgb) for rgb in sns.color_palette("colorblind", _COLORBLIND_SIZE)]
    extra = len(names) - _COLORBLIND_SIZE
    if extra > 0:
        colours += [tuple(rgb) for rgb in sns.color_palette("husl", extra)]
    return {name: colours[index] for index, name in enumerate(names)}


def resolve_palette(palette: Mapping[str, object] | None, candidates: Sequence[str]) -> dict:
    """Return ``palette`` checked against ``candidates``, or the default palette.

    The default colours candidates by their sorted names, so figures of the same
    candidate set agree on colours whatever order a metric ranks them in.
    """
    if palette is None:
        return candidate_palette(sorted(candidates, key=str))

    missing = [name for name in candidates if name not in palette]
    if missing:
        raise ValueError(
            f"palette has no colour for candidates {missing}; build it with "
            "candidate_palette(<every candidate of the study>)."
        )
    return dict(palette)


# Filled marker shapes that stay distinct at 3-5 pt and in greyscale, most
# distinct first, and line styles that go with them.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", "h", ">", "p", "*")
_LINESTYLES = ("-", "--", ":", "-.")


def candidate_markers(candidates: Iterable[str]) -> dict[str, dict[str, str]]:
    """Assign each candidate a marker and a line style, so figures stay readable without colour.

    Parameters
    ----------
    candidates : iterable of str
        Candidate names in the order that fixes their markers, as for
        ``candidate_palette``.

    Returns
    -------
    dict of str to dict
        Each candidate's ``{"marker": ..., "linestyle": ...}``, ready to pass
        to ``Axes.plot`` as keyword arguments. The first 12 candidates get 12
        different markers. Line styles cycle through 4 styles and shift by one
        for each further round of markers, so the first 48 candidates all get
        different (marker, line style) pairs.

    Raises
    ------
    ValueError
        If a candidate name appears twice.
    """
    names = list(candidates)
    _check_unique(names)
    styles = {}
    for index, name in enumerate(names):
        marker_round = index // len(_MARKERS)
        styles[name] = {
            "marker": _MARKERS[index % len(_MARKERS)],
            "linestyle": _LINESTYLES[(index + marker_round) % len(_LINESTYLES)],
        }
    return styles


def resolve_markers(markers: Mapping[str, Mapping[str, str]] | None, candidates: Sequence[str]) -> dict:
    """Return ``markers`` checked against ``candidates``, or markers assigned by sorted name as ``resolve_palette`` does."""
    if markers is None:
        return candidate_markers(sorted(candidates, key=str))

    missing = [name for name in candidates if name not in markers]
    if missing:
        raise ValueError(
            f"markers has no entry for candidates {missing}; build it with "
            "candidate_markers(<every candidate of the study>)."
        )
    return {name: dict(markers[name]) for name in candidates}


def _check_unique(names: list) -> None:
    duplicates = sorted({str(name) for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(
            f"candidates contains duplicate names {duplicates}; pass each candidate once."
        )
