"""Round trips on generated configurations: model → pcs → model → pcs → model.

pcs fills in what a configuration leaves out (ids, default operations), so
the first trip may change the model; from then on it is a fixed point.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from pengine.cib.pcs_text import read_pcs
from pengine.cib.pcs_writer import write_pcs
from strategies import configurations


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations())
def test_pcs_round_trip_is_a_fixed_point(config):
    text = write_pcs(config)
    once = read_pcs(text, "generated.pcs")
    text_again = write_pcs(once)
    twice = read_pcs(text_again, "again.pcs")
    assert twice == once, text_again
    assert write_pcs(twice) == text_again
