"""adjust_pvalues against statsmodels' multipletests, the reference for every correction."""

from __future__ import annotations

import gc
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests, multitest_alias

from nbcompare.stats._correction import (
    _NEVER_BELOW_RAW,
    adjust_pvalues,
    correction_names,
    holm_adjusted,
    normalize_correction,
)

# One stored name per method, such as "holm" for "h" and "holm".
METHODS = sorted({normalize_correction(name) for name in correction_names()})


@pytest.fixture(scope="module", autouse=True)
def frozen_heap():
    """Keep the test session's objects out of the reference's garbage collection.

    statsmodels 0.15 runs gc.collect() on every Holm call, which costs tens of
    milliseconds on a full pytest heap. Frozen objects are skipped by the
    collector. The heap is unfrozen afterwards.
    """
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


# p-values drawn from a small pool produce ties. The pool contains the edges
# 0 and 1 and NaN (an undefined test, left out of the family).
POOL = st.sampled_from([0.0, 1.0, float("nan"), 1e-12, 0.001, 0.01, 0.02, 0.049, 0.05, 0.3, 0.5, 0.999])
PVALUES = st.lists(st.one_of(POOL, st.floats(0.0, 1.0)), min_size=0, max_size=25).map(np.array)


def reference_family(pvalues: np.ndarray, correction: str, alpha: float):
    """Return adjusted p-values and rejections as the documented contract of adjust_pvalues states.

    NaN stays NaN and is not rejected. The other p-values form the family
    passed to multipletests. Results of the methods that never adjust below
    the raw p-value are raised to it. A test is rejected when its adjusted
    p-value is at most alpha.
    """
    adjusted = np.full(pvalues.shape, np.nan)
    tested = ~np.isnan(pvalues)
    if tested.any():
        _, family, _, _ = multipletests(pvalues[tested], alpha=alpha, method=multitest_alias[correction])
        if correction in _NEVER_BELOW_RAW:
            family = np.maximum(family, pvalues[tested])
        adjusted[tested] = family
    return adjusted, np.where(np.isnan(adjusted), False, adjusted <= alpha)


@settings(max_examples=60, deadline=None)
@given(pvalues=PVALUES, alpha=st.sampled_from([0.01, 0.05, 0.1]))
@pytest.mark.parametrize("correction", METHODS)
def test_adjust_pvalues_matches_statsmodels(correction, pvalues, alpha):
    with warnings.catch_warnings():
        # Sidak and fdr_gbs divide by zero at p = 1 inside statsmodels.
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            expected, expected_reject = reference_family(pvalues, correction, alpha)
        except ValueError as error:
            # statsmodels' lfdr rejects some families (for example p = 0).
            with pytest.raises(ValueError, match=re.escape(str(error))):
                adjust_pvalues(pvalues, correction, alpha)
            return
        family = adjust_pvalues(pvalues, correction, alpha)

    np.testing.assert_array_equal(family.adjusted, expected)
    np.testing.assert_array_equal(family.reject, expected_reject)
    assert family.family_size == int(np.sum(~np.isnan(pvalues)))


@settings(max_examples=200, deadline=None)
@given(pvalues=st.lists(st.one_of(POOL.filter(lambda p: p == p), st.floats(0.0, 1.0)), min_size=1, max_size=40))
def test_holm_adjusted_equals_multipletests_bitwise(pvalues):
    pvalues = np.array(pvalues)

    _, expected, _, _ = multipletests(pvalues, method="holm")

    np.testing.assert_array_equal(holm_adjusted(pvalues), expected)


def test_holm_adjusted_fixed_family():
    # Sorted: 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 gives 0.02, 0.03, 0.06,
    # 0.04, and the running maximum turns the last into 0.06.
    adjusted = holm_adjusted(np.array([0.01, 0.04, 0.03, 0.005]))

    np.testing.assert_allclose(adjusted, [0.03, 0.06, 0.06, 0.02], rtol=0, atol=1e-15)


def test_holm_adjusted_caps_at_one_and_keeps_zero():
    adjusted = holm_adjusted(np.array([0.0, 0.6, 0.6, 1.0]))

    assert adjusted[0] == 0.0
    np.testing.assert_array_equal(adjusted[1:], [1.0, 1.0, 1.0])


def test_adjust_pvalues_holm_leaves_nan_out():
    family = adjust_pvalues(np.array([0.01, np.nan, 0.02]), "holm", 0.05)

    np.testing.assert_array_equal(family.adjusted, [0.02, np.nan, 0.02])
    np.testing.assert_array_equal(family.reject, [True, False, True])
    assert family.family_size == 2


def test_holm_empty_and_all_nan_families():
    empty = adjust_pvalues(np.array([]), "holm", 0.05)
    undefined = adjust_pvalues(np.array([np.nan, np.nan]), "holm", 0.05)

    assert empty.family_size == 0
    assert undefined.family_size == 0
    assert np.isnan(undefined.adjusted).all()
    assert not undefined.reject.any()
