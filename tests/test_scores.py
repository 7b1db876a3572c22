"""Score parsing, addition and display (Pacemaker's lib/common/scores.c)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pengine.common.scores import (INFINITY, add_scores, parse_score, parse_score_checked,
                                   scan_ll, score_text, strtoll)

scores = st.integers(min_value=-INFINITY, max_value=INFINITY)
any_ints = st.integers(min_value=-5 * INFINITY, max_value=5 * INFINITY)


@pytest.mark.parametrize("text, expected", [
    ("INFINITY", INFINITY),
    ("+INFINITY", INFINITY),
    ("-INFINITY", -INFINITY),
    ("0", 0),
    ("100", 100),
    ("-100", -100),
    ("+7", 7),
    ("  42", 42),             # strtoll skips leading white space
    ("12abc", 12),            # ...and ignores what follows the digits
    ("1000001", INFINITY),    # clamped
    ("-99999999", -INFINITY),
    ("99999999999999999999999", INFINITY),   # strtoll overflow is clamped too
    ("-99999999999999999999999", -INFINITY),
])
def test_parse_score_values(text, expected):
    assert parse_score(text) == expected
    assert parse_score_checked(text) == (expected, True)


@pytest.mark.parametrize("text", ["infinity", "Infinity", "inf", "+inf", "-inf", "abc", "",
                                  " ", "- 5", "x"])
def test_parse_score_invalid_text_gives_default(text):
    # The infinity words are case-sensitive; "inf" is not a number for strtoll.
    assert parse_score(text) == 0
    assert parse_score(text, default=5) == 5
    assert parse_score_checked(text, 5) == (5, False)


def test_parse_score_default_is_clamped_and_none_is_valid():
    assert parse_score(None) == 0
    assert parse_score(None, default=3) == 3
    assert parse_score(None, default=10 * INFINITY) == INFINITY
    assert parse_score_checked(None, -10 * INFINITY) == (-INFINITY, True)
    assert parse_score("abc", default=-10 * INFINITY) == -INFINITY


def test_health_colours_are_case_insensitive_and_zero_by_default():
    assert parse_score("red") == 0
    assert parse_score("RED", health={"red": -INFINITY}) == -INFINITY
    assert parse_score("Yellow", health={"yellow": -50}) == -50
    assert parse_score("green", health={"red": 1}) == 0
    assert parse_score_checked("green") == (0, True)


@pytest.mark.parametrize("a, b, expected", [
    (1, 2, 3),
    (INFINITY, -INFINITY, -INFINITY),
    (-INFINITY, INFINITY, -INFINITY),
    (INFINITY, 5, INFINITY),
    (-INFINITY, 5, -INFINITY),
    (999_999, 1, INFINITY),
    (-999_999, -1, -INFINITY),
    (600_000, 600_000, INFINITY),
    (600_000, -100_000, 500_000),
    (2 * INFINITY, -3, INFINITY),  # out-of-range inputs count as infinite
])
def test_add_scores(a, b, expected):
    assert add_scores(a, b) == expected


@pytest.mark.parametrize("score, text", [
    (INFINITY, "INFINITY"), (2 * INFINITY, "INFINITY"), (-INFINITY, "-INFINITY"),
    (-5 * INFINITY, "-INFINITY"), (0, "0"), (-12, "-12"), (999_999, "999999"),
])
def test_score_text(score, text):
    assert score_text(score) == text


def test_strtoll_reports_end_and_overflow():
    assert strtoll("  -12x") == (-12, 5, False)
    assert strtoll("abc") == (0, 0, False)
    assert strtoll("+") == (0, 0, False)
    assert strtoll("9" * 30) == (2**63 - 1, 30, True)
    assert strtoll("x12", 1) == (12, 3, False)
    assert scan_ll("12abc") == 12
    assert scan_ll("abc") is None
    assert scan_ll("9" * 30) is None
    assert scan_ll(None) is None


@given(scores, scores)
def test_addition_is_commutative(a, b):
    assert add_scores(a, b) == add_scores(b, a)


@given(any_ints, any_ints)
def test_addition_saturates(a, b):
    result = add_scores(a, b)
    assert -INFINITY <= result <= INFINITY
    if a <= -INFINITY or b <= -INFINITY:
        assert result == -INFINITY
    elif a >= INFINITY or b >= INFINITY:
        assert result == INFINITY
    else:
        assert result == max(-INFINITY, min(INFINITY, a + b))


@given(scores)
def test_zero_is_neutral_and_minus_infinity_absorbs(a):
    assert add_scores(a, 0) == a
    assert add_scores(a, -INFINITY) == -INFINITY


@given(scores)
def test_score_text_round_trips(score):
    assert parse_score(score_text(score)) == score


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_parse_score_of_any_integer_is_clamped(value):
    assert parse_score(str(value)) == max(-INFINITY, min(INFINITY, value))
