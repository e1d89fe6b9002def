"""Publication figures for nbcompare studies.

Every figure function takes a Comparison from ``nbcompare.stats.compare`` or a
long results frame, draws on the given Axes (or a new figure when ``ax`` is
None) and returns the Axes. None of them calls ``plt.show()`` or changes the
global rcParams. Apply the publication style with ``with style():`` and write files
with ``save``.

matplotlib is imported only when a function runs, so importing this package
does not import it.
"""

from ._cd import plot_cd_diagram
from ._ci import plot_metric_ci, plot_seed_distribution, plot_seed_points
from ._curves import (
    plot_aggregate_intervals,
    plot_learning_curves,
    plot_performance_profile,
    plot_probability_of_improvement,
    plot_sensitivity,
)
from ._labels import format_pvalue
from ._palette import candidate_markers, candidate_palette
from ._pvalues import plot_pvalue_matrix
from ._rankmap import plot_rank_heatmap
from ._study import save_study_figures
from ._style import ALLOWED_FORMATS, PUBLICATION_RC, save, style
from ._tradeoff import pareto_mask, plot_tradeoff
from ._venues import VENUES, Venue, figure_size, figure_width, venue_names

__all__ = [
    "ALLOWED_FORMATS",
    "PUBLICATION_RC",
    "VENUES",
    "Venue",
    "candidate_markers",
    "candidate_palette",
    "figure_size",
    "figure_width",
    "format_pvalue",
    "pareto_mask",
    "plot_aggregate_intervals",
    "plot_cd_diagram",
    "plot_learning_curves",
    "plot_metric_ci",
    "plot_performance_profile",
    "plot_probability_of_improvement",
    "plot_pvalue_matrix",
    "plot_rank_heatmap",
    "plot_seed_distribution",
    "plot_seed_points",
    "plot_sensitivity",
    "plot_tradeoff",
    "save",
    "save_study_figures",
    "style",
    "venue_names",
]
