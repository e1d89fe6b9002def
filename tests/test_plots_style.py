"""Tests of the venue presets, style(venue=...) and candidate markers of nbcompare.plots."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from nbcompare.plots._palette import candidate_markers, candidate_palette, resolve_markers  # noqa: E402
from nbcompare.plots._style import save, style  # noqa: E402
from nbcompare.plots._venues import VENUES, figure_size, get_venue, venue_names  # noqa: E402

# (venue, one-column width, full width, body size) as documented in _venues.py.
DOCUMENTED = [
    ("neurips", 5.5, 5.5, 10.0),
    ("iclr", 5.5, 5.5, 10.0),
    ("icml", 3.25, 6.75, 10.0),
    ("ieee", 3.5, 7.16, 10.0),
    ("acm", 241.1475 / 72.27, 506.295 / 72.27, 9.0),
]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def draw_sample(ax) -> None:
    ax.plot([1e-4, 1e-3, 1e-2], [0.8, 0.9, 0.85], marker="o", label="mixup")
    ax.set_xscale("log")
    ax.set_xlabel(r"learning rate $\eta$")
    ax.set_ylabel("accuracy")
    ax.legend()


def font_types(path) -> set[str]:
    """Return the /Subtype of every font in every page of a PDF, descendant fonts included."""
    subtypes = set()
    for page in PdfReader(path).pages:
        fonts = page["/Resources"].get_object().get("/Font")
        for font in (fonts.get_object().values() if fonts else []):
            font = font.get_object()
            subtypes.add(str(font["/Subtype"]))
            for descendant in font.get("/DescendantFonts", []):
                subtypes.add(str(descendant.get_object()["/Subtype"]))
    return subtypes


@pytest.mark.parametrize(("venue", "column", "full", "body"), DOCUMENTED)
def test_figure_size_documented_widths(venue, column, full, body):
    assert figure_size(venue) == pytest.approx((column, column * 0.62))
    assert figure_size(venue, columns="full")[0] == pytest.approx(full)
    assert figure_size(venue.upper(), height=2.0) == pytest.approx((column, 2.0))
    assert get_venue(venue).body_size == body


def test_two_column_venues_full_wider():
    for name in ("icml", "ieee", "acm"):
        assert figure_size(name, "full")[0] > 2 * figure_size(name)[0]
    for name in ("neurips", "iclr"):
        assert figure_size(name, "full") == figure_size(name)


def test_unknown_venue_lists_valid_names():
    with pytest.raises(ValueError, match="unknown venue 'cvpr'") as error:
        figure_size("cvpr")
    for name in venue_names():
        assert name in str(error.value)
    with pytest.raises(ValueError, match="unknown venue"):
        with style(venue="cvpr"):
            pass


def test_figure_size_rejects_bad_arguments():
    with pytest.raises(ValueError, match="columns must be 1"):
        figure_size("icml", columns=3)
    with pytest.raises(ValueError, match="aspect must be positive"):
        figure_size("icml", aspect=0)
    with pytest.raises(ValueError, match="height must be positive"):
        figure_size("icml", height=-1)


@pytest.mark.parametrize(("venue", "column", "full", "body"), DOCUMENTED)
def test_style_venue_sets_fonts_and_size(venue, column, full, body):
    before = dict(mpl.rcParams)
    with style(venue=venue, columns="full"):
        assert mpl.rcParams["axes.labelsize"] == body - 1
        assert mpl.rcParams["xtick.labelsize"] == body - 2
        assert mpl.rcParams["legend.fontsize"] == body - 2
        assert mpl.rcParams["figure.titlesize"] == body
        assert mpl.rcParams["font.family"] == ["serif"]
        assert mpl.rcParams["pdf.fonttype"] == 42
        assert list(mpl.rcParams["figure.figsize"]) == pytest.approx([full, full * 0.62])
        fig = plt.figure()
        assert fig.get_size_inches()[0] == pytest.approx(full)
    assert dict(mpl.rcParams) == before


def test_style_sans_serif_and_overrides():
    with style(venue="neurips", family="sans-serif", rc={"axes.labelsize": 11}):
        assert mpl.rcParams["font.family"] == ["sans-serif"]
        assert mpl.rcParams["axes.labelsize"] == 11
    with pytest.raises(ValueError, match="family must be one of"):
        with style(venue="neurips", family="monospace"):
            pass


def test_style_positional_rc_still_works():
    with style({"font.size": 11}):
        assert mpl.rcParams["font.size"] == 11
        assert mpl.rcParams["pdf.fonttype"] == 42


@pytest.mark.parametrize("venue", sorted(VENUES))
def test_venue_pdf_no_type3_fonts(tmp_path, venue):
    with style(venue=venue):
        fig, ax = plt.subplots(layout="constrained")
        draw_sample(ax)
        first = save(fig, tmp_path / "first", formats=("pdf",))[0]
        second = save(fig, tmp_path / "second", formats=("pdf",))[0]

    subtypes = font_types(first)
    assert subtypes, "the PDF embeds no fonts"
    assert "/Type3" not in subtypes
    assert b"/Type3" not in first.read_bytes()
    assert first.read_bytes() == second.read_bytes()


def test_candidate_markers_distinct():
    names = [f"model-{index}" for index in range(48)]
    markers = candidate_markers(names)
    first_twelve = [markers[name]["marker"] for name in names[:12]]
    assert len(set(first_twelve)) == 12
    pairs = {(style_["marker"], style_["linestyle"]) for style_ in markers.values()}
    assert len(pairs) == 48


def test_candidate_markers_rejects_duplicates():
    with pytest.raises(ValueError, match="duplicate names"):
        candidate_markers(["a", "b", "a"])


def test_resolve_markers_default_and_missing():
    assert resolve_markers(None, ["b", "a"]) == candidate_markers(["a", "b"])
    with pytest.raises(ValueError, match=r"no entry for candidates \['c'\]"):
        resolve_markers(candidate_markers(["a", "b"]), ["a", "c"])


def test_candidate_palette_unchanged():
    import seaborn as sns

    palette = candidate_palette(["a", "b", "c"])
    expected = sns.color_palette("colorblind", 10)[:3]
    assert [palette[name] for name in "abc"] == [tuple(rgb) for rgb in expected]
