"""Round trips on generated configurations: model → crm → model → crm."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from pengine.cib.crm_text import read_crm, write_crm
from strategies import configurations


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configurations())
def test_crm_text_round_trips(config):
    text = write_crm(config)
    # the strategies make what crm can say: an xml block would mean a writer gap
    assert "\nxml <" not in "\n" + text
    again = read_crm(text, "generated.crm", crmsh_ids=False)  # ids as the strategies make them
    assert again == config, text
    assert write_crm(again) == text
