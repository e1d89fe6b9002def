"""Exceptions and warnings raised by nbcompare."""

from __future__ import annotations


class StudyError(ValueError):
    """An invalid study definition: the message names the field, the value and the fix."""


class TrialFunctionError(StudyError):
    """A trial function that worker processes cannot import."""


class NBCompareWarning(UserWarning):
    """Base class of every warning nbcompare emits."""


class SmallSampleWarning(NBCompareWarning):
    """The sample is too small for the requested test to reach the significance level."""


class DegenerateDataWarning(NBCompareWarning):
    """The data make a statistic undefined (all differences zero, zero variance, ...)."""


class MethodSwitchWarning(NBCompareWarning):
    """The test that ran differs from the requested one; the message names both and the reason."""


class MissingTrialsWarning(NBCompareWarning):
    """Some trials failed or are missing and were left out under the missing-data policy."""
