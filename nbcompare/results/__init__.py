"""Results layer: one record per trial, read into a tidy table."""

from nbcompare.results._resultset import TIDY_COLUMNS, ResultSet

__all__ = ["ResultSet", "TIDY_COLUMNS"]
